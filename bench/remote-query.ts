/**
 * Remote query overhead: what `PrometheusApiQueryEngine` adds to a query pushed down to a
 * Prometheus API (AMP in production; here Debian's Prometheus 2.42 on this machine, loaded with
 * fixed data), compared with the same HTTP request sent directly. The engine's share is building
 * the form, reading the JSON answer into Vigil's values and mapping errors; the round trip and
 * Prometheus's evaluation are common to both. Runs alternate (direct, engine) so drift in load
 * hits both alike.
 *
 * Run alone: `npx tsx bench/remote-query.ts`.
 */
import { performance } from 'node:perf_hooks';
import { PrometheusApiQueryEngine } from '../lambdas/adapters/query/prometheus-api-query-engine';
import type { EngineQueryResult } from '../lambdas/domain/query/query-engine';
import type { Series } from '../lambdas/domain/series/sample';
import { startLoadedPrometheus } from '../test/e2e/helpers/loaded-prometheus';
import { fmtMs, median, table } from './lib';

const T0 = Date.UTC(2023, 10, 14);
const STEP_MS = 15_000;
const POINTS = 2 * 240 + 1; // 2 h
const SERIES = 100;
const RUNS = 200;
const WARMUP = 20;

const data: Series[] = Array.from({ length: SERIES }, (_, s) => ({
  labels: {
    __name__: 'http_requests_total',
    job: `job${s % 5}`,
    instance: `10.0.0.${s}:9100`,
    code: s % 7 === 0 ? '500' : '200',
  },
  samples: Array.from({ length: POINTS }, (_, i) => ({ t: T0 + i * STEP_MS, v: i * (s + 1) })),
}));

interface Case {
  readonly name: string;
  readonly path: string;
  readonly form: Record<string, string>;
  readonly viaEngine: (engine: PrometheusApiQueryEngine) => Promise<EngineQueryResult>;
}

const AT = T0 + 90 * 60_000 + 7_000;
const RANGE = { startMs: T0 + 60 * 60_000, endMs: T0 + 120 * 60_000, stepMs: 30_000 };
const secs = (ms: number) => String(ms / 1000);

const CASES: Case[] = [
  {
    name: 'instant, 5 series: sum by (job) (rate(...[5m]))',
    path: '/api/v1/query',
    form: { query: 'sum by (job) (rate(http_requests_total[5m]))', time: secs(AT) },
    viaEngine: (e) =>
      e.instantQuery({ query: 'sum by (job) (rate(http_requests_total[5m]))', timeMs: AT }),
  },
  {
    name: 'instant, 100 series: http_requests_total',
    path: '/api/v1/query',
    form: { query: 'http_requests_total', time: secs(AT) },
    viaEngine: (e) => e.instantQuery({ query: 'http_requests_total', timeMs: AT }),
  },
  {
    name: 'range, 100 series x 121 points: rate(...[5m])',
    path: '/api/v1/query_range',
    form: {
      query: 'rate(http_requests_total[5m])',
      start: secs(RANGE.startMs),
      end: secs(RANGE.endMs),
      step: secs(RANGE.stepMs),
    },
    viaEngine: (e) => e.rangeQuery({ query: 'rate(http_requests_total[5m])', ...RANGE }),
  },
];

const main = async () => {
  const prometheus = await startLoadedPrometheus(data);
  try {
    const engine = new PrometheusApiQueryEngine({
      baseUrl: prometheus.url,
      fetch: (u, i) => fetch(u, i),
    });
    const direct = async (c: Case) => {
      const res = await fetch(`${prometheus.url}${c.path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(c.form).toString(),
      });
      return res.text();
    };
    const rows: string[][] = [
      [
        'query',
        'direct',
        'engine, body as received (query API)',
        'overhead',
        'engine, values read (rules, drift)',
        'overhead',
        'body',
      ],
    ];
    for (const c of CASES) {
      for (let i = 0; i < WARMUP; i++) {
        await direct(c);
        await c.viaEngine(engine);
      }
      const d: number[] = [];
      const raw: number[] = [];
      const parsed: number[] = [];
      let bytes = 0;
      for (let i = 0; i < RUNS; i++) {
        let t = performance.now();
        bytes = (await direct(c)).length;
        const dt = performance.now() - t;
        t = performance.now();
        await c.viaEngine(engine);
        const rt = performance.now() - t;
        t = performance.now();
        const r = await c.viaEngine(engine);
        if (r.value.type === 'string') throw new Error('unexpected string result');
        const pt = performance.now() - t;
        d.push(dt);
        raw.push(rt);
        parsed.push(pt);
      }
      const md = median(d);
      rows.push([
        c.name,
        fmtMs(md),
        fmtMs(median(raw)),
        fmtMs(median(raw) - md),
        fmtMs(median(parsed)),
        fmtMs(median(parsed) - md),
        `${(bytes / 1024).toFixed(1)} KiB`,
      ]);
    }
    console.log(
      `Remote query overhead of PrometheusApiQueryEngine: medians of ${RUNS} alternating runs, local Prometheus 2.42; overhead = engine − direct`,
    );
    console.log(table(rows));
  } finally {
    await prometheus.stop();
  }
};

await main();
