/**
 * End to end: Python `prometheus_client` (Debian's python3-prometheus-client, run by
 * /usr/bin/python3) pushes the example metrics to `npm start`'s Pushgateway API.
 * @see https://github.com/prometheus/pushgateway#api
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
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
} from './helpers/vigil-process';

/** Debian's interpreter: a pyenv `python3` earlier on PATH would not see Debian's packages. */
const PYTHON = '/usr/bin/python3';
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

/** Runs the Python client once; returns its exit status and stderr. */
const python = (
  vigil: VigilProcess,
  action: 'push' | 'pushadd' | 'delete',
  opts: { onlyLoss?: boolean; loss?: number; apiKey?: string; job?: string } = {},
): { status: number | null; stderr: string } => {
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
  const run = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 15_000 });
  return { status: run.status, stderr: `${run.stderr}${run.error?.message ?? ''}` };
};

describe('prometheus_client (Python) against npm start', () => {
  describe('without API keys', () => {
    let dataDir: string;
    let vigil: VigilProcess;

    beforeAll(async () => {
      dataDir = makeTmpDir('python');
      vigil = await startVigil({ dataDir });
    });

    afterAll(async () => {
      await vigil?.stop();
      removeDir(dataDir);
    });

    it('push_to_gateway stores the example metrics under the decoded grouping key', async () => {
      // Prepare
      const pushed = python(vigil, 'push', { loss: 0.42 });

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
      python(vigil, 'push', { loss: 0.42 });

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

    it('pushadd_to_gateway replaces only the metrics it sends', async () => {
      // Prepare
      python(vigil, 'push', { loss: 0.42 });
      const before = federatedValue(await federate(vigil, GROUP), 'push_time_seconds') as number;

      // Act
      const pushed = python(vigil, 'pushadd', { onlyLoss: true, loss: 0.25 });
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
      python(vigil, 'push', { loss: 0.42 });

      // Act
      const pushed = python(vigil, 'push', { onlyLoss: true, loss: 0.125 });
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
      python(vigil, 'push', { loss: 0.42 });
      python(vigil, 'push', { loss: 0.5, job: 'rxvision-eval' });

      // Act
      const deleted = python(vigil, 'delete');
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
      const pushed = python(vigil, 'push', { loss, apiKey: KEY });
      const samples = await federate(vigil, GROUP, KEY);

      // Assess
      expect(pushed).toEqual({ status: 0, stderr: '' });
      expect(federatedValue(samples, 'training_loss')).toBe(loss);
    });

    it('refuses a push without a key (401) and with a wrong key (403)', () => {
      // Prepare
      const wrongKey = 'not-a-configured-key';

      // Act
      const without = python(vigil, 'push');
      const wrong = python(vigil, 'push', { apiKey: wrongKey });

      // Assess
      expect(without).toEqual({ status: 3, stderr: 'HTTP 401\n' });
      expect(wrong).toEqual({ status: 3, stderr: 'HTTP 403\n' });
    });
  });
});
