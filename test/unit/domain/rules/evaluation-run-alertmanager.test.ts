/**
 * What the Alertmanagers of `alerting.alertmanagers` receive over a rule's life, evaluated once a
 * minute at real times: Prometheus's resend delay (1m, strictly exceeded), `endsAt` = send time +
 * 4 × max(interval, resend delay) while firing, `endsAt` = resolved time once resolved, resolved
 * alerts resent for 15 minutes.
 */
import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import type {
  AlertmanagerClient,
  AlertmanagerTarget,
  PostableAlert,
} from '../../../../lambdas/domain/alerting/alertmanager-client';
import { AlertmanagerPostError } from '../../../../lambdas/domain/alerting/alertmanager-client';
import { AlertmanagerSender } from '../../../../lambdas/domain/alerting/alertmanager-sender';
import { DEFAULT_ALERTING_CONFIG } from '../../../../lambdas/domain/alerting/config';
import { runEvaluation } from '../../../../lambdas/domain/rules/evaluation-run';
import type { RulesDocument } from '../../../../lambdas/domain/rules/rules-document';
import { MemoryAlertStateStore, RecordingNotifier } from '../../../helpers/alert-ports';

/** An Alertmanager client recording every post, optionally failing. */
class RecordingClient implements AlertmanagerClient {
  readonly posts: { url: string; atMs: number; alerts: readonly PostableAlert[] }[] = [];
  failWith: AlertmanagerPostError | undefined;
  now = 0;
  async postAlerts(target: AlertmanagerTarget, alerts: readonly PostableAlert[]) {
    if (this.failWith) throw this.failWith;
    this.posts.push({ url: target.url, atMs: this.now, alerts });
  }
}

const T0 = Date.UTC(2026, 11, 6, 17, 0, 0);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

const AM: AlertmanagerTarget = {
  url: 'http://alertmanager:9093',
  alertsUrl: 'http://alertmanager:9093/api/v2/alerts',
  timeoutMs: 10_000,
};

const document: RulesDocument = {
  groups: [
    {
      file: 'gpu.rules.yml',
      name: 'gpu',
      rules: [
        {
          alert: 'GpuTooHot',
          expr: 'gpu_temperature_celsius > 85',
          forMs: MIN,
          labels: { severity: 'critical' },
          annotations: { summary: 'GPU {{ $labels.gpu }} is at {{ $value }}C' },
        },
      ],
    },
  ],
  evaluation: {
    intervalMs: MIN,
    externalLabels: { cluster: 'eu-1', severity: 'page' },
    externalUrl: 'https://vigil.example.com',
  },
  alerting: { ...DEFAULT_ALERTING_CONFIG, alertmanagers: [AM] },
};

const setup = () => {
  const store = new MemorySeriesStore();
  const state = new MemoryAlertStateStore();
  const notifier = new RecordingNotifier();
  const client = new RecordingClient();
  const sleeps: number[] = [];
  const alertmanagers = new AlertmanagerSender({
    client,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  const temperature = (t: number, v: number) =>
    store.write([
      {
        labels: { __name__: 'gpu_temperature_celsius', gpu: '0', node: 'trainer-1' },
        samples: [{ t, v }],
      },
    ]);
  const run = (atMs: number, alerting: Partial<RulesDocument['alerting']> = {}) => {
    client.now = atMs;
    return runEvaluation(
      {
        store,
        state,
        notifier,
        document: { ...document, alerting: { ...document.alerting, ...alerting } },
        clock: { now: () => atMs },
        alertmanagers,
      },
      atMs,
    );
  };
  return { client, notifier, sleeps, temperature, run };
};

describe('Function: runEvaluation (alerting.alertmanagers)', () => {
  it('sends firing alerts at most once per resend delay with endsAt 4 intervals ahead, then resolved ones for 15 minutes', async () => {
    // Prepare
    const { client, temperature, run } = setup();
    await temperature(T0 - 10_000, 92);
    await temperature(T0 + 3.5 * MIN, 60);

    // Act
    for (let m = 0; m <= 21; m++) await run(T0 + m * MIN);

    // Assess
    const firing = {
      labels: {
        alertname: 'GpuTooHot',
        cluster: 'eu-1',
        gpu: '0',
        node: 'trainer-1',
        severity: 'critical',
      },
      annotations: { summary: 'GPU 0 is at 92C' },
      // startsAt is FiredAt (pending from T0, firing after `for: 1m`), as Prometheus sends it.
      startsAt: iso(T0 + MIN),
      generatorURL:
        'https://vigil.example.com/graph?g0.expr=gpu_temperature_celsius+%3E+85&g0.tab=1',
    };
    expect(client.posts.map((p) => ({ at: iso(p.atMs), alerts: p.alerts }))).toEqual([
      { at: iso(T0 + MIN), alerts: [{ ...firing, endsAt: iso(T0 + 5 * MIN) }] },
      // T0+2m: last sent exactly one resend delay ago, not more: nothing sent.
      { at: iso(T0 + 3 * MIN), alerts: [{ ...firing, endsAt: iso(T0 + 7 * MIN) }] },
      // Resolved at T0+4m: sent at once, then again every other minute while retained.
      ...[4, 6, 8, 10, 12, 14, 16, 18].map((m) => ({
        at: iso(T0 + m * MIN),
        alerts: [{ ...firing, endsAt: iso(T0 + 4 * MIN) }],
      })),
    ]);
  });

  it('adds no Alertmanager traffic when none is configured', async () => {
    // Prepare
    const { client, notifier, temperature, run } = setup();
    await temperature(T0 - 10_000, 92);

    // Act
    await run(T0, { alertmanagers: [] });
    const summary = await run(T0 + MIN, { alertmanagers: [], groupWaitMs: 0 });

    // Assess
    expect(notifier.sent.map((n) => n.status)).toEqual(['firing']);
    expect(client.posts).toEqual([]);
    expect(summary.alertmanagerAlertsSent).toBe(0);
  });

  it('retries a failing Alertmanager, counts what it did not get, and still notifies through the topics', async () => {
    // Prepare
    const { client, notifier, sleeps, temperature, run } = setup();
    await temperature(T0 - 10_000, 92);
    client.failWith = new AlertmanagerPostError('bad response status 503', {
      retryable: true,
      status: 503,
    });

    // Act
    await run(T0);
    const firingRun = await run(T0 + MIN);
    await run(T0 + 2 * MIN);

    // Assess
    expect([firingRun.alertmanagerAlertsSent, firingRun.alertmanagerAlertsFailed]).toEqual([0, 1]);
    expect(sleeps).toEqual([500, 1000]);
    expect(notifier.sent.map((n) => n.status)).toEqual(['firing']);
  });

  it('does not retry an alert Alertmanager refused (400)', async () => {
    // Prepare
    const { client, sleeps, temperature, run } = setup();
    await temperature(T0 - 10_000, 92);
    client.failWith = new AlertmanagerPostError('bad response status 400: bad alert', {
      retryable: false,
      status: 400,
    });

    // Act
    await run(T0);
    const firingRun = await run(T0 + MIN);

    // Assess
    expect(firingRun.alertmanagerAlertsFailed).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('still sends to the Alertmanager when publishing to the topics fails', async () => {
    // Prepare
    const { client, notifier, temperature, run } = setup();
    await temperature(T0 - 10_000, 92);
    await run(T0);
    notifier.failing = true;

    // Act
    const failedTopics = run(T0 + MIN, { groupWaitMs: 0 });

    // Assess
    await expect(failedTopics).rejects.toThrow('topic unreachable');
    expect(client.posts.map((p) => p.alerts[0]?.endsAt)).toEqual([iso(T0 + 5 * MIN)]);
  });
});
