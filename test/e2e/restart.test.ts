/**
 * End to end: what `npm start` acknowledged survives a restart on the same data directory,
 * after a clean stop (SIGTERM) and after a crash (SIGKILL: a 2xx means durably stored).
 */
import { Gauge, Pushgateway, Registry } from 'prom-client';
import {
  federate,
  federatedValue,
  makeTmpDir,
  removeDir,
  seriesOf,
  startVigil,
  type VigilProcess,
} from './helpers/vigil-process';

const postJson = async (vigil: VigilProcess, body: unknown): Promise<number> => {
  const res = await fetch(`${vigil.url}/ingest/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
};

const pushLoss = async (
  vigil: VigilProcess,
  method: 'push' | 'pushAdd',
  instance: string,
  metrics: Record<string, number>,
): Promise<void> => {
  const registry = new Registry();
  for (const [name, value] of Object.entries(metrics))
    new Gauge({ name, help: name, registers: [registry] }).set(value);
  await new Pushgateway(vigil.url, { timeout: 10_000 }, registry)[method]({
    jobName: 'trainer',
    groupings: { instance },
  });
};

describe('npm start restarted on the same data directory', () => {
  let dataDir: string;
  let vigil: VigilProcess | undefined;

  beforeEach(() => {
    dataDir = makeTmpDir('restart');
  });

  afterEach(async () => {
    await vigil?.stop();
    vigil = undefined;
    removeDir(dataDir);
  });

  it('keeps samples and push groups after a clean stop', async () => {
    // Prepare
    const now = Date.now();
    vigil = await startVigil({ dataDir });
    const jsonStatus = await postJson(vigil, {
      samples: [
        {
          name: 'ml_model_accuracy',
          labels: { model_version: 'v3' },
          value: 0.93,
          timestamp: now - 20_000,
        },
        {
          name: 'ml_model_accuracy',
          labels: { model_version: 'v3' },
          value: 0.94,
          timestamp: now - 10_000,
        },
      ],
    });
    await pushLoss(vigil, 'push', 'node-a', { training_loss: 0.42, training_accuracy: 0.8 });
    await pushLoss(vigil, 'push', 'node-b', { training_loss: 0.9 });
    await new Pushgateway(vigil.url, { timeout: 10_000 }, new Registry()).delete({
      jobName: 'trainer',
      groupings: { instance: 'node-b' },
    });
    await vigil.stop('SIGTERM');

    // Act
    vigil = await startVigil({ dataDir });
    const accuracy = await seriesOf(vigil, 'ml_model_accuracy');
    const latest = await federate(vigil, '{__name__=~"ml_model_accuracy|training_.*"}');
    await pushLoss(vigil, 'pushAdd', 'node-a', { training_loss: 0.3 });
    const afterPushAdd = await federate(vigil, '{job="trainer"}');

    // Assess
    expect(jsonStatus).toBeLessThan(300);
    expect(accuracy).toEqual([{ __name__: 'ml_model_accuracy', model_version: 'v3' }]);
    expect(federatedValue(latest, 'ml_model_accuracy')).toBe(0.94);
    expect(federatedValue(latest, 'training_loss', 'instance="node-a"')).toBe(0.42);
    expect(federatedValue(latest, 'training_loss', 'instance="node-b"')).toBeUndefined();
    expect(federatedValue(afterPushAdd, 'training_loss', 'instance="node-a"')).toBe(0.3);
    expect(federatedValue(afterPushAdd, 'training_accuracy', 'instance="node-a"')).toBe(0.8);
    expect(federatedValue(afterPushAdd, 'push_time_seconds', 'instance="node-a"')).toBeGreaterThan(
      1_700_000_000,
    );
  });

  it('keeps every acknowledged sample after a crash (SIGKILL)', async () => {
    // Prepare
    const now = Date.now();
    vigil = await startVigil({ dataDir });
    const samples = Array.from({ length: 50 }, (_, i) => ({
      name: 'gpu_memory_used_bytes',
      labels: { device: `gpu${i % 4}` },
      value: 1_000_000 * i,
      timestamp: now - 50_000 + i * 1000,
    }));
    const status = await postJson(vigil, samples);
    await vigil.stop('SIGKILL');

    // Act
    vigil = await startVigil({ dataDir });
    const series = await seriesOf(vigil, 'gpu_memory_used_bytes');
    const latest = await federate(vigil, 'gpu_memory_used_bytes');

    // Assess
    expect(status).toBeLessThan(300);
    expect(series.map((l) => l.device)).toEqual(['gpu0', 'gpu1', 'gpu2', 'gpu3']);
    expect(latest.map((s) => [s.labels, s.value])).toEqual([
      ['{device="gpu0"}', 48_000_000],
      ['{device="gpu1"}', 49_000_000],
      ['{device="gpu2"}', 46_000_000],
      ['{device="gpu3"}', 47_000_000],
    ]);
  });
});
