/**
 * OTLP/HTTP ingest:
 * - through the local server (`dist/server.js`, as `npm start` runs it; fresh data directory): OTLP metrics data points/s
 *   in protobuf and in JSON against remote_write 1.0 carrying the very samples the translation
 *   makes (same server, same pipeline: the ratio is what OTLP decoding and translation cost), and
 *   OTLP log records/s in protobuf and JSON against `POST /ingest/logs` NDJSON of the same events;
 * - Lambda time: the `POST /v1/metrics` handler run in-process on one request of 1,000 data points
 *   (protobuf), as a Lambda invocation runs it (API Gateway event, base64 body, the whole middy
 *   chain), over the real `TimestreamSeriesStore` on a `TimestreamWriteClient` double that records
 *   each WriteRecords and succeeds, beside the remote_write handler on the same samples.
 * Runs alternate target and reference; figures are medians.
 *
 * Run alone: `npx tsx bench/otlp.ts`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import protojson from 'protobufjs/ext/protojson.js';
import { NoopCardinalityTracker } from '../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { NoopMetricsMirror } from '../lambdas/adapters/mirror/noop-metrics-mirror';
import { TimestreamSeriesStore } from '../lambdas/adapters/storage/timestream-series-store';
import type { ApiDeps } from '../lambdas/api/deps';
import { makeOtlpMetricsHandler } from '../lambdas/api/ingest-otlp';
import { makeRemoteWriteHandler } from '../lambdas/api/ingest-remote-write';
import { runtimeConfigOf, validateConfig } from '../lambdas/domain/config/validate';
import { otlpTypes } from '../lambdas/domain/otlp/json';
import { translateMetrics } from '../lambdas/domain/otlp/metrics';
import { DEFAULT_OTLP_CONFIG } from '../lambdas/domain/otlp/otlp-settings';
import type { ExportMetricsServiceRequest } from '../lambdas/domain/otlp/types';
import { encodeWriteRequest, snappyCompress } from '../lambdas/domain/remote-write';
import type { Series } from '../lambdas/domain/series/sample';
import { binaryPostEvent, lambdaContext } from '../test/helpers/api-gateway-event';
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

const POINTS_PER_REQUEST = 2_000;
const REQUESTS_PER_RUN = 30;
const RECORDS_PER_REQUEST = 1_000;
const LOG_REQUESTS_PER_RUN = 20;
const LAMBDA_POINTS = 1_000;
const CONCURRENCY = 4;
const ROUTES = 50;

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** A keep-alive socket the server closed while idle (bodies are built between runs) is retried. */
const send = (
  url: string,
  headers: Record<string, string>,
  body: Uint8Array | string,
): Promise<void> =>
  sendOnce(url, headers, body).catch((e: NodeJS.ErrnoException) =>
    e.code === 'ECONNRESET' ? sendOnce(url, headers, body) : Promise.reject(e),
  );

const sendOnce = (url: string, headers: Record<string, string>, body: Uint8Array | string) =>
  new Promise<void>((done, reject) => {
    const req = request(url, { method: 'POST', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        // A partial success is a 200 too: the bench payload must be accepted whole.
        if ((res.statusCode ?? 0) >= 300 || text.includes('rejected'))
          reject(new Error(`POST ${url}: ${res.statusCode} ${text.slice(0, 300)}`));
        else done();
      });
    });
    req.on('error', reject);
    req.end(body);
  });

/** `CONCURRENCY` lanes, each one request at a time; returns the elapsed ms. */
const drive = async (jobs: readonly (() => Promise<void>)[]): Promise<number> => {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, lane) => {
      for (let i = lane; i < jobs.length; i += CONCURRENCY)
        await (jobs[i] as () => Promise<void>)();
    }),
  );
  return performance.now() - t0;
};

/** A cumulative counter with `n` data points (one per route × code) of one service instance, at `t`. */
const metricsRequest = (n: number, tMs: number, round: number): ExportMetricsServiceRequest => {
  const ns = `${BigInt(tMs) * 1_000_000n}`;
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  return {
    resourceMetrics: [
      {
        resource: {
          attributes: [
            str('service.name', 'inference-api'),
            str('service.instance.id', 'pod-1'),
            str('host.name', 'gpu-node-1'),
          ],
        },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'http.server.requests',
                sum: {
                  aggregationTemporality: 2,
                  isMonotonic: true,
                  dataPoints: Array.from({ length: n }, (_, i) => ({
                    attributes: [
                      str('http.route', `/r${i % ROUTES}`),
                      str('http.response.status_code', String(200 + Math.floor(i / ROUTES))),
                    ],
                    startTimeUnixNano: '1',
                    timeUnixNano: ns,
                    asInt: round * 10 + (i % 7),
                  })),
                },
              },
            ],
          },
        ],
      },
    ],
  } as unknown as ExportMetricsServiceRequest;
};

const protobufOf = (req: ExportMetricsServiceRequest) =>
  otlpTypes.metricsRequest.encode(otlpTypes.metricsRequest.fromObject(req as never)).finish();
const jsonOf = (req: ExportMetricsServiceRequest) =>
  JSON.stringify(
    protojson.toJson(otlpTypes.metricsRequest, otlpTypes.metricsRequest.fromObject(req as never)),
  );
/** The same samples as remote_write, as the translation makes them (target_info included). */
const remoteWriteOf = (req: ExportMetricsServiceRequest) =>
  snappyCompress(
    encodeWriteRequest(translateMetrics(req, DEFAULT_OTLP_CONFIG).series as unknown as Series[]),
  );

const logRecords = (tMs: number) =>
  Array.from({ length: RECORDS_PER_REQUEST }, (_, i) => ({
    t: tMs + i,
    message: `prediction served for request ${i}: model resnet50 v3, 120 ms, confidence 0.93`,
    request_id: `req-${tMs}-${i}`,
    model: 'resnet50',
    latency_ms: 120 + (i % 13),
  }));

const otlpLogsOf = (records: ReturnType<typeof logRecords>) =>
  otlpTypes.logsRequest.fromObject({
    resourceLogs: [
      {
        resource: {
          attributes: [{ key: 'service.name', value: { stringValue: 'inference-api' } }],
        },
        scopeLogs: [
          {
            scope: { name: 'bench' },
            logRecords: records.map((r) => ({
              timeUnixNano: `${BigInt(r.t) * 1_000_000n}`,
              severityNumber: 9,
              body: { stringValue: r.message },
              attributes: [
                { key: 'request_id', value: { stringValue: r.request_id } },
                { key: 'model', value: { stringValue: r.model } },
                { key: 'latency_ms', value: { intValue: r.latency_ms } },
              ],
            })),
          },
        ],
      },
    ],
  });

const ndjsonOf = (records: ReturnType<typeof logRecords>) =>
  records
    .map((r) =>
      JSON.stringify({
        timestamp: new Date(r.t).toISOString(),
        level: 'INFO',
        service: 'inference-api',
        message: r.message,
        request_id: r.request_id,
        model: r.model,
        latency_ms: r.latency_ms,
      }),
    )
    .join('\n');

const startVigil = async (dataDir: string): Promise<{ base: string; proc: ChildProcess }> => {
  const port = await freePort();
  const config = join(dataDir, 'vigil.config.yaml');
  writeFileSync(config, 'project: bench\n');
  const proc = spawn(process.execPath, localServerArgs(), {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      VIGIL_DATA_DIR: dataDir,
      VIGIL_API_KEYS: '',
      VIGIL_CONFIG: config,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/health`, 120_000, proc);
  return { base, proc };
};

/** Rates (per second) of each named side, alternating their order run by run; medians. */
const alternate = async (
  opts: RepeatOptions,
  sides: Readonly<Record<string, (run: number) => Promise<{ ms: number; items: number }>>>,
): Promise<Record<string, number>> => {
  const names = Object.keys(sides);
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < opts.warmup + opts.repeats; i++) {
    const order = i % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const r = await (sides[name] as (run: number) => Promise<{ ms: number; items: number }>)(i);
      if (i >= opts.warmup) rates[name]?.push((r.items / r.ms) * 1000);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(rates[n] as number[])]));
};

export interface OtlpFigures {
  readonly metrics: Record<string, number>;
  readonly logs: Record<string, number>;
  readonly lambda: { otlpMs: number; remoteWriteMs: number; invocations: number };
}

/** The local-server figures. Each side writes its own series times, so no write is a duplicate. */
const runServer = async (opts: RepeatOptions) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-otlp-bench-'));
  const { base, proc } = await startVigil(dataDir);
  try {
    const start = Date.now() - 3_600_000;
    let clock = 0;
    const metricRun =
      (
        encode: (r: ExportMetricsServiceRequest) => Uint8Array | string,
        path: string,
        type: string,
      ) =>
      async () => {
        const bodies = Array.from({ length: REQUESTS_PER_RUN }, () => {
          clock++;
          return encode(metricsRequest(POINTS_PER_REQUEST, start + clock * 1000, clock));
        });
        const headers: Record<string, string> =
          path === '/api/v1/write'
            ? { 'Content-Type': type, 'Content-Encoding': 'snappy' }
            : { 'Content-Type': type };
        const ms = await drive(bodies.map((b) => () => send(`${base}${path}`, headers, b)));
        return { ms, items: REQUESTS_PER_RUN * POINTS_PER_REQUEST };
      };
    const metrics = await alternate(opts, {
      'OTLP protobuf': metricRun(protobufOf, '/v1/metrics', 'application/x-protobuf'),
      'OTLP JSON': metricRun(jsonOf, '/v1/metrics', 'application/json'),
      'remote_write (reference)': metricRun(
        remoteWriteOf,
        '/api/v1/write',
        'application/x-protobuf',
      ),
    });
    const logRun =
      (
        encode: (r: ReturnType<typeof logRecords>) => Uint8Array | string,
        path: string,
        type: string,
      ) =>
      async () => {
        const bodies = Array.from({ length: LOG_REQUESTS_PER_RUN }, () => {
          clock++;
          return encode(logRecords(start + clock * 1000));
        });
        const ms = await drive(
          bodies.map((b) => () => send(`${base}${path}`, { 'Content-Type': type }, b)),
        );
        return { ms, items: LOG_REQUESTS_PER_RUN * RECORDS_PER_REQUEST };
      };
    const logs = await alternate(opts, {
      'OTLP protobuf': logRun(
        (r) => otlpTypes.logsRequest.encode(otlpLogsOf(r)).finish(),
        '/v1/logs',
        'application/x-protobuf',
      ),
      'OTLP JSON': logRun(
        (r) => JSON.stringify(protojson.toJson(otlpTypes.logsRequest, otlpLogsOf(r))),
        '/v1/logs',
        'application/json',
      ),
      '/ingest/logs NDJSON (reference)': logRun(ndjsonOf, '/ingest/logs', 'application/x-ndjson'),
    });
    return { metrics, logs };
  } finally {
    proc.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
};

/** A `TimestreamWriteClient` double: records every WriteRecords input and succeeds. */
class RecordingWriteClient {
  calls = 0;
  async send(): Promise<Record<string, never>> {
    this.calls++;
    return {};
  }
}

/** The handlers in-process: median ms of one invocation of 1,000 points. */
const runLambda = async (opts: RepeatOptions) => {
  const now = Date.now();
  const deps = (): ApiDeps => ({
    store: new TimestreamSeriesStore({
      writeClient: new RecordingWriteClient() as unknown as TimestreamWriteClient,
      queryClient: {} as TimestreamQueryClient,
      database: 'vigil',
      clock: { now: () => now },
    }),
    cardinality: new NoopCardinalityTracker(),
    mirror: new NoopMetricsMirror(),
    pushGroups: undefined as never,
    clock: { now: () => now },
    config: runtimeConfigOf(validateConfig({}).config),
  });
  const otlp = makeOtlpMetricsHandler(deps());
  const rw = makeRemoteWriteHandler(deps());
  const context = lambdaContext('vigil-bench');
  const req = metricsRequest(LAMBDA_POINTS, now - 1000, 1);
  const otlpEvent = binaryPostEvent('/v1/metrics', protobufOf(req), {
    'Content-Type': 'application/x-protobuf',
  });
  const rwEvent = binaryPostEvent('/api/v1/write', remoteWriteOf(req), {
    'Content-Type': 'application/x-protobuf',
    'Content-Encoding': 'snappy',
  });
  const times = { otlp: [] as number[], rw: [] as number[] };
  const runs = opts.warmup + opts.repeats;
  for (let i = 0; i < runs; i++) {
    for (const side of i % 2 === 0 ? (['otlp', 'rw'] as const) : (['rw', 'otlp'] as const)) {
      const t0 = performance.now();
      const res = await (side === 'otlp' ? otlp(otlpEvent, context) : rw(rwEvent, context));
      const ms = performance.now() - t0;
      if (res.statusCode >= 300) throw new Error(`${side}: ${res.statusCode} ${res.body}`);
      if (i >= opts.warmup) times[side].push(ms);
    }
  }
  return { otlpMs: median(times.otlp), remoteWriteMs: median(times.rw), invocations: opts.repeats };
};

const runOtlpBench = async (server: RepeatOptions, lambda: RepeatOptions): Promise<OtlpFigures> => {
  const lambdaFigures = await runLambda(lambda);
  const { metrics, logs } = await runServer(server);
  return { metrics, logs, lambda: lambdaFigures };
};

const formatOtlpFigures = (f: OtlpFigures): string => {
  const rows = (what: string, unit: string, rates: Record<string, number>, ref: string) => [
    [what, `${unit}/s`, 'vs reference'],
    ...Object.entries(rates).map(([name, r]) => [
      name,
      fmt(r),
      name === ref ? '1.00x' : `${(r / (rates[ref] as number) || 0).toFixed(2)}x`,
    ]),
  ];
  return [
    table(
      rows(
        `metrics, ${fmt(POINTS_PER_REQUEST)} points a request`,
        'points',
        f.metrics,
        'remote_write (reference)',
      ),
    ),
    '',
    table(
      rows(
        `logs, ${fmt(RECORDS_PER_REQUEST)} records a request`,
        'records',
        f.logs,
        '/ingest/logs NDJSON (reference)',
      ),
    ),
    '',
    table([
      [
        `Lambda handler, one request of ${fmt(LAMBDA_POINTS)} points`,
        'ms per 1,000 points',
        'vs reference',
      ],
      [
        'POST /v1/metrics (OTLP protobuf)',
        f.lambda.otlpMs.toFixed(2),
        `${(f.lambda.otlpMs / f.lambda.remoteWriteMs).toFixed(2)}x`,
      ],
      ['POST /api/v1/write, same samples (reference)', f.lambda.remoteWriteMs.toFixed(2), '1.00x'],
    ]),
  ].join('\n');
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const figures = await runOtlpBench({ warmup: 1, repeats: 5 }, { warmup: 10, repeats: 50 });
  console.log(formatOtlpFigures(figures));
  process.exit(0);
}

export { formatOtlpFigures, runOtlpBench };
