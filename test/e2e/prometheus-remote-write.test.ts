/**
 * End to end: a real Prometheus (Debian's `prometheus` package, 2.42) scrapes itself every
 * second and remote-writes everything to `npm start`, authenticated with a Vigil API key in both
 * forms Prometheus can send: `authorization` (Bearer) and `basic_auth` (key as the password).
 * Debian's own service is never used: the binary runs as a child on free ports. On each store: the
 * embedded one, and `store: amp` against a local stand-in workspace (helpers/stores.ts).
 * @see https://prometheus.io/docs/prometheus/2.42/configuration/configuration/#remote_write
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_STORES, type E2eStoreSetup, setUpStore, workspaceTraffic } from './helpers/stores';
import {
  federate,
  federatedValue,
  freePort,
  instantQuery,
  type ManagedChild,
  makeTmpDir,
  removeDir,
  seriesOf,
  startChild,
  startVigil,
  type VigilProcess,
  waitFor,
} from './helpers/vigil-process';

const PROMETHEUS = '/usr/bin/prometheus';
const KEY = 'e2e-prometheus-key-0123456789';
/** Bounded waits: Prometheus's start-up, then its first remote-write batches. */
const READY_TIMEOUT_MS = 30_000;
const ARRIVAL_TIMEOUT_MS = 60_000;

/** Two remote_write queues to the same Vigil, told apart by a `via` label each one adds. */
const prometheusConfig = (selfTarget: string, vigilUrl: string): string => `
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['${selfTarget}']
remote_write:
  - name: vigil-bearer
    url: ${vigilUrl}/api/v1/write
    authorization:
      credentials: ${KEY}
    queue_config:
      batch_send_deadline: 1s
      max_samples_per_send: 2000
      min_backoff: 100ms
      max_backoff: 1s
    write_relabel_configs:
      - target_label: via
        replacement: bearer
  - name: vigil-basic-auth
    url: ${vigilUrl}/api/v1/write
    basic_auth:
      username: prometheus
      password: ${KEY}
    queue_config:
      batch_send_deadline: 1s
      max_samples_per_send: 2000
      min_backoff: 100ms
      max_backoff: 1s
    write_relabel_configs:
      - target_label: via
        replacement: basic_auth
`;

describe.each(E2E_STORES)(
  'Prometheus 2.42 remote_write against npm start (%s store)',
  (storeKind) => {
    let dataDir: string;
    let promDir: string;
    let vigil: VigilProcess;
    let prometheus: ManagedChild;
    let selfTarget: string;
    let store: E2eStoreSetup | undefined;

    beforeAll(async () => {
      if (!existsSync(PROMETHEUS))
        throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus (.ci/run does)`);
      dataDir = makeTmpDir('prometheus-vigil');
      promDir = makeTmpDir('prometheus');
      store = await setUpStore(storeKind);
      // The embedded store runs on the repository's example config; the workspace on its own lines.
      const vigilConfig = join(promDir, 'vigil.config.yaml');
      if (store.configYaml !== '') writeFileSync(vigilConfig, store.configYaml);
      vigil = await startVigil({
        dataDir,
        apiKeys: [KEY],
        env: { ...store.env, ...(store.configYaml !== '' ? { VIGIL_CONFIG: vigilConfig } : {}) },
      });
      selfTarget = `127.0.0.1:${await freePort()}`;
      const configFile = join(promDir, 'prometheus.yml');
      writeFileSync(configFile, prometheusConfig(selfTarget, vigil.url));
      prometheus = startChild(
        PROMETHEUS,
        [
          `--config.file=${configFile}`,
          `--storage.tsdb.path=${join(promDir, 'data')}`,
          `--web.listen-address=${selfTarget}`,
          '--log.level=warn',
        ],
        {},
      );
      await waitFor(
        `Prometheus ready on ${selfTarget}`,
        async () => {
          if (prometheus.child.exitCode !== null)
            throw new Error(`prometheus exited: ${prometheus.output()}`);
          return (await fetch(`http://${selfTarget}/-/ready`)).status === 200 ? true : undefined;
        },
        { timeoutMs: READY_TIMEOUT_MS },
      );
    }, READY_TIMEOUT_MS + 30_000);

    afterAll(async () => {
      await prometheus?.stop();
      await vigil?.stop();
      await store?.stop();
      removeDir(promDir);
      removeDir(dataDir);
    });

    it(
      "stores Prometheus's own series, sent by both remote_write queues",
      async () => {
        // Prepare
        const expected = (via: string) => ({
          __name__: 'up',
          instance: selfTarget,
          job: 'prometheus',
          via,
        });

        // Act
        const up = await waitFor(
          "Prometheus's up series in Vigil (both queues)",
          async () => {
            const found = await seriesOf(vigil, 'up{job="prometheus"}', KEY);
            return found.length >= 2 ? found : undefined;
          },
          { timeoutMs: ARRIVAL_TIMEOUT_MS, intervalMs: 500 },
        ).catch((e: Error) => {
          throw new Error(`${e.message}\n--- prometheus ---\n${prometheus.output()}`);
        });
        const buildInfo = await waitFor(
          'prometheus_build_info in Vigil',
          async () => {
            const found = await seriesOf(vigil, 'prometheus_build_info{via="bearer"}', KEY);
            return found.length > 0 ? found : undefined;
          },
          { timeoutMs: ARRIVAL_TIMEOUT_MS, intervalMs: 500 },
        );
        const latest = await federate(vigil, 'up{job="prometheus"}', KEY);

        // Assess
        expect(up).toEqual([expected('basic_auth'), expected('bearer')]);
        expect(buildInfo[0]).toMatchObject({
          job: 'prometheus',
          instance: selfTarget,
          version: expect.stringMatching(/^2\./),
        });
        expect(federatedValue(latest, 'up', 'via="bearer"')).toBe(1);
        expect(federatedValue(latest, 'up', 'via="basic_auth"')).toBe(1);
        if (storeKind === 'amp') {
          // Written to and read from the workspace, every request signed.
          expect(workspaceTraffic(store)).toMatchObject({ refused: 0 });
          expect(workspaceTraffic(store)?.writes).toBeGreaterThan(0);
          expect(workspaceTraffic(store)?.reads).toBeGreaterThan(0);
        }
      },
      2 * ARRIVAL_TIMEOUT_MS + 10_000,
    );

    it('answers PromQL over the remote-written series', async () => {
      // Prepare
      const expr = 'sum by (via) (up{job="prometheus"})';

      // Act
      const result = await instantQuery(vigil, expr, KEY);

      // Assess
      expect(result).toEqual([
        [{ via: 'basic_auth' }, 1],
        [{ via: 'bearer' }, 1],
      ]);
    });

    it('lists the label values Prometheus sent', async () => {
      // Prepare
      // Only Prometheus's series: the example config's drift monitors also push `job="vigil_drift"`.
      const url = `${vigil.url}/api/v1/label/job/values?match[]=${encodeURIComponent('{__name__=~"prometheus_.+"}')}`;

      // Act
      const res = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
      const body = (await res.json()) as { status: string; data: string[] };

      // Assess
      expect(res.status).toBe(200);
      expect(body).toEqual({ status: 'success', data: ['prometheus'] });
    });
  },
);
