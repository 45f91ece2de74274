/**
 * End to end: prom-client's `Pushgateway` (npm) pushes the example metrics to `npm start`.
 * prom-client URL-encodes grouping values (`/` becomes `%2F`) instead of using `@base64`.
 * @see https://github.com/siimon/prom-client#pushgateway
 */
import { Counter, Gauge, Histogram, Pushgateway, Registry, Summary } from 'prom-client';
import {
  federate,
  federatedValue,
  makeTmpDir,
  metricNamesOf,
  removeDir,
  seriesOf,
  startVigil,
  type VigilProcess,
} from './helpers/vigil-process';

const JOB = 'rxvision-serving';
const GROUPINGS = { instance: 'inference/pod-7', model: 'resnet50' };
const GROUP = `{job="${JOB}",instance="inference/pod-7",model="resnet50"}`;

/** The metrics of the rxvision and robo-rlhf example services, with fixed observations. */
const exampleRegistry = (loss: number, onlyLoss = false): Registry => {
  const registry = new Registry();
  new Gauge({ name: 'training_loss', help: 'Current training loss', registers: [registry] }).set(
    loss,
  );
  if (onlyLoss) return registry;
  const predictions = new Counter({
    name: 'model_predictions_total',
    help: 'Total number of predictions',
    labelNames: ['model_version', 'result'] as const,
    registers: [registry],
  });
  predictions.inc({ model_version: 'v1.2.0', result: 'success' }, 42);
  predictions.inc({ model_version: 'v1.2.0', result: 'error' }, 1);
  const batch = new Histogram({
    name: 'batch_size_distribution',
    help: 'Distribution of batch sizes',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  for (const size of [1, 3, 8, 8, 20, 64, 100]) batch.observe(size);
  const latency = new Summary({
    name: 'model_inference_latency_seconds',
    help: 'Model inference latency',
    labelNames: ['model_version'] as const,
    registers: [registry],
  });
  latency.observe({ model_version: 'v1.2.0' }, 0.05);
  latency.observe({ model_version: 'v1.2.0' }, 0.15);
  return registry;
};

const gateway = (vigil: VigilProcess, registry: Registry, options: object = {}) =>
  new Pushgateway(vigil.url, { timeout: 10_000, ...options }, registry);

describe('prom-client Pushgateway against npm start', () => {
  let dataDir: string;
  let vigil: VigilProcess;

  beforeAll(async () => {
    dataDir = makeTmpDir('prom-client');
    vigil = await startVigil({ dataDir });
  });

  afterAll(async () => {
    await vigil?.stop();
    removeDir(dataDir);
  });

  it('push stores every example metric under the URL-decoded grouping key', async () => {
    // Prepare
    const pg = gateway(vigil, exampleRegistry(0.42));

    // Act
    const { resp } = await pg.push({ jobName: JOB, groupings: GROUPINGS });
    const names = await metricNamesOf(vigil, GROUP);
    const loss = await seriesOf(vigil, `training_loss${GROUP}`);
    const samples = await federate(vigil, GROUP);

    // Assess
    expect((resp as { statusCode: number }).statusCode).toBe(200);
    expect(names).toEqual([
      'batch_size_distribution_bucket',
      'batch_size_distribution_count',
      'batch_size_distribution_sum',
      'model_inference_latency_seconds',
      'model_inference_latency_seconds_count',
      'model_inference_latency_seconds_sum',
      'model_predictions_total',
      'push_failure_time_seconds',
      'push_time_seconds',
      'training_loss',
    ]);
    expect(loss).toEqual([
      { __name__: 'training_loss', instance: 'inference/pod-7', job: JOB, model: 'resnet50' },
    ]);
    expect(federatedValue(samples, 'model_predictions_total', 'result="success"')).toBe(42);
    expect(federatedValue(samples, 'batch_size_distribution_bucket', 'le="+Inf"')).toBe(7);
    expect(federatedValue(samples, 'batch_size_distribution_bucket', 'le="8"')).toBe(4);
    expect(federatedValue(samples, 'model_inference_latency_seconds_count')).toBe(2);
    expect(federatedValue(samples, 'push_time_seconds')).toBeGreaterThan(1_700_000_000);
  });

  it('pushAdd (gzip-encoded) replaces only the metrics it sends', async () => {
    // Prepare
    await gateway(vigil, exampleRegistry(0.42)).push({ jobName: JOB, groupings: GROUPINGS });
    const pg = gateway(vigil, exampleRegistry(0.25, true), {
      headers: { 'Content-Encoding': 'gzip' },
    });

    // Act
    await pg.pushAdd({ jobName: JOB, groupings: GROUPINGS });
    const samples = await federate(vigil, GROUP);

    // Assess
    expect(federatedValue(samples, 'training_loss')).toBe(0.25);
    expect(federatedValue(samples, 'model_predictions_total', 'result="error"')).toBe(1);
    expect(federatedValue(samples, 'batch_size_distribution_count')).toBe(7);
  });

  it('push replaces the whole group', async () => {
    // Prepare
    await gateway(vigil, exampleRegistry(0.42)).push({ jobName: JOB, groupings: GROUPINGS });

    // Act
    await gateway(vigil, exampleRegistry(0.125, true)).push({ jobName: JOB, groupings: GROUPINGS });
    const samples = await federate(vigil, GROUP);

    // Assess
    expect([...new Set(samples.map((s) => s.name))].sort()).toEqual([
      'push_failure_time_seconds',
      'push_time_seconds',
      'training_loss',
    ]);
    expect(federatedValue(samples, 'training_loss')).toBe(0.125);
  });

  it('delete removes the group and only that group', async () => {
    // Prepare
    await gateway(vigil, exampleRegistry(0.42)).push({ jobName: JOB, groupings: GROUPINGS });
    const otherGroup = { ...GROUPINGS, instance: 'inference/pod-8' };
    await gateway(vigil, exampleRegistry(0.5)).push({ jobName: JOB, groupings: otherGroup });

    // Act
    const { resp } = await gateway(vigil, new Registry()).delete({
      jobName: JOB,
      groupings: GROUPINGS,
    });
    const gone = await federate(vigil, GROUP);
    const other = await federate(vigil, `{job="${JOB}",instance="inference/pod-8"}`);

    // Assess
    expect((resp as { statusCode: number }).statusCode).toBe(202);
    expect(gone).toEqual([]);
    expect(federatedValue(other, 'training_loss')).toBe(0.5);
  });
});
