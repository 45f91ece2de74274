/** Notifications shared by the notifier tests, shaped as the dispatcher builds them. */
import type {
  Notification,
  StoredAlert,
  WebhookAlert,
} from '../../../../lambdas/domain/alerting/types';

const STARTS_AT_MS = Date.UTC(2024, 4, 1, 11, 58, 0);

const storedAlert = (instance: string, i: number): StoredAlert => ({
  fingerprint: `4f6c3a2b1d0e9f${String(i).padStart(2, '0')}`,
  labels: {
    alertname: 'HighErrorRate',
    instance,
    job: 'model-server',
    severity: 'critical',
  },
  annotations: {
    summary: `Error rate above 5% on ${instance}`,
    description: `5xx ratio is 0.0${7 + (i % 3)} over the last 5m.`,
    runbook_url: 'https://runbooks.example.com/high-error-rate',
  },
  startsAtMs: STARTS_AT_MS + i * 1000,
  endsAtMs: 0,
  generatorURL: 'http://localhost:9090/graph?g0.expr=job%3Aerrors%3Aratio5m+%3E+0.05',
  updatedAtMs: STARTS_AT_MS + 60_000,
  timeout: false,
});

const webhookAlert = (a: StoredAlert): WebhookAlert => ({
  status: 'firing',
  labels: a.labels,
  annotations: a.annotations,
  startsAt: new Date(a.startsAtMs).toISOString(),
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: a.generatorURL,
  fingerprint: a.fingerprint,
});

/** A firing notification of `count` HighErrorRate alerts (one per instance). */
const firingNotification = (
  count = 2,
  overrides: { severity?: string; groupKey?: string } = {},
): Notification => {
  const severity = overrides.severity ?? 'critical';
  const groupKey = overrides.groupKey ?? '{}:{alertname="HighErrorRate"}';
  const alerts = Array.from({ length: count }, (_, i) =>
    storedAlert(`model-server-${i}.ml.internal:8080`, i),
  );
  return {
    groupKey,
    receiver: 'sns',
    status: 'firing',
    alerts,
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: { alertname: 'HighErrorRate', job: 'model-server', severity },
    commonAnnotations: { runbook_url: 'https://runbooks.example.com/high-error-rate' },
    severity,
    payload: {
      version: '4',
      groupKey,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'sns',
      groupLabels: { alertname: 'HighErrorRate' },
      commonLabels: { alertname: 'HighErrorRate', job: 'model-server', severity },
      commonAnnotations: { runbook_url: 'https://runbooks.example.com/high-error-rate' },
      externalURL: 'http://localhost:9093',
      alerts: alerts.map(webhookAlert),
    },
  };
};

/** The same group once resolved. */
const resolvedNotification = (): Notification => {
  const n = firingNotification(1);
  const endsAt = '2024-05-01T12:10:00.000Z';
  return {
    ...n,
    status: 'resolved',
    payload: {
      ...n.payload,
      status: 'resolved',
      alerts: n.payload.alerts.map((a) => ({ ...a, status: 'resolved', endsAt })),
    },
  };
};

export { firingNotification, resolvedNotification };
