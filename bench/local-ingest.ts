/**
 * Local ingest throughput against the references, each a separate process started fresh on
 * 127.0.0.1 with an empty data directory:
 * - remote_write 1.0 (2,000 samples a request, 8,000 series): local Vigil (`dist/server.js`, as `npm start` runs it) vs
 *   Prometheus 2.42 with `--web.enable-remote-write-receiver`;
 * - Pushgateway API (PUT of ~2,000 samples — counters, gauges, 10-bucket histograms — to 64
 *   groups): local Vigil vs Debian's `prometheus-pushgateway`.
 * Runs alternate target and reference; each figure is the median of the runs, and the ratio is
 * Vigil ÷ reference in samples per second (higher is better for Vigil).
 *
 * Run alone: `npx tsx bench/local-ingest.ts` (`VIGIL_BENCH_PROFILE=<dir>` starts Vigil with
 * `--cpu-prof --cpu-prof-dir=<dir>`; `VIGIL_BENCH_ONLY=remote_write` or `=push` runs one row).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodeWriteRequest, snappyCompress } from '../lambdas/domain/remote-write';
import type { Labels } from '../lambdas/domain/series/labels';
import type { Series } from '../lambdas/domain/series/sample';
import {
  fmt,
  freePort,
  localServerArgs,
  median,
  type RepeatOptions,
  ROOT,
  table,
  waitFor,
} from './lib';

const RW_SERIES = 8_000;
const RW_SAMPLES_PER_REQUEST = 2_000;
/** Requests of a remote_write run: every series gets this many samples / 4. */
const RW_REQUESTS_PER_RUN = 60;
/** Requests in flight at once, as Prometheus's remote_write shards send. */
const CONCURRENCY = 4;

const PUSH_GROUPS = 64;
/** Pushes of a Pushgateway run: each group pushed this many times / 64. */
const PUSHES_PER_RUN = 64;

const started = performance.now();
const progress = (what: string): void => {
  process.stderr.write(
    `[bench/local-ingest +${((performance.now() - started) / 1000).toFixed(1)}s] ${what}\n`,
  );
};

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** One HTTP request; resolves with the status, rejects on an unexpected one. */
const send = (
  url: string,
  method: string,
  headers: Record<string, string>,
  body: Uint8Array | string,
): Promise<number> =>
  new Promise((resolveStatus, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 300)
          reject(
            new Error(
              `${method} ${url}: ${status} ${Buffer.concat(chunks).toString().slice(0, 300)}`,
            ),
          );
        else resolveStatus(status);
      });
    });
    req.on('error', reject);
    req.end(body);
  });

/**
 * Runs `jobs` on `CONCURRENCY` lanes, job i on lane i mod CONCURRENCY, each lane one request at a
 * time: as remote_write's shards, a series (or a push group) always goes through the same lane,
 * so its samples arrive in order. Returns the elapsed ms.
 */
const drive = async (jobs: readonly (() => Promise<unknown>)[]): Promise<number> => {
  const t0 = performance.now();
  const lane = async (first: number): Promise<void> => {
    for (let i = first; i < jobs.length; i += CONCURRENCY)
      await (jobs[i] as () => Promise<unknown>)();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => lane(i)));
  return performance.now() - t0;
};

/** A server process under test. */
interface Target {
  readonly name: string;
  readonly base: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

const startProcess = async (
  name: string,
  cmd: string,
  args: readonly string[],
  base: string,
  readyPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Target> => {
  const proc = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  try {
    await waitFor(`${base}${readyPath}`, 120_000, proc);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${name} did not start: ${(e as Error).message}\n${stderr}`);
  }
  return {
    name,
    base,
    proc,
    stop: () =>
      new Promise((done) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return done();
        proc.once('exit', () => done());
        proc.kill('SIGTERM');
      }),
  };
};

const startVigil = async (dataDir: string, configFile: string): Promise<Target> => {
  const port = await freePort();
  const profile = process.env.VIGIL_BENCH_PROFILE;
  const args = localServerArgs(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []);
  return startProcess('Vigil', process.execPath, args, `http://127.0.0.1:${port}`, '/health', {
    ...process.env,
    PORT: String(port),
    VIGIL_DATA_DIR: dataDir,
    VIGIL_API_KEYS: '',
    VIGIL_CONFIG: configFile,
  });
};

const startPrometheus = async (dir: string): Promise<Target> => {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 15s\nscrape_configs: []\n');
  return startProcess(
    'Prometheus',
    '/usr/bin/prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    `http://127.0.0.1:${port}`,
    '/-/ready',
  );
};

const startPushgateway = async (dir: string): Promise<Target> => {
  const port = await freePort();
  return startProcess(
    'Pushgateway',
    '/usr/bin/prometheus-pushgateway',
    [
      `--web.listen-address=127.0.0.1:${port}`,
      `--persistence.file=${join(dir, 'pushgateway.db')}`,
      '--log.level=warn',
    ],
    `http://127.0.0.1:${port}`,
    '/-/ready',
  );
};

const METHODS = ['GET', 'POST'] as const;
const PATHS = ['/predict', '/batch_predict', '/health', '/metrics', '/feedback'] as const;
const STATUSES = ['200', '400', '500'] as const;
const VERSIONS = ['v1', 'v2'] as const;
const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

/** The remote_write series: request-latency histograms and counters of many instances. */
const remoteWriteLabels = (): Labels[] => {
  const out: Labels[] = [];
  for (let instance = 0; out.length < RW_SERIES; instance++) {
    const base = { job: 'inference-api', instance: `10.0.${instance >> 8}.${instance & 255}:8000` };
    for (const method of METHODS)
      for (const path of PATHS)
        for (const status of STATUSES) {
          out.push({ __name__: 'http_requests_total', ...base, method, path, status });
          for (const le of BUCKETS)
            out.push({
              __name__: 'http_request_duration_seconds_bucket',
              ...base,
              method,
              path,
              status,
              le,
            });
        }
  }
  return out.slice(0, RW_SERIES);
};

/**
 * `runs` runs of `RW_REQUESTS_PER_RUN` snappy remote_write bodies; each round of 4 requests
 * gives every series one sample, 1 s after the previous round's.
 */
const remoteWriteRuns = (runs: number, startMs: number): Uint8Array[][] => {
  const labels = remoteWriteLabels();
  const perRound = RW_SERIES / RW_SAMPLES_PER_REQUEST;
  const out: Uint8Array[][] = [];
  let round = 0;
  for (let r = 0; r < runs; r++) {
    const bodies: Uint8Array[] = [];
    for (let q = 0; q < RW_REQUESTS_PER_RUN; q++) {
      const part = q % perRound;
      const t = startMs + round * 1000;
      const series: Series[] = labels
        .slice(part * RW_SAMPLES_PER_REQUEST, (part + 1) * RW_SAMPLES_PER_REQUEST)
        .map((l, i) => ({ labels: l, samples: [{ t, v: round * 10 + (i % 17) }] }));
      bodies.push(snappyCompress(encodeWriteRequest(series)));
      if (part === perRound - 1) round++;
    }
    out.push(bodies);
  }
  return out;
};

const labelText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');

/**
 * One group's push body (text format): a 10-bucket request-latency histogram per method, path,
 * status and version (720 samples), a request counter (60), a response-size histogram per method
 * and path (120), and 1,100 gauges (11 metrics of 100 queues): ~2,000 samples.
 */
const pushBody = (round: number): { body: string; samples: number } => {
  const lines: string[] = [];
  let samples = 0;
  const add = (line: string) => {
    lines.push(line);
    samples++;
  };
  lines.push('# HELP http_request_duration_seconds Request latency.');
  lines.push('# TYPE http_request_duration_seconds histogram');
  for (const method of METHODS)
    for (const path of PATHS)
      for (const status of STATUSES)
        for (const version of VERSIONS) {
          const l = { method, path, status, version };
          BUCKETS.forEach((le, i) => {
            add(
              `http_request_duration_seconds_bucket{${labelText({ ...l, le })}} ${(i + 1) * 10 + round}`,
            );
          });
          add(`http_request_duration_seconds_sum{${labelText(l)}} ${12.5 + round}`);
          add(`http_request_duration_seconds_count{${labelText(l)}} ${100 + round}`);
        }
  lines.push('# HELP http_requests_total Requests.');
  lines.push('# TYPE http_requests_total counter');
  for (const method of METHODS)
    for (const path of PATHS)
      for (const status of STATUSES)
        for (const version of VERSIONS)
          add(
            `http_requests_total{${labelText({ method, path, status, version })}} ${1000 + round}`,
          );
  lines.push('# HELP http_response_size_bytes Response size.');
  lines.push('# TYPE http_response_size_bytes histogram');
  for (const method of METHODS)
    for (const path of PATHS) {
      BUCKETS.forEach((le, i) => {
        add(
          `http_response_size_bytes_bucket{${labelText({ method, path, le })}} ${(i + 1) * 7 + round}`,
        );
      });
      add(`http_response_size_bytes_sum{${labelText({ method, path })}} ${4096 + round}`);
      add(`http_response_size_bytes_count{${labelText({ method, path })}} ${50 + round}`);
    }
  for (let g = 0; g < 11; g++) {
    lines.push(`# HELP queue_${g}_depth Items waiting per queue.`);
    lines.push(`# TYPE queue_${g}_depth gauge`);
    for (let q = 0; q < 100; q++) add(`queue_${g}_depth{queue="q${q}"} ${(q * 7 + round) % 101}`);
  }
  return { body: `${lines.join('\n')}\n`, samples };
};

/** Samples per second of one run. */
interface RunResult {
  readonly ms: number;
  readonly samples: number;
}

const remoteWriteRun = async (base: string, bodies: readonly Uint8Array[]): Promise<RunResult> => {
  const headers = {
    'Content-Encoding': 'snappy',
    'Content-Type': 'application/x-protobuf',
    'X-Prometheus-Remote-Write-Version': '0.1.0',
  };
  const ms = await drive(bodies.map((b) => () => send(`${base}/api/v1/write`, 'POST', headers, b)));
  return { ms, samples: bodies.length * RW_SAMPLES_PER_REQUEST };
};

const pushRun = async (
  base: string,
  body: { body: string; samples: number },
  firstPush: number,
): Promise<RunResult> => {
  const headers = { 'Content-Type': 'text/plain; version=0.0.4' };
  const jobs = Array.from({ length: PUSHES_PER_RUN }, (_, i) => () => {
    const group = (firstPush + i) % PUSH_GROUPS;
    return send(`${base}/metrics/job/bench/instance/i-${group}`, 'PUT', headers, body.body);
  });
  const ms = await drive(jobs);
  return { ms, samples: PUSHES_PER_RUN * body.samples };
};

/** One row: Vigil and the reference, samples per second. */
export interface LocalIngestFigure {
  readonly what: string;
  readonly reference: string;
  readonly runs: number;
  readonly vigil: number;
  readonly ref: number;
  readonly goal: string;
}

/** Alternates Vigil and the reference `repeats` times after `warmup` runs each; medians. */
const alternate = async (
  opts: RepeatOptions,
  run: (side: 'vigil' | 'ref', i: number) => Promise<RunResult>,
): Promise<{ vigil: number; ref: number }> => {
  const rates = { vigil: [] as number[], ref: [] as number[] };
  for (let i = 0; i < opts.warmup + opts.repeats; i++) {
    for (const side of i % 2 === 0 ? (['vigil', 'ref'] as const) : (['ref', 'vigil'] as const)) {
      const r = await run(side, i);
      if (i >= opts.warmup) rates[side].push((r.samples / r.ms) * 1000);
    }
  }
  return { vigil: median(rates.vigil), ref: median(rates.ref) };
};

const runLocalIngestBench = async (
  opts: RepeatOptions,
  notes: string[],
): Promise<LocalIngestFigure[]> => {
  for (const bin of ['/usr/bin/prometheus', '/usr/bin/prometheus-pushgateway'])
    if (!existsSync(bin)) {
      notes.push(`${bin} missing (apt-get install prometheus prometheus-pushgateway): skipped`);
      return [];
    }
  const work = mkdtempSync(join(tmpdir(), 'vigil-local-ingest-'));
  // Vigil's default configuration.
  const config = join(work, 'vigil.config.yaml');
  writeFileSync(config, 'project: bench\n');
  const figures: LocalIngestFigure[] = [];
  const runs = opts.warmup + opts.repeats;
  try {
    const only = process.env.VIGIL_BENCH_ONLY;
    if (only !== 'push') {
      progress('building remote_write bodies');
      const rw = remoteWriteRuns(runs, Date.now() - 3600_000);
      progress('remote_write: starting Vigil and Prometheus');
      const vigil = await startVigil(join(work, 'vigil-rw'), config);
      const prom = await startPrometheus(join(work, 'prometheus')).catch(async (e: unknown) => {
        await vigil.stop();
        throw e;
      });
      try {
        const r = await alternate(opts, (side, i) =>
          remoteWriteRun(side === 'vigil' ? vigil.base : prom.base, rw[i] as Uint8Array[]),
        );
        figures.push({
          what: `remote_write 1.0, ${fmt(RW_SAMPLES_PER_REQUEST)} samples/request, ${fmt(RW_SERIES)} series`,
          reference: 'Prometheus 2.42 receiver',
          runs: opts.repeats,
          ...r,
          goal: '≥ 0.5x',
        });
      } finally {
        await vigil.stop();
        await prom.stop();
      }
    }
    if (only !== 'remote_write') {
      progress('Pushgateway: starting Vigil and prometheus-pushgateway');
      const bodies = [pushBody(0), pushBody(1)];
      const vigilPush = await startVigil(join(work, 'vigil-push'), config);
      const gateway = await startPushgateway(join(work, 'pushgateway')).catch(
        async (e: unknown) => {
          await vigilPush.stop();
          throw e;
        },
      );
      try {
        const r = await alternate(opts, (side, i) =>
          pushRun(
            side === 'vigil' ? vigilPush.base : gateway.base,
            bodies[i % 2] as { body: string; samples: number },
            i * PUSHES_PER_RUN,
          ),
        );
        figures.push({
          what: `Pushgateway PUT, ${fmt(bodies[0]?.samples ?? 0)} samples to ${PUSH_GROUPS} groups`,
          reference: 'prometheus-pushgateway 1.5.1',
          runs: opts.repeats,
          ...r,
          goal: '≥ 1x',
        });
      } finally {
        await vigilPush.stop();
        await gateway.stop();
      }
    }
  } finally {
    agent.destroy();
    rmSync(work, { recursive: true, force: true });
  }
  return figures;
};

const formatLocalIngestFigures = (figures: readonly LocalIngestFigure[]): string =>
  table([
    ['what', 'Vigil samples/s', 'reference', 'reference samples/s', 'Vigil/ref', 'goal'],
    ...figures.map((f) => [
      f.what,
      fmt(f.vigil),
      f.reference,
      fmt(f.ref),
      `${(f.vigil / f.ref).toFixed(2)}x`,
      f.goal,
    ]),
  ]);

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const notes: string[] = [];
  const figures = await runLocalIngestBench({ warmup: 1, repeats: 5 }, notes);
  for (const n of notes) console.log(n);
  console.log(formatLocalIngestFigures(figures));
}

export { formatLocalIngestFigures, runLocalIngestBench };
