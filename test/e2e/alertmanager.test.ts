/**
 * End to end: `npm start` with a rule evaluated every second and `alerting.alertmanagers` pointing
 * at a real Alertmanager (Debian's `prometheus-alertmanager` 0.25, served under a path prefix).
 * A gauge crosses the threshold: Alertmanager's own API shows the alert active, with Vigil's
 * labels (external labels included), annotations, startsAt and an endsAt ahead; the gauge drops:
 * the alert leaves Alertmanager's active list, and Alertmanager's resolved notification carries
 * the endsAt Vigil sent (the resolution time, in the past).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port';
import {
  type ManagedChild,
  makeTmpDir,
  removeDir,
  startChild,
  startVigil,
  type VigilProcess,
  waitFor,
} from './helpers/vigil-process';
import { pushTemperature } from './helpers/gpu-temperature';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

const RULES = `groups:
  - name: gpu
    interval: 1s
    rules:
      - alert: GpuTooHot
        expr: gpu_temperature_celsius > 85
        for: 1s
        labels:
          severity: critical
        annotations:
          summary: "GPU {{ $labels.gpu }} is at {{ $value }}C"
`;

/** Alertmanager API v2 `gettableAlert`, the parts checked. */
interface GettableAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
  readonly status: { readonly state: string };
}

/** Alertmanager's webhook payload, the parts checked. */
interface AmNotification {
  readonly status: string;
  readonly alerts: {
    status: string;
    labels: Record<string, string>;
    startsAt: string;
    endsAt: string;
  }[];
}

describe('alerts to a real Alertmanager (prometheus-alertmanager 0.25)', () => {
  let dir: string;
  let vigil: VigilProcess | undefined;
  let alertmanager: ManagedChild | undefined;
  let amUrl: string;
  let hook: Server;
  const notifications: AmNotification[] = [];

  beforeAll(async () => {
    if (!existsSync(ALERTMANAGER))
      throw new Error(
        `${ALERTMANAGER} is missing: apt-get install -y prometheus-alertmanager (.ci/run does)`,
      );
    dir = makeTmpDir('alertmanager');
    // Alertmanager's own receiver: a webhook here, so its resolved notification can be read.
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        notifications.push(JSON.parse(body) as AmNotification);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const hookPort = (hook.address() as AddressInfo).port;
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: hook',
        '  group_by: [alertname]',
        '  group_wait: 1s',
        '  group_interval: 1s',
        'receivers:',
        '  - name: hook',
        '    webhook_configs:',
        `      - url: http://127.0.0.1:${hookPort}/`,
        '        send_resolved: true',
      ].join('\n'),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}/am`;
    alertmanager = startChild(
      ALERTMANAGER,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.route-prefix=/am',
        // No cluster: a single instance needs no gossip port.
        '--cluster.listen-address=',
      ],
      {},
    );
    const am = alertmanager;
    await waitFor(
      'Alertmanager ready',
      async () => {
        if (am.child.exitCode !== null) throw new Error(`alertmanager exited: ${am.output()}`);
        return (await fetch(`${amUrl}/-/ready`)).status === 200 ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );
    writeFileSync(join(dir, 'gpu.rules.yml'), RULES);
    writeFileSync(
      join(dir, 'vigil.config.yaml'),
      [
        'rules:',
        '  - "*.rules.yml"',
        'evaluation:',
        '  interval: 1s',
        '  external_labels: {cluster: e2e}',
        '  external_url: http://vigil.test',
        'alerting:',
        '  alertmanagers:',
        `    - url: ${amUrl}`,
        '      timeout: 5s',
      ].join('\n'),
    );
    process.env.VIGIL_CONFIG = join(dir, 'vigil.config.yaml');
  }, 40_000);

  afterAll(async () => {
    await vigil?.stop();
    await alertmanager?.stop();
    delete process.env.VIGIL_CONFIG;
    await new Promise<void>((r) => hook.close(() => r()));
    removeDir(dir);
  });

  const alertsInAlertmanager = async (): Promise<GettableAlert[]> => {
    const res = await fetch(`${amUrl}/api/v2/alerts`);
    if (res.status !== 200) throw new Error(`GET alerts: ${res.status} ${await res.text()}`);
    return (await res.json()) as GettableAlert[];
  };

  it('shows the alert active in Alertmanager while firing, then resolved with endsAt in the past', async () => {
    // Prepare
    vigil = await startVigil({ dataDir: join(dir, 'data') });
    const v = vigil;
    try {
      // Act
      await pushTemperature(v, 92);
      const active = await waitFor(
        'the alert in Alertmanager',
        async () => (await alertsInAlertmanager())[0],
        { timeoutMs: 20_000 },
      );
      const seenActiveAt = Date.now();
      // Alertmanager notifies a resolution only to receivers it told about the firing alert.
      const firing = await waitFor(
        "Alertmanager's firing notification",
        async () => notifications.find((n) => n.status === 'firing'),
        { timeoutMs: 20_000 },
      );
      await pushTemperature(v, 60);
      const remaining = await waitFor(
        'the alert gone from Alertmanager',
        async () => ((await alertsInAlertmanager()).length === 0 ? [] : undefined),
        { timeoutMs: 20_000 },
      );
      const resolved = await waitFor(
        "Alertmanager's resolved notification",
        async () => notifications.find((n) => n.status === 'resolved'),
        { timeoutMs: 20_000 },
      );

      // Assess
      expect(active.labels).toEqual({
        alertname: 'GpuTooHot',
        cluster: 'e2e',
        gpu: '0',
        node: 'trainer-1',
        severity: 'critical',
      });
      expect(active.annotations).toEqual({ summary: 'GPU 0 is at 92C' });
      expect(active.status.state).toBe('active');
      expect(active.generatorURL).toBe(
        'http://vigil.test/graph?g0.expr=gpu_temperature_celsius+%3E+85&g0.tab=1',
      );
      // While firing, endsAt is the send time + 4 × max(resend delay 1m, interval 1s).
      const startsAt = Date.parse(active.startsAt);
      expect(Date.parse(active.endsAt) - startsAt).toBeGreaterThanOrEqual(4 * 60_000);
      expect(Date.parse(active.endsAt)).toBeGreaterThan(seenActiveAt + 3 * 60_000);
      expect(firing.alerts[0]?.labels).toEqual(active.labels);
      expect(remaining).toEqual([]);
      const [alert] = resolved.alerts;
      expect(alert?.status).toBe('resolved');
      expect(alert?.labels).toEqual(active.labels);
      expect(Date.parse(alert?.startsAt ?? '')).toBe(startsAt);
      expect(Date.parse(alert?.endsAt ?? '')).toBeGreaterThan(startsAt);
      expect(Date.parse(alert?.endsAt ?? '')).toBeLessThanOrEqual(Date.now());
    } catch (e) {
      throw new Error(
        `${(e as Error).message}\n--- vigil ---\n${v.output()}\n--- alertmanager ---\n${alertmanager?.output()}`,
      );
    }
  }, 90_000);
});
