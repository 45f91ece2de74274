/**
 * End to end: Python `prometheus_client` (Debian's python3-prometheus-client, run by
 * /usr/bin/python3) pushes the example metrics to `npm start`'s Pushgateway API. Without API keys, on
 * each store: the embedded one, and `store: amp` against a local stand-in workspace
 * (helpers/stores.ts), where pushed series are re-emitted every scrape interval.
 * @see https://github.com/prometheus/pushgateway#api
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { E2E_STORES, type E2eStoreSetup, setUpStore, workspaceTraffic } from './helpers/stores';
import {
  federate,
  federatedValue,
  instantQuery,
  makeTmpDir,
  metricNamesOf,
  REPO_ROOT,
  removeDir,
  seriesOf,
  startVigil,
  type VigilProcess,
  waitFor,
} from './helpers/vigil-process';

/** Debian's interpreter: a pyenv `python3` earlier on PATH would not see Debian's packages. */
const PYTHON = '/usr/bin/python3';
const execFileAsync = promisify(execFile);
const CLIENT = join(REPO_ROOT, 'test', 'e2e', 'clients', 'pushgateway_client.py');

const JOB = 'rxvision-training';
/** `instance` contains `/`, so prometheus_client sends it as `instance@base64/Z3B1LW5vZGUvMA==`. */
const GROUPING = ['instance=gpu-node/0', 'model=resnet50'];
const GROUP = `{job="${JOB}",instance="gpu-node/0",model="resnet50"}`;

const EXAMPLE_METRICS = [
  'batch_size_distribution_bucket',
  'batch_size_distribution_count',
  'batch_size_distribution_created',
  'batch_size_distribution_sum',
  'model_inference_latency_seconds_count',
  'model_inference_latency_seconds_created',
  'model_inference_latency_seconds_sum',
  'model_predictions_created',
  'model_predictions_total',
  'push_failure_time_seconds',
  'push_time_seconds',
  'training_loss',
];

/**
 * Runs the Python client once; returns its exit status and stderr. Asynchronously: with
 * `store: amp` the workspace's SigV4 proxy runs in this process and must go on answering.
 */
const python = async (
  vigil: VigilProcess,
  action: 'push' | 'pushadd' | 'delete',
  opts: { onlyLoss?: boolean; loss?: number; apiKey?: string; job?: string } = {},
): Promise<{ status: number | null; stderr: string }> => {
  const args = [
    CLIENT,
    vigil.url,
    action,
    opts.job ?? JOB,
    ...GROUPING.flatMap((k) => ['--key', k]),
  ];
  if (opts.onlyLoss) args.push('--only-loss');
  if (opts.loss !== undefined) args.push('--loss', String(opts.loss));
  if (opts.apiKey !== undefined) args.push('--api-key', opts.apiKey);
  const run = await execFileAsync(PYTHON, args, { encoding: 'utf8', timeout: 15_000 }).then(
    ({ stderr }) => ({ status: 0, stderr }),
    (e: { code?: number | string; stderr?: string; message: string }) => ({
      status: typeof e.code === 'number' ? e.code : null,
      stderr: e.stderr ?? e.message,
    }),
  );
  return run;
};

describe('prometheus_client (Python) against npm start', () => {
  describe.each(E2E_STORES)('without API keys (%s store)', (storeKind) => {
    let dataDir: string;
    let vigil: VigilProcess;
    let store: E2eStoreSetup | undefined;

    beforeAll(async () => {
      dataDir = makeTmpDir('python');
      store = await setUpStore(storeKind);
      // A Pushgateway scraped every second, so a few seconds show the re-scrapes.
      const config = join(dataDir, 'vigil.config.yaml');
      writeFileSync(config, `pushgateway:\n  scrapeIntervalSeconds: 1\n${store.configYaml}`);
      vigil = await startVigil({
        dataDir: join(dataDir, 'data'),
        env: { ...store.env, VIGIL_CONFIG: config },
      });
    }, 40_000);

    afterAll(async () => {
      await vigil?.stop();
      await store?.stop();
      removeDir(dataDir);
    });

    it('push_to_gateway stores the example metrics under the decoded grouping key', async () => {
      // Prepare
      const pushed = await python(vigil, 'push', { loss: 0.42 });

      // Act
      const names = await metricNamesOf(vigil, GROUP);
      const series = await seriesOf(vigil, `training_loss${GROUP}`);
      const buckets = await seriesOf(vigil, `batch_size_distribution_bucket${GROUP}`);
      const samples = await federate(vigil, GROUP);

      // Assess
      expect(pushed).toEqual({ status: 0, stderr: '' });
      expect(names).toEqual(EXAMPLE_METRICS);
      expect(series).toEqual([
        { __name__: 'training_loss', instance: 'gpu-node/0', job: JOB, model: 'resnet50' },
      ]);
      expect(buckets).toHaveLength(8);
      expect(federatedValue(samples, 'training_loss')).toBe(0.42);
      expect(federatedValue(samples, 'model_predictions_total', 'result="success"')).toBe(42);
      expect(federatedValue(samples, 'model_predictions_total', 'result="error"')).toBe(1);
      expect(federatedValue(samples, 'batch_size_distribution_count')).toBe(7);
      expect(federatedValue(samples, 'batch_size_distribution_bucket', 'le="+Inf"')).toBe(7);
      expect(federatedValue(samples, 'model_inference_latency_seconds_count')).toBe(2);
      expect(federatedValue(samples, 'push_time_seconds')).toBeGreaterThan(1_700_000_000);
      expect(federatedValue(samples, 'push_failure_time_seconds')).toBe(0);
    });

    it('keeps pushed values visible to PromQL queries', async () => {
      // Prepare
      await python(vigil, 'push', { loss: 0.42 });

      // Act
      const byResult = await instantQuery(
        vigil,
        `sum by (result) (model_predictions_total{job="${JOB}"})`,
      );
      const mean = await instantQuery(
        vigil,
        `batch_size_distribution_sum{job="${JOB}"} / batch_size_distribution_count{job="${JOB}"}`,
      );

      // Assess
      expect(byResult).toEqual([
        [{ result: 'error' }, 1],
        [{ result: 'success' }, 42],
      ]);
      expect(mean.map(([, v]) => v)).toEqual([204 / 7]);
    });

    it('records a pushed value at every scrape interval after the push, as a scraped Pushgateway', async () => {
      // Prepare
      await python(vigil, 'push', { loss: 0.42, job: 'rxvision-rescrape' });

      // Act
      const samples = await waitFor(
        'three scrapes of the pushed value',
        async () => {
          const [first] = await instantQuery(
            vigil,
            'count_over_time(training_loss{job="rxvision-rescrape"}[1m])',
          );
          return first !== undefined && first[1] >= 3 ? first : undefined;
        },
        { timeoutMs: 15_000 },
      );
      const values = await instantQuery(
        vigil,
        'max_over_time(training_loss{job="rxvision-rescrape"}[1m]) - min_over_time(training_loss{job="rxvision-rescrape"}[1m])',
      );

      // Assess
      expect(samples[0]).toEqual({
        instance: 'gpu-node/0',
        job: 'rxvision-rescrape',
        model: 'resnet50',
      });
      expect(values.map(([, v]) => v)).toEqual([0]);
      if (storeKind === 'amp') {
        // Re-emitted into the workspace, every request signed.
        expect(workspaceTraffic(store)).toMatchObject({ refused: 0 });
        expect(workspaceTraffic(store)?.writes).toBeGreaterThanOrEqual(3);
      }
    });

    it('pushadd_to_gateway replaces only the metrics it sends', async () => {
      // Prepare
      await python(vigil, 'push', { loss: 0.42 });
      const before = federatedValue(await federate(vigil, GROUP), 'push_time_seconds') as number;

      // Act
      const pushed = await python(vigil, 'pushadd', { onlyLoss: true, loss: 0.25 });
      const samples = await federate(vigil, GROUP);

      // Assess
      expect(pushed).toEqual({ status: 0, stderr: '' });
      expect(federatedValue(samples, 'training_loss')).toBe(0.25);
      expect(federatedValue(samples, 'model_predictions_total', 'result="success"')).toBe(42);
      expect(federatedValue(samples, 'batch_size_distribution_count')).toBe(7);
      expect(federatedValue(samples, 'push_time_seconds')).toBeGreaterThanOrEqual(before);
    });

    it('push_to_gateway replaces the whole group', async () => {
      // Prepare
      await python(vigil, 'push', { loss: 0.42 });

      // Act
      const pushed = await python(vigil, 'push', { onlyLoss: true, loss: 0.125 });
      const samples = await federate(vigil, GROUP);

      // Assess
      expect(pushed).toEqual({ status: 0, stderr: '' });
      expect([...new Set(samples.map((s) => s.name))].sort()).toEqual([
        'push_failure_time_seconds',
        'push_time_seconds',
        'training_loss',
      ]);
      expect(federatedValue(samples, 'training_loss')).toBe(0.125);
    });

    it('delete_from_gateway removes the group and leaves other groups alone', async () => {
      // Prepare
      await python(vigil, 'push', { loss: 0.42 });
      await python(vigil, 'push', { loss: 0.5, job: 'rxvision-eval' });

      // Act
      const deleted = await python(vigil, 'delete');
      const gone = await federate(vigil, GROUP);
      const other = await federate(vigil, '{job="rxvision-eval"}');

      // Assess
      expect(deleted).toEqual({ status: 0, stderr: '' });
      expect(gone).toEqual([]);
      expect(federatedValue(other, 'training_loss')).toBe(0.5);
      expect(federatedValue(other, 'push_time_seconds')).toBeGreaterThan(1_700_000_000);
    });
  });

  describe('with VIGIL_API_KEYS set', () => {
    const KEY = 'e2e-python-key-0123456789';
    let dataDir: string;
    let vigil: VigilProcess;

    beforeAll(async () => {
      dataDir = makeTmpDir('python-auth');
      vigil = await startVigil({ dataDir, apiKeys: ['another-key', KEY] });
    });

    afterAll(async () => {
      await vigil?.stop();
      removeDir(dataDir);
    });

    it('accepts the key as the basic_auth_handler password', async () => {
      // Prepare
      const loss = 0.75;

      // Act
      const pushed = await python(vigil, 'push', { loss, apiKey: KEY });
      const samples = await federate(vigil, GROUP, KEY);

      // Assess
      expect(pushed).toEqual({ status: 0, stderr: '' });
      expect(federatedValue(samples, 'training_loss')).toBe(loss);
    });

    it('refuses a push without a key (401) and with a wrong key (403)', async () => {
      // Prepare
      const wrongKey = 'not-a-configured-key';

      // Act
      const without = await python(vigil, 'push');
      const wrong = await python(vigil, 'push', { apiKey: wrongKey });

      // Assess
      expect(without).toEqual({ status: 3, stderr: 'HTTP 401\n' });
      expect(wrong).toEqual({ status: 3, stderr: 'HTTP 403\n' });
    });
  });
});
