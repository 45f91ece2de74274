import {
  type AlertmanagerClient,
  AlertmanagerPostError,
  type AlertmanagerTarget,
  type PostableAlert,
} from '../../../../lambdas/domain/alerting/alertmanager-client';
import {
  AlertmanagerSender,
  MAX_QUEUED_ROUNDS,
  sendToAlertmanagers,
  toPostableAlerts,
} from '../../../../lambdas/domain/alerting/alertmanager-sender';
import type { AlertInput } from '../../../../lambdas/domain/alerting/types';

const T0 = Date.UTC(2026, 11, 6, 17, 0, 0);

const target = (host: string): AlertmanagerTarget => ({
  url: `http://${host}:9093`,
  alertsUrl: `http://${host}:9093/api/v2/alerts`,
  timeoutMs: 10_000,
});

const alertOf = (gpu: string, extra: Partial<AlertInput> = {}): AlertInput => ({
  labels: { alertname: 'GpuTooHot', gpu },
  annotations: { summary: `GPU ${gpu} is hot` },
  startsAtMs: T0,
  endsAtMs: T0 + 240_000,
  generatorURL: 'https://vigil.example.com/graph?g0.expr=x&g0.tab=1',
  ...extra,
});

/** Records posts per Alertmanager; `fail` decides a failure per (host, attempt). */
class ScriptedClient implements AlertmanagerClient {
  readonly posts: { host: string; alerts: readonly PostableAlert[] }[] = [];
  readonly attempts = new Map<string, number>();
  constructor(
    private readonly fail: (
      host: string,
      attempt: number,
    ) => AlertmanagerPostError | undefined = () => undefined,
  ) {}
  async postAlerts(t: AlertmanagerTarget, alerts: readonly PostableAlert[]) {
    const host = new URL(t.url).hostname;
    const attempt = (this.attempts.get(host) ?? 0) + 1;
    this.attempts.set(host, attempt);
    const error = this.fail(host, attempt);
    if (error) throw error;
    this.posts.push({ host, alerts });
  }
}

const unavailable = () =>
  new AlertmanagerPostError('bad response status 503', { retryable: true, status: 503 });

describe('Function: toPostableAlerts', () => {
  it('adds external labels the alert lacks, keeps its own values, and writes RFC 3339 times', () => {
    // Act
    const [alert] = toPostableAlerts(
      [alertOf('0', { labels: { alertname: 'GpuTooHot', gpu: '0', cluster: 'train' } })],
      { cluster: 'eu-1', env: 'prod' },
    );

    // Assess
    expect(alert).toEqual({
      labels: { alertname: 'GpuTooHot', cluster: 'train', env: 'prod', gpu: '0' },
      annotations: { summary: 'GPU 0 is hot' },
      startsAt: '2026-12-06T17:00:00.000Z',
      endsAt: '2026-12-06T17:04:00.000Z',
      generatorURL: 'https://vigil.example.com/graph?g0.expr=x&g0.tab=1',
    });
  });

  it('keeps the later of two sends of the same alert in one round', () => {
    // Act
    const alerts = toPostableAlerts([
      alertOf('0'),
      alertOf('1'),
      alertOf('0', { endsAtMs: T0 + 30_000 }),
    ]);

    // Assess
    expect(alerts.map((a) => [a.labels.gpu, a.endsAt])).toEqual([
      ['1', '2026-12-06T17:04:00.000Z'],
      ['0', '2026-12-06T17:00:30.000Z'],
    ]);
  });
});

describe('Function: sendToAlertmanagers', () => {
  it('sends batches of 64 to every Alertmanager', async () => {
    // Prepare
    const client = new ScriptedClient();
    const alerts = Array.from({ length: 130 }, (_, i) => alertOf(String(i)));

    // Act
    const summary = await sendToAlertmanagers(
      { client, sleep: async () => {} },
      [target('am-a'), target('am-b')],
      alerts,
    );

    // Assess
    const sizes = (host: string) =>
      client.posts.filter((p) => p.host === host).map((p) => p.alerts.length);
    expect(sizes('am-a')).toEqual([64, 64, 2]);
    expect(sizes('am-b')).toEqual([64, 64, 2]);
    expect(summary).toEqual({ alertsSent: 260, alertsFailed: 0 });
  });

  it('retries with doubling backoff, gives up after 3 attempts, skips the rest for that Alertmanager only, and logs without throwing', async () => {
    // Prepare
    const client = new ScriptedClient((host) => (host === 'am-down' ? unavailable() : undefined));
    const sleeps: number[] = [];
    const logs: { message: string; extra: Readonly<Record<string, unknown>> }[] = [];
    const alerts = Array.from({ length: 70 }, (_, i) => alertOf(String(i)));

    // Act
    const summary = await sendToAlertmanagers(
      {
        client,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        log: (message, extra) => logs.push({ message, extra }),
      },
      [target('am-down'), target('am-up')],
      alerts,
    );

    // Assess
    expect(client.attempts.get('am-down')).toBe(3);
    expect(sleeps).toEqual([500, 1000]);
    expect(client.posts.map((p) => [p.host, p.alerts.length])).toEqual([
      ['am-up', 64],
      ['am-up', 6],
    ]);
    expect(summary).toEqual({ alertsSent: 70, alertsFailed: 70 });
    expect(logs).toEqual([
      {
        message: 'alerts not delivered to Alertmanager',
        extra: {
          alertmanager: 'http://am-down:9093',
          alerts: 64,
          attempts: 3,
          error: 'bad response status 503',
          status: 503,
        },
      },
    ]);
  });

  it('succeeds on a retry after a transient failure', async () => {
    // Prepare
    const client = new ScriptedClient((_, attempt) => (attempt === 1 ? unavailable() : undefined));

    // Act
    const summary = await sendToAlertmanagers(
      { client, sleep: async () => {} },
      [target('am')],
      [alertOf('0')],
    );

    // Assess
    expect(client.attempts.get('am')).toBe(2);
    expect(summary).toEqual({ alertsSent: 1, alertsFailed: 0 });
  });
});

describe('Class: AlertmanagerSender', () => {
  it('in the background, returns at once and sends the rounds in order', async () => {
    // Prepare
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const client = new ScriptedClient();
    const slow: AlertmanagerClient = {
      postAlerts: async (t, alerts) => {
        await gate;
        await client.postAlerts(t, alerts);
      },
    };
    const sender = new AlertmanagerSender(
      { client: slow, sleep: async () => {} },
      { background: true },
    );

    // Act
    const first = await sender.send([target('am')], [alertOf('0')]);
    await sender.send([target('am')], [alertOf('1')]);
    const before = client.posts.length;
    release();
    await sender.idle();

    // Assess
    expect(first).toEqual({ alertsSent: 0, alertsFailed: 0 });
    expect(before).toBe(0);
    expect(client.posts.map((p) => p.alerts[0]?.labels.gpu)).toEqual(['0', '1']);
  });

  it('in the background, drops and logs rounds past the queue limit', async () => {
    // Prepare
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const logs: string[] = [];
    const client = new ScriptedClient();
    const blocked: AlertmanagerClient = {
      postAlerts: async (t, alerts) => {
        await gate;
        await client.postAlerts(t, alerts);
      },
    };
    const sender = new AlertmanagerSender(
      { client: blocked, sleep: async () => {}, log: (m) => logs.push(m) },
      { background: true },
    );

    // Act
    const results = [];
    for (let i = 0; i <= MAX_QUEUED_ROUNDS; i++)
      results.push(await sender.send([target('am')], [alertOf(String(i))]));
    release();
    await sender.idle();

    // Assess
    expect(results.at(-1)).toEqual({ alertsSent: 0, alertsFailed: 1 });
    expect(logs).toEqual(['alerts not delivered to Alertmanager: send queue full']);
    expect(client.posts).toHaveLength(MAX_QUEUED_ROUNDS);
  });
});
