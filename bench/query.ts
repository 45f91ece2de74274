/**
 * Query benchmark: PromQL instant and range query times on Vigil's local
 * embedded store (`EmbeddedSeriesStore` in a temp dir) for 1,000 counter series plus a classic
 * histogram of 10 buckets × 100 series, 24 h at 15 s, side by side with Prometheus 2.42
 * (Debian's `prometheus`) holding the same data, backfilled with `promtool tsdb
 * create-blocks-from openmetrics`. Results of both are compared numerically.
 *
 * Run alone: `npx tsx bench/query.ts`.
 */
import { execFile, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { EmbeddedSeriesStore } from '../lambdas/adapters/storage/embedded-series-store';
import { evaluateInstant, evaluateRange, type QueryValue } from '../lambdas/domain/promql';
import type { Labels } from '../lambdas/domain/series/labels';
import type { Sample } from '../lambdas/domain/series/sample';
import {
  fmt,
  fmtMs,
  freePort,
  localServerArgs,
  median,
  type RepeatOptions,
  ROOT,
  table,
  timeRuns,
  waitFor,
} from './lib';

const execFileP = promisify(execFile);

const STEP_MS = 15_000;
const DAY_MS = 24 * 3600 * 1000;
const SAMPLES_PER_SERIES = DAY_MS / STEP_MS;
const JOBS = ['inference-api', 'batch-scorer', 'feature-store', 'gateway', 'trainer'] as const;
/** 20 gives the issue's data set; lower only to debug the benchmark itself. */
const INSTANCES_PER_JOB = Number(process.env.VIGIL_BENCH_INSTANCES ?? 20);
const STATUSES = ['200', '201', '204', '301', '400', '401', '404', '429', '500', '503'] as const;
const STATUS_WEIGHT = [60, 4, 3, 1, 2, 1, 2, 0.5, 0.8, 0.3] as const;
/** Cumulative share of observations at or below each bucket bound. */
const BUCKETS = [
  ['0.005', 0.04],
  ['0.01', 0.11],
  ['0.025', 0.27],
  ['0.05', 0.46],
  ['0.1', 0.66],
  ['0.25', 0.83],
  ['0.5', 0.92],
  ['1', 0.97],
  ['2.5', 0.995],
  ['+Inf', 1],
] as const;
const COUNTER = 'http_requests_total';
const HISTOGRAM = 'http_request_duration_seconds';

/** The queries timed, each as instant at the end of the data and as range queries. */
const QUERIES = [
  `rate(${COUNTER}[5m])`,
  `sum by (job) (rate(${COUNTER}[5m]))`,
  `histogram_quantile(0.9, sum by (le) (rate(${HISTOGRAM}_bucket[5m])))`,
] as const;
const RANGES = [
  { label: '1h', ms: 3600 * 1000, stepMs: 60_000 },
  { label: '6h', ms: 6 * 3600 * 1000, stepMs: 60_000 },
] as const;

/** Deterministic PRNG (mulberry32), so both systems get the very same data every run. */
const prng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

interface DataSeries {
  readonly labels: Labels;
  readonly samples: Sample[];
}

/**
 * Builds the data set, one series at a time: 1,000 `http_requests_total{job,instance,status}`
 * counters (one in 97 resets once, mid-day) and `http_request_duration_seconds_bucket{job,
 * instance,le}` for 100 instances × 10 buckets. Integer values, so both systems store them exactly.
 */
function* dataSet(endMs: number): Generator<DataSeries> {
  const startMs = endMs - (SAMPLES_PER_SERIES - 1) * STEP_MS;
  let index = 0;
  for (const job of JOBS) {
    for (let i = 0; i < INSTANCES_PER_JOB; i++) {
      const instance = `10.0.${JOBS.indexOf(job)}.${10 + i}:8000`;
      for (let s = 0; s < STATUSES.length; s++) {
        const rand = prng(++index);
        const perScrape = (STATUS_WEIGHT[s] as number) * (1 + (i % 5) / 4);
        const samples: Sample[] = new Array(SAMPLES_PER_SERIES);
        let v = Math.floor(rand() * 1000);
        for (let k = 0; k < SAMPLES_PER_SERIES; k++) {
          if (index % 97 === 0 && k === SAMPLES_PER_SERIES / 2) v = 0;
          v += Math.round(perScrape * (0.5 + rand()));
          samples[k] = { t: startMs + k * STEP_MS, v };
        }
        yield {
          labels: { __name__: COUNTER, job, instance, status: STATUSES[s] as string },
          samples,
        };
      }
      const rand = prng(100_000 + ++index);
      const cumulative = BUCKETS.map(() => 0);
      const bucketSamples: Sample[][] = BUCKETS.map(() => new Array(SAMPLES_PER_SERIES));
      for (let k = 0; k < SAMPLES_PER_SERIES; k++) {
        const observations = 20 + Math.floor(rand() * 40);
        const shift = (rand() - 0.5) * 0.04;
        let below = 0;
        BUCKETS.forEach(([, share], b) => {
          const le = b === BUCKETS.length - 1 ? 1 : Math.min(1, Math.max(0, share + shift));
          below = Math.max(below, Math.round(observations * le));
          cumulative[b] = (cumulative[b] as number) + below;
          (bucketSamples[b] as Sample[])[k] = {
            t: startMs + k * STEP_MS,
            v: cumulative[b] as number,
          };
        });
      }
      for (let b = 0; b < BUCKETS.length; b++) {
        yield {
          labels: {
            __name__: `${HISTOGRAM}_bucket`,
            job,
            instance,
            le: (BUCKETS[b] as readonly [string, number])[0],
          },
          samples: bucketSamples[b] as Sample[],
        };
      }
    }
  }
}

/** Writes the data set as OpenMetrics text (what `promtool tsdb create-blocks-from` reads). */
const writeOpenMetrics = (file: string, endMs: number): number => {
  const fd = openSync(file, 'w');
  let chunk: string[] = [];
  let lines = 0;
  const flush = (): void => {
    if (chunk.length > 0) writeSync(fd, chunk.join(''));
    chunk = [];
  };
  const byFamily: { counter: DataSeries[]; histogram: DataSeries[] } = {
    counter: [],
    histogram: [],
  };
  // OpenMetrics wants each family's samples together: counters first, then the histogram.
  for (const s of dataSet(endMs)) {
    (s.labels.__name__ === COUNTER ? byFamily.counter : byFamily.histogram).push(s);
  }
  const emit = (series: DataSeries[]): void => {
    for (const s of series) {
      const { __name__: name, ...rest } = s.labels;
      const head = `${name}{${Object.entries(rest)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}} `;
      for (const x of s.samples) {
        chunk.push(`${head}${x.v} ${x.t / 1000}\n`);
        lines++;
      }
      if (chunk.length > 200_000) flush();
    }
  };
  chunk.push('# HELP http_requests Requests served.\n# TYPE http_requests counter\n');
  emit(byFamily.counter);
  chunk.push(`# HELP ${HISTOGRAM} Request latency.\n# TYPE ${HISTOGRAM} histogram\n`);
  emit(byFamily.histogram);
  chunk.push('# EOF\n');
  flush();
  closeSync(fd);
  return lines;
};

/** Loads the data set into a fresh embedded store; returns it, its sample count and the load time. */
const loadVigil = async (
  dir: string,
  endMs: number,
): Promise<{ store: EmbeddedSeriesStore; samples: number; series: number; ms: number }> => {
  const store = new EmbeddedSeriesStore({ dataDir: dir });
  const start = performance.now();
  let samples = 0;
  let series = 0;
  let batch: DataSeries[] = [];
  for (const s of dataSet(endMs)) {
    batch.push(s);
    samples += s.samples.length;
    series++;
    if (batch.length === 50) {
      await store.write(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.write(batch);
  store.compact();
  return { store, samples, series, ms: performance.now() - start };
};

const started = performance.now();
/** Progress on stderr, so a slow phase shows where the time goes. */
const progress = (what: string): void => {
  process.stderr.write(
    `[bench/query +${((performance.now() - started) / 1000).toFixed(1)}s] ${what}\n`,
  );
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Repeats for a query whose first run took `firstMs`: slow ones get one timed run, no warm-up. */
const SLOW_QUERY_MS = 1000;
const repeatsFor = (firstMs: number, opts: RepeatOptions): RepeatOptions =>
  firstMs >= SLOW_QUERY_MS ? { warmup: 0, repeats: 1 } : opts;

/**
 * Query times sit this far before the last sample, off the 15 s scrape grid: no sample then lies
 * exactly on a range selector's left edge, where Prometheus 2.42 (closed `[t-5m, t]`) and
 * Prometheus 3.x (left-open `(t-5m, t]`, which Vigil follows) select different samples by design.
 */
const OFF_GRID_MS = 7_000;

/** A result flattened to `series key → [t, v][]`, for comparison. */
type Flat = Map<string, [number, number][]>;

const keyOf = (labels: Readonly<Record<string, string>>): string =>
  JSON.stringify(
    Object.entries(labels)
      .filter(([, v]) => v !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

const flattenVigil = (v: QueryValue): Flat => {
  const out: Flat = new Map();
  if (v.type === 'vector') for (const s of v.samples) out.set(keyOf(s.labels), [[s.t, s.v]]);
  else if (v.type === 'matrix')
    for (const s of v.series)
      out.set(
        keyOf(s.labels),
        s.points.map((p) => [p.t, p.v]),
      );
  else if (v.type === 'scalar') out.set('{}', [[v.t, v.v]]);
  return out;
};

interface PromData {
  resultType: string;
  result: {
    metric: Record<string, string>;
    value?: [number, string];
    values?: [number, string][];
  }[];
  stats?: { timings?: { execTotalTime?: number } };
}

const flattenProm = (d: PromData): Flat => {
  const out: Flat = new Map();
  for (const r of d.result) {
    const points = r.values ?? (r.value ? [r.value] : []);
    out.set(
      keyOf(r.metric),
      points.map(([t, v]) => [Math.round(t * 1000), Number(v)]),
    );
  }
  return out;
};

/** Largest relative difference between two results, plus series/points missing on either side. */
const compare = (a: Flat, b: Flat): { maxRelDiff: number; mismatches: number; worst?: string } => {
  let maxRelDiff = 0;
  let mismatches = 0;
  let worst: string | undefined;
  for (const [key, pa] of a) {
    const pb = b.get(key);
    if (!pb) {
      mismatches++;
      continue;
    }
    const byT = new Map(pb);
    for (const [t, va] of pa) {
      const vb = byT.get(t);
      if (vb === undefined) {
        mismatches++;
        continue;
      }
      if (Number.isNaN(va) && Number.isNaN(vb)) continue;
      if (va === vb) continue;
      const rel = Math.abs(va - vb) / Math.max(Math.abs(va), Math.abs(vb));
      const r = Number.isNaN(rel) ? Number.POSITIVE_INFINITY : rel;
      if (r > maxRelDiff) {
        maxRelDiff = r;
        worst = `${key} at ${t}: Vigil ${va}, Prometheus ${vb}`;
      }
    }
    if (pa.length !== pb.length) mismatches += Math.abs(pa.length - pb.length);
  }
  for (const key of b.keys()) if (!a.has(key)) mismatches++;
  return { maxRelDiff, mismatches, ...(worst ? { worst } : {}) };
};

/** GETs a Prometheus-API query; returns its data and the round trip in ms. */
const httpQuery = async (
  base: string,
  path: string,
  params: Record<string, string>,
): Promise<{ data: PromData; ms: number }> => {
  const url = `${base}${path}?${new URLSearchParams(params)}`;
  const start = performance.now();
  const res = await fetch(url);
  const body = (await res.json()) as { status: string; data: PromData; error?: string };
  const ms = performance.now() - start;
  if (body.status !== 'success') throw new Error(`${url}: ${res.status} ${body.error}`);
  return { data: body.data, ms };
};

/** One timed query. */
export interface QueryFigure {
  /** Timed runs of Vigil (engine and HTTP each); Prometheus always gets the full count. */
  readonly timedRuns: number;
  readonly kind: 'instant' | 'range';
  readonly range?: string;
  readonly query: string;
  readonly resultSeries: number;
  readonly vigilEngineMs: number;
  readonly vigilHttpMs?: number;
  readonly promEngineMs?: number;
  readonly promHttpMs?: number;
  readonly maxRelDiff?: number;
  readonly mismatches?: number;
}

/** What the query benchmark measured. */
export interface QueryReport {
  readonly store: string;
  readonly series: number;
  readonly samples: number;
  readonly vigilLoadMs: number;
  readonly prometheus: string;
  readonly promBackfillMs?: number;
  readonly vigilHttp: string;
  readonly figures: QueryFigure[];
}

/** Starts Prometheus 2.42 on the backfilled data; returns its base URL and a stop function. */
const startPrometheus = async (
  work: string,
  endMs: number,
  notes: string[],
): Promise<{ base: string; stop: () => void; backfillMs: number } | undefined> => {
  const promtool = '/usr/bin/promtool';
  const prometheus = '/usr/bin/prometheus';
  if (!existsSync(promtool) || !existsSync(prometheus)) {
    notes.push(
      'Prometheus NOT available (/usr/bin/prometheus or /usr/bin/promtool missing; `apt-get install -y prometheus`): Vigil figures only',
    );
    return undefined;
  }
  const { stdout } = await execFileP(prometheus, ['--version']);
  notes.push(`Prometheus: ${stdout.split('\n')[0]}`);
  const om = join(work, 'data.om.txt');
  const tsdb = join(work, 'prometheus');
  mkdirSync(tsdb, { recursive: true });
  const t0 = performance.now();
  progress('writing OpenMetrics');
  const lines = writeOpenMetrics(om, endMs);
  progress('promtool tsdb create-blocks-from openmetrics');
  const t1 = performance.now();
  // `--max-block-duration` (hidden in 2.42) lets promtool read the input once per 54h block
  // instead of once per 2h block; a long-running Prometheus compacts to such blocks anyway.
  const args = ['tsdb', 'create-blocks-from', 'openmetrics', '-q', '--max-block-duration=100h'];
  await execFileP(promtool, [...args, om, tsdb], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const t2 = performance.now();
  const sizeMiB = statSync(om).size / 1024 / 1024;
  rmSync(om, { force: true });
  const blocks = readdirSync(tsdb).filter((d) => /^[0-9A-Z]{26}$/.test(d)).length;
  notes.push(
    `backfill: ${fmt(lines)} OpenMetrics lines (${fmt(sizeMiB, 0)} MiB) written in ${fmtMs(t1 - t0)}, promtool create-blocks-from openmetrics ${fmtMs(t2 - t1)} → ${blocks} blocks`,
  );
  const config = join(work, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  const port = await freePort();
  const proc = spawn(
    prometheus,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${tsdb}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Data ends now, and a long retention keeps every backfilled block.
      '--storage.tsdb.retention.time=100y',
      // Hidden flags: keep the 2h blocks as promtool wrote them, so no compaction starts mid-run.
      '--storage.tsdb.min-block-duration=2h',
      '--storage.tsdb.max-block-duration=2h',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  progress('starting Prometheus');
  try {
    await waitFor(`${base}/-/ready`, 60_000, proc);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`Prometheus did not start: ${(e as Error).message}\n${stderr}`);
  }
  return {
    base,
    backfillMs: t2 - t0,
    stop: () => {
      proc.kill('SIGTERM');
    },
  };
};

/**
 * Starts local Vigil (`dist/server.js`, as `npm start` runs it: a separate process like Prometheus) on the embedded
 * store's directory, if its HTTP API serves `/api/v1/query`.
 */
const startVigilServer = async (
  dataDir: string,
  notes: string[],
): Promise<{ base: string; stop: () => void; state: () => string } | undefined> => {
  const port = await freePort();
  const proc = spawn(process.execPath, localServerArgs(), {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      VIGIL_DATA_DIR: dataDir,
      VIGIL_API_KEYS: '',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  const start = performance.now();
  try {
    await waitFor(`${base}/health`, 120_000, proc);
  } catch (e) {
    proc.kill('SIGKILL');
    notes.push(`Vigil HTTP: local server did not start (${(e as Error).message}) ${stderr}`);
    return undefined;
  }
  const probe = await fetch(`${base}/api/v1/query?query=1`);
  await probe.arrayBuffer();
  if (probe.status === 404) {
    proc.kill('SIGTERM');
    notes.push('Vigil HTTP: the local server has no /api/v1/query yet: engine figures only');
    return undefined;
  }
  notes.push(
    `Vigil HTTP: local server (npm start, separate process) replayed the store in ${fmtMs(performance.now() - start)}`,
  );
  return {
    base,
    stop: () => proc.kill('SIGTERM'),
    state: () =>
      proc.exitCode === null && proc.signalCode === null
        ? 'server still running'
        : `server exited (code ${proc.exitCode}, signal ${proc.signalCode}): ${stderr.trim().slice(-600)}`,
  };
};

/** Runs the query benchmark; `notes` collects what happened around the figures. */
const runQueryBench = async (opts: RepeatOptions, notes: string[]): Promise<QueryReport> => {
  const work = mkdtempSync(join(tmpdir(), 'vigil-query-bench-'));
  // Data ends on the 15 s grid just before now; queries run at its last sample.
  const endMs = Math.floor(Date.now() / STEP_MS) * STEP_MS - STEP_MS;
  const stops: (() => void)[] = [];
  try {
    const vigilDir = join(work, 'vigil');
    progress('loading the embedded store');
    // Where local Vigil keeps its samples (lambdas/wiring/local-deps.ts).
    const loaded = await loadVigil(join(vigilDir, 'samples'), endMs);
    const store = loaded.store;
    notes.push(
      `Vigil: EmbeddedSeriesStore (lambdas/adapters/storage/embedded-series-store.ts) in ${vigilDir}, ${fmt(loaded.series)} series, ${fmt(loaded.samples)} samples, loaded (write + WAL + snapshot) in ${fmtMs(loaded.ms)}`,
    );
    // Local Vigil replays the snapshot while Prometheus backfills (two cores).
    const vigilServerP = startVigilServer(vigilDir, notes);
    let prom: Awaited<ReturnType<typeof startPrometheus>>;
    try {
      prom = await startPrometheus(work, endMs, notes);
    } catch (e) {
      notes.push(`Prometheus FAILED: ${(e as Error).message}`);
    }
    if (prom) stops.push(prom.stop);
    progress('waiting for local Vigil');
    const vigilServer = await vigilServerP;
    if (vigilServer) stops.push(vigilServer.stop);
    const httpFailures = new Map<string, string>();
    /** Times `path` on `base` (warm-up, then repeats); undefined once that server has failed. */
    const timeHttp = async (
      who: string,
      base: string,
      path: string,
      params: Record<string, string>,
      runs: RepeatOptions,
      state?: () => string,
    ): Promise<{ http: number[]; engine: number[]; last: PromData } | undefined> => {
      if (httpFailures.has(who)) return undefined;
      // One retry on a dropped connection (a keep-alive socket the server closed while idle).
      const query = async () => {
        try {
          return await httpQuery(base, path, params);
        } catch (e) {
          if (!(e instanceof TypeError)) throw e;
          await sleep(200);
          return httpQuery(base, path, params);
        }
      };
      const http: number[] = [];
      const engine: number[] = [];
      let last: PromData | undefined;
      try {
        for (let i = 0; i < runs.warmup + runs.repeats; i++) {
          const { data, ms } = await query();
          last = data;
          if (i < runs.warmup) continue;
          http.push(ms);
          const exec = data.stats?.timings?.execTotalTime;
          if (exec !== undefined) engine.push(exec * 1000);
        }
      } catch (e) {
        const cause = (e as Error & { cause?: Error }).cause?.message;
        const message = `${(e as Error).message}${cause ? ` (${cause})` : ''}`;
        // A refusal (a result over `limits.maxResponseBytes`) fails that query, not the server.
        if (/: 422 /.test(message)) {
          notes.push(
            `${who} HTTP refused ${path} ${params.query}: ${message.replace(/^.*: 422 /, '')}`,
          );
          return undefined;
        }
        httpFailures.set(who, message);
        notes.push(
          `${who} HTTP FAILED on ${path} ${params.query}: ${message}${state ? `; ${state()}` : ''}`,
        );
        return undefined;
      }
      return { http, engine, last: last as PromData };
    };

    const figures: QueryFigure[] = [];
    const cases = [
      ...QUERIES.map((query) => ({ query, range: undefined })),
      ...RANGES.flatMap((range) => QUERIES.map((query) => ({ query, range }))),
    ];
    for (const { query, range } of cases) {
      const atMs = endMs - OFF_GRID_MS;
      const startMs = range ? atMs - range.ms : atMs;
      const stepMs = range ? range.stepMs : 0;
      const vigil = () =>
        range
          ? evaluateRange(store, query, startMs, atMs, stepMs)
          : evaluateInstant(store, query, atMs);
      const params: Record<string, string> = range
        ? {
            query,
            start: String(startMs / 1000),
            end: String(atMs / 1000),
            step: String(stepMs / 1000),
          }
        : { query, time: String(atMs / 1000) };
      const path = range ? '/api/v1/query_range' : '/api/v1/query';
      progress(`${range ? `range ${range.label}` : 'instant'} ${query}`);
      const firstStart = performance.now();
      const vigilResult = await vigil();
      const runs = repeatsFor(performance.now() - firstStart, opts);
      const vigilFlat = flattenVigil(vigilResult.value);
      const vigilEngineMs = median(await timeRuns(vigil, runs));

      const vigilHttp = vigilServer
        ? await timeHttp('Vigil', vigilServer.base, path, params, runs, vigilServer.state)
        : undefined;
      const vigilHttpMs = vigilHttp ? median(vigilHttp.http) : undefined;
      let promFigures: Partial<QueryFigure> = {};
      const promHttp = prom
        ? await timeHttp('Prometheus', prom.base, path, { ...params, stats: 'all' }, opts)
        : undefined;
      if (promHttp) {
        const cmp = compare(vigilFlat, flattenProm(promHttp.last));
        if (cmp.worst && cmp.maxRelDiff > 1e-9)
          notes.push(`largest difference, ${query}: ${cmp.worst}`);
        promFigures = {
          promHttpMs: median(promHttp.http),
          ...(promHttp.engine.length > 0 ? { promEngineMs: median(promHttp.engine) } : {}),
          maxRelDiff: cmp.maxRelDiff,
          mismatches: cmp.mismatches,
        };
      }
      figures.push({
        timedRuns: runs.repeats,
        kind: range ? 'range' : 'instant',
        ...(range ? { range: `${range.label} @${range.stepMs / 1000}s` } : {}),
        query,
        resultSeries: vigilFlat.size,
        vigilEngineMs,
        ...(vigilHttpMs === undefined ? {} : { vigilHttpMs }),
        ...promFigures,
      });
    }
    store.close();
    return {
      store: 'EmbeddedSeriesStore',
      series: loaded.series,
      samples: loaded.samples,
      vigilLoadMs: loaded.ms,
      prometheus: prom ? 'Prometheus 2.42' : 'not available',
      ...(prom ? { promBackfillMs: prom.backfillMs } : {}),
      vigilHttp: vigilServer ? 'local server' : 'n/a',
      figures,
    };
  } finally {
    for (const stop of stops) stop();
    await sleep(500);
    rmSync(work, { recursive: true, force: true });
  }
};

const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`;

const optMs = (ms: number | undefined): string => (ms === undefined ? 'n/a' : fmtMs(ms));

/** Geometric mean of `a / b` over the figures that have both, and how many had both. */
const geomeanRatio = (
  figures: readonly QueryFigure[],
  a: (f: QueryFigure) => number | undefined,
  b: (f: QueryFigure) => number | undefined,
): string => {
  const logs = figures.flatMap((f) => {
    const x = a(f);
    const y = b(f);
    return x === undefined || y === undefined || y === 0 ? [] : [Math.log(x / y)];
  });
  if (logs.length === 0) return 'n/a';
  const mean = Math.exp(logs.reduce((s, l) => s + l, 0) / logs.length);
  return `${mean.toFixed(2)}x over ${logs.length}`;
};

/** Geometric means of the Vigil/Prometheus ratios, over all queries and over range queries. */
const formatQuerySummary = (r: QueryReport): string => {
  const range = r.figures.filter((f) => f.kind === 'range');
  const line = (what: string, list: readonly QueryFigure[]): string =>
    `${what}: engine ${geomeanRatio(
      list,
      (f) => f.vigilEngineMs,
      (f) => f.promEngineMs,
    )}, HTTP ${geomeanRatio(
      list,
      (f) => f.vigilHttpMs,
      (f) => f.promHttpMs,
    )}`;
  return [
    line('geometric mean of Vigil/Prometheus, all queries', r.figures),
    line('geometric mean of Vigil/Prometheus, range queries', range),
  ].join('\n');
};

/** The figures as a printable table, then the geometric means of the ratios. */
const formatQueryFigures = (r: QueryReport): string =>
  `${table([
    [
      'query',
      'type',
      'series',
      'runs',
      'Vigil engine',
      'Vigil HTTP',
      'Prom engine',
      'Prom HTTP',
      'engine V/P',
      'HTTP V/P',
      'max rel diff',
      'mismatch',
    ],
    ...r.figures.map((f) => [
      f.query,
      f.kind === 'instant' ? 'instant' : `range ${f.range}`,
      fmt(f.resultSeries),
      String(f.timedRuns),
      fmtMs(f.vigilEngineMs),
      optMs(f.vigilHttpMs),
      optMs(f.promEngineMs),
      optMs(f.promHttpMs),
      ratio(f.vigilEngineMs, f.promEngineMs),
      ratio(f.vigilHttpMs, f.promHttpMs),
      f.maxRelDiff === undefined ? 'n/a' : f.maxRelDiff.toExponential(1),
      f.mismatches === undefined ? 'n/a' : String(f.mismatches),
    ]),
  ])}\n${formatQuerySummary(r)}`;

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const notes: string[] = [];
  const report = await runQueryBench({ warmup: 1, repeats: 5 }, notes);
  for (const n of notes) console.log(n);
  console.log(formatQueryFigures(report));
}

export { dataSet, formatQueryFigures, loadVigil, runQueryBench };
