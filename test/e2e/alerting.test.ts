/**
 * End to end: `npm start` with a rule file evaluated every second. A gauge crosses the threshold,
 * the alert goes pending then firing in `/api/v1/alerts`, a local webhook receiver gets the
 * Alertmanager payload (firing, then resolved once the gauge is back below). On each store: the
 * embedded one, and `store: amp` against a local stand-in workspace (helpers/stores.ts).
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { E2E_STORES, type E2eStoreSetup, setUpStore, workspaceTraffic } from './helpers/stores';
import {
  makeTmpDir,
  removeDir,
  startVigil,
  type VigilProcess,
  waitFor,
} from './helpers/vigil-process';
import { pushTemperature } from './helpers/gpu-temperature';

interface Captured {
  readonly status: string;
  readonly receiver: string;
  readonly alerts: { status: string; labels: Record<string, string> }[];
}

interface ApiAlert {
  readonly labels: Record<string, string>;
  readonly state: string;
  readonly value: string;
}

const RULES = `groups:
  - name: gpu
    interval: 1s
    rules:
      - alert: GpuTooHot
        expr: gpu_temperature_celsius > 85
        for: 2s
        labels:
          severity: critical
        annotations:
          summary: "GPU {{ $labels.gpu }} is at {{ $value }}C"
`;

const alertsOf = async (vigil: VigilProcess): Promise<ApiAlert[]> => {
  const res = await fetch(`${vigil.url}/api/v1/alerts`);
  const body = (await res.json()) as { status: string; data: { alerts: ApiAlert[] } };
  if (res.status !== 200) throw new Error(`alerts: ${res.status} ${JSON.stringify(body)}`);
  return body.data.alerts;
};

describe.each(E2E_STORES)('alerting with npm start (%s store)', (storeKind) => {
  let dir: string;
  let vigil: VigilProcess | undefined;
  let receiver: Server;
  let store: E2eStoreSetup | undefined;
  const captured: Captured[] = [];

  beforeAll(async () => {
    store = await setUpStore(storeKind);
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        if (req.url === '/hook') captured.push(JSON.parse(body) as Captured);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const port = (receiver.address() as AddressInfo).port;
    dir = makeTmpDir('alerting');
    writeFileSync(join(dir, 'gpu.rules.yml'), RULES);
    writeFileSync(
      join(dir, 'vigil.config.yaml'),
      [
        'rules:',
        '  - "*.rules.yml"',
        'evaluation:',
        '  interval: 1s',
        'alerting:',
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  webhook_urls:',
        `    - http://127.0.0.1:${port}/hook`,
        store.configYaml,
      ].join('\n'),
    );
    process.env.VIGIL_CONFIG = join(dir, 'vigil.config.yaml');
  }, 40_000);

  afterAll(async () => {
    await vigil?.stop();
    await store?.stop();
    delete process.env.VIGIL_CONFIG;
    await new Promise<void>((r) => receiver.close(() => r()));
    removeDir(dir);
  });

  it('goes pending, firing and resolved, in the API and in webhook notifications', async () => {
    // Prepare
    vigil = await startVigil({ dataDir: join(dir, 'data'), env: store?.env ?? {} });
    const v = vigil;

    // Act
    await pushTemperature(v, 92);
    const pending = await waitFor('a pending alert', async () =>
      (await alertsOf(v)).find((a) => a.state === 'pending'),
    );
    const firing = await waitFor('a firing alert', async () =>
      (await alertsOf(v)).find((a) => a.state === 'firing'),
    );
    const firingHook = await waitFor('a firing notification', async () =>
      captured.find((c) => c.status === 'firing'),
    );
    await pushTemperature(v, 60);
    const resolvedHook = await waitFor('a resolved notification', async () =>
      captured.find((c) => c.status === 'resolved'),
    );
    const afterResolve = await alertsOf(v);

    // Assess
    expect(pending.labels).toEqual({
      alertname: 'GpuTooHot',
      gpu: '0',
      node: 'trainer-1',
      severity: 'critical',
    });
    expect(firing.value).toBe('9.2e+01');
    expect(firingHook.receiver).toBe('vigil');
    expect(firingHook.alerts[0]?.labels).toEqual(pending.labels);
    expect(firingHook.alerts[0]?.status).toBe('firing');
    expect(resolvedHook.alerts[0]?.status).toBe('resolved');
    expect(afterResolve).toEqual([]);
    if (storeKind === 'amp') {
      // The samples went to the workspace and the rule was evaluated there, every request signed.
      expect(workspaceTraffic(store)).toMatchObject({ refused: 0 });
      expect(workspaceTraffic(store)?.writes).toBeGreaterThanOrEqual(2);
      expect(workspaceTraffic(store)?.reads).toBeGreaterThanOrEqual(3);
    }
  });
});
