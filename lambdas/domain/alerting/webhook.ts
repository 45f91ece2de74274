/**
 * Alertmanager's webhook payload (version 4), built from a group's alerts at flush time.
 * @see https://github.com/prometheus/alertmanager/blob/main/notify/webhook/webhook.go
 * @see https://github.com/prometheus/alertmanager/blob/main/template/template.go (Data)
 */
import type { Labels } from '../series/labels';
import { commonOf } from './grouping';
import { goTimeJSON } from './label-set';
import { AlertStatus, type StoredAlert, type WebhookAlert, type WebhookPayload } from './types';

/** The receiver name of every Vigil notification. */
const VIGIL_RECEIVER = 'vigil';

/** Resolved when `endsAt` is set and not after `nowMs` (`types.Alert.ResolvedAt`). */
const isResolved = (a: StoredAlert, nowMs: number): boolean =>
  a.endsAtMs !== 0 && a.endsAtMs <= nowMs;

/**
 * One payload alert. A firing alert shows Go's zero time as `endsAt`: Alertmanager hides an end
 * time not reached yet (`types.Alerts`).
 */
const toWebhookAlert = (a: StoredAlert, nowMs: number): WebhookAlert => {
  const resolved = isResolved(a, nowMs);
  return {
    status: resolved ? AlertStatus.Resolved : AlertStatus.Firing,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: goTimeJSON(a.startsAtMs),
    endsAt: resolved ? goTimeJSON(a.endsAtMs) : goTimeJSON(0),
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  };
};

/**
 * The webhook JSON body for a group's alerts (already ordered). `status` is `firing` when any
 * alert fires.
 */
const buildWebhookPayload = (args: {
  groupKey: string;
  groupLabels: Labels;
  alerts: readonly StoredAlert[];
  nowMs: number;
  externalURL: string;
  receiver?: string;
}): WebhookPayload => {
  const alerts = args.alerts.map((a) => toWebhookAlert(a, args.nowMs));
  return {
    version: '4',
    groupKey: args.groupKey,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === AlertStatus.Firing)
      ? AlertStatus.Firing
      : AlertStatus.Resolved,
    receiver: args.receiver ?? VIGIL_RECEIVER,
    groupLabels: args.groupLabels,
    commonLabels: commonOf(alerts.map((a) => a.labels)),
    commonAnnotations: commonOf(alerts.map((a) => a.annotations)),
    externalURL: args.externalURL,
    alerts,
  };
};

export { buildWebhookPayload, isResolved, toWebhookAlert, VIGIL_RECEIVER };
