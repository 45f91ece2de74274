import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { startLocalVigil } from '../../../lambdas/local/start';

const STEP_MS = 15_000;
const HOUR_MS = 3_600_000;
const SERIES = 200;

type Vigil = Awaited<ReturnType<typeof startLocalVigil>>;

/** Sends `send` every 50 ms until stopped, one at a time; returns each latency in ms. */
const probe = (send: () => Promise<Response>) => {
  const latencies: number[] = [];
  const statuses: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      const res = await send();
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      statuses.push(res.status);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return { latencies, statuses };
    },
  };
};

describe('Local mode: queries in worker threads', () => {
  let dir: string;
  let vigil: Vigil;
  let base: string;
  const now = Math.floor(Date.now() / STEP_MS) * STEP_MS;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-isolation-'));
    vigil = await startLocalVigil({
      config: validateConfig({}).config,
      dataDir: dir,
      apiKeys: [],
      port: 0,
      host: '127.0.0.1',
    });
    base = `http://127.0.0.1:${vigil.port}`;
    // 200 series × 240 samples: one hour at 15 s.
    for (let from = now - HOUR_MS + STEP_MS; from <= now; from += 15 * 60_000) {
      const samples = [];
      for (let t = from; t < from + 15 * 60_000 && t <= now; t += STEP_MS)
        for (let i = 0; i < SERIES; i++)
          samples.push({
            name: 'card',
            labels: { i: String(i) },
            value: (i * t) % 101,
            timestamp: t,
          });
      const res = await fetch(`${base}/ingest/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(samples),
      });
      expect(res.status).toBe(200);
    }
  });

  afterAll(async () => {
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /health and ingestion within 1 s while a CPU-heavy query runs to its timeout', async () => {
    // Prepare: 200 series × 3,601 steps × a 240-sample quantile: seconds of work, stopped at 2 s.
    const health = probe(() => fetch(`${base}/health`));
    let n = 0;
    const ingest = probe(() =>
      fetch(`${base}/ingest/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ name: 'probe', value: n++ }]),
      }),
    );
    const params = new URLSearchParams({
      query: 'quantile_over_time(0.5, card[1h])',
      start: String((now - HOUR_MS) / 1000),
      end: String(now / 1000),
      step: '1',
      timeout: '2s',
    });
    const started = performance.now();

    // Act
    const res = await fetch(`${base}/api/v1/query_range?${params}`);
    const body = await res.json();
    const took = performance.now() - started;
    const h = await health.stop();
    const g = await ingest.stop();

    // Assess
    expect(res.status).toBe(503);
    expect(body).toMatchObject({ status: 'error', errorType: 'timeout' });
    expect(took).toBeLessThan(5000);
    expect(h.latencies.length).toBeGreaterThan(10);
    expect(Math.max(...h.latencies)).toBeLessThan(1000);
    expect(Math.max(...g.latencies)).toBeLessThan(1000);
    expect(new Set([...h.statuses, ...g.statuses])).toEqual(new Set([200]));
  });

  it('refuses a subquery of more steps than the sample limit at once, with 422', async () => {
    // Prepare
    const params = new URLSearchParams({
      query: 'max_over_time(card[1d:1ms])',
      time: String(now / 1000),
    });
    const started = performance.now();

    // Act
    const res = await fetch(`${base}/api/v1/query?${params}`);
    const body = await res.json();

    // Assess
    expect(res.status).toBe(422);
    expect(body).toEqual({
      status: 'error',
      errorType: 'execution',
      error: 'query processing would load too many samples into memory in query execution',
    });
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
