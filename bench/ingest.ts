/**
 * Ingest benchmark: samples per second for each ingest format, parse +
 * validate + encode to Timestream WriteRecords requests, and the WriteRecords calls and request
 * bytes per 10,000 samples. The real `TimestreamSeriesStore` runs against a stub
 * `TimestreamWriteClient` whose `send` records each command's input and succeeds (no network).
 *
 * Run alone: `npx tsx bench/ingest.ts`.
 */
import type { TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import { performance } from 'node:perf_hooks';
import { TimestreamSeriesStore } from '../lambdas/adapters/storage/timestream-series-store';
import { DEFAULT_LIMITS } from '../lambdas/domain/config/defaults';
import { familiesToSeries, parseExposition } from '../lambdas/domain/exposition';
import { parseJsonSamples } from '../lambdas/domain/ingest/json-samples';
import {
  type IncomingSeries,
  validateSeries,
  type ValidationContext,
} from '../lambdas/domain/ingest/validate-series';
import {
  decodeWriteRequest,
  encodeWriteRequest,
  snappyCompress,
} from '../lambdas/domain/remote-write';
import type { Labels } from '../lambdas/domain/series/labels';
import type { Series } from '../lambdas/domain/series/sample';
import { fmt, fmtMs, median, type RepeatOptions, table, timeRuns } from './lib';

/** The three request shapes the issue names; each holds 10,000 samples. */
const SHAPES = [
  { series: 1, samples: 10_000 },
  { series: 100, samples: 100 },
  { series: 10_000, samples: 1 },
] as const;

const FORMATS = ['json', 'exposition', 'remote_write'] as const;
type Format = (typeof FORMATS)[number];

const SCRAPE_INTERVAL_MS = 15_000;
/** The benchmark's "now": fixed so every run builds the same payloads. */
const NOW_MS = Math.floor(Date.now() / 1000) * 1000;

const HTTP_METHODS = ['GET', 'POST'] as const;
const HTTP_ENDPOINTS = ['/predict', '/batch_predict', '/health', '/metrics', '/feedback'] as const;
const HTTP_STATUSES = ['200', '400', '404', '500', '503'] as const;
const MODEL_VERSIONS = ['v1.4.0', 'v1.5.0', 'v2.0.0-rc1'] as const;
const RESULTS = ['success', 'error'] as const;
/** Buckets of the example services' latency histograms, as Prometheus 3.x writes `le` values. */
const LATENCY_BUCKETS = [
  '0.005',
  '0.01',
  '0.025',
  '0.05',
  '0.1',
  '0.25',
  '0.5',
  '1.0',
  '2.5',
  '+Inf',
];

/** A series of the example metrics and how its values grow per scrape. */
interface ExampleSeries {
  readonly family: string;
  readonly type: 'counter' | 'histogram';
  readonly labels: Labels;
  readonly rate: number;
  readonly integer: boolean;
}

/**
 * The example metrics one inference-service instance exposes: `http_requests_total{method,endpoint,
 * status}` (50 series), `model_inference_latency_seconds` with 10 buckets plus `_sum`/`_count`
 * per model version (36), `model_predictions_total{model_version,result}` (6).
 */
const instanceSeries = (instance: number): ExampleSeries[] => {
  const base = {
    job: 'inference-api',
    instance: `10.0.${(instance >> 8) & 255}.${instance & 255}:8000`,
  };
  const out: ExampleSeries[] = [];
  for (const method of HTTP_METHODS)
    for (const endpoint of HTTP_ENDPOINTS)
      for (const status of HTTP_STATUSES)
        out.push({
          family: 'http_requests_total',
          type: 'counter',
          labels: { __name__: 'http_requests_total', ...base, method, endpoint, status },
          rate: status === '200' ? 40 : 1,
          integer: true,
        });
  for (const model_version of MODEL_VERSIONS) {
    LATENCY_BUCKETS.forEach((le, i) => {
      out.push({
        family: 'model_inference_latency_seconds',
        type: 'histogram',
        labels: { __name__: 'model_inference_latency_seconds_bucket', ...base, model_version, le },
        rate: 2 + 5 * i,
        integer: true,
      });
    });
    for (const suffix of ['_sum', '_count'] as const) {
      out.push({
        family: 'model_inference_latency_seconds',
        type: 'histogram',
        labels: { __name__: `model_inference_latency_seconds${suffix}`, ...base, model_version },
        rate: suffix === '_sum' ? 7.31 : 47,
        integer: suffix === '_count',
      });
    }
  }
  for (const model_version of MODEL_VERSIONS)
    for (const result of RESULTS)
      out.push({
        family: 'model_predictions_total',
        type: 'counter',
        labels: { __name__: 'model_predictions_total', ...base, model_version, result },
        rate: result === 'success' ? 45 : 0.5,
        integer: true,
      });
  return out;
};

/** `count` distinct example series, instance after instance. */
const exampleSeries = (count: number): ExampleSeries[] => {
  const out: ExampleSeries[] = [];
  for (let instance = 0; out.length < count; instance++) out.push(...instanceSeries(instance));
  return out.slice(0, count);
};

/** A payload: the example series with `samples` scrapes each, ending at `NOW_MS`. */
interface Payload {
  readonly examples: readonly ExampleSeries[];
  readonly series: readonly Series[];
}

const buildPayload = (seriesCount: number, samplesPerSeries: number): Payload => {
  const examples = exampleSeries(seriesCount);
  const series = examples.map((example, j) => {
    const samples = [];
    for (let k = 0; k < samplesPerSeries; k++) {
      const t = NOW_MS - (samplesPerSeries - 1 - k) * SCRAPE_INTERVAL_MS;
      const raw = example.rate * (k + 1) * (1 + (j % 7) / 10);
      samples.push({ t, v: example.integer ? Math.round(raw) : Math.round(raw * 1000) / 1000 });
    }
    return { labels: example.labels, samples };
  });
  return { examples, series };
};

/** Label value escaping of the text exposition format. */
const escapeLabel = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** The payload as one exposition body (families grouped, each line with its ms timestamp). */
const toExposition = (p: Payload): string => {
  const byFamily = new Map<string, { type: string; lines: string[] }>();
  p.examples.forEach((example, j) => {
    let fam = byFamily.get(example.family);
    if (!fam) {
      fam = { type: example.type, lines: [] };
      byFamily.set(example.family, fam);
    }
    const { __name__: name, ...rest } = example.labels;
    const labelText = Object.entries(rest)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(',');
    for (const s of (p.series[j] as Series).samples) {
      fam.lines.push(`${name}{${labelText}} ${s.v} ${s.t}`);
    }
  });
  const out: string[] = [];
  for (const [name, fam] of byFamily) {
    out.push(`# HELP ${name} Example metric ${name}.`, `# TYPE ${name} ${fam.type}`, ...fam.lines);
  }
  return `${out.join('\n')}\n`;
};

/** The payload as a `POST /ingest/metrics` batch: one JSON object per sample. */
const toJson = (p: Payload): string => {
  const samples = [];
  for (const s of p.series) {
    const { __name__: name, ...labels } = s.labels;
    for (const x of s.samples) samples.push({ name, labels, value: x.v, timestamp: x.t });
  }
  return JSON.stringify({ samples });
};

/** The payload as a remote_write 1.0 body (protobuf WriteRequest, snappy block). */
const toRemoteWrite = (p: Payload): Uint8Array => snappyCompress(encodeWriteRequest(p.series));

/** Parses a body of `format` into series as the ingest functions do before validation. */
const parseBody = (format: Format, body: string | Uint8Array): readonly IncomingSeries[] => {
  switch (format) {
    case 'json':
      return parseJsonSamples(body as string, NOW_MS);
    case 'exposition':
      return familiesToSeries(parseExposition(body as string), {
        defaultTimestampMs: NOW_MS,
      }).map((s) => ({ labels: s.labels, samples: [{ t: s.timestampMs, v: s.value }] }));
    case 'remote_write':
      return decodeWriteRequest(body as Uint8Array, {
        maxDecompressedBytes: DEFAULT_LIMITS.maxDecompressedBytes,
        maxSamples: DEFAULT_LIMITS.maxSamplesPerRequest,
      }).series;
  }
};

/** A `TimestreamWriteClient` stand-in: records every WriteRecords input and succeeds. */
class RecordingWriteClient {
  readonly inputs: unknown[] = [];
  async send(command: { input: unknown }): Promise<Record<string, never>> {
    this.inputs.push(command.input);
    return {};
  }
}

const VALIDATION: ValidationContext = {
  limits: DEFAULT_LIMITS,
  nowMs: NOW_MS,
  maxSampleAgeMs: 365 * 24 * 3600 * 1000,
};

/** One format × shape measurement. */
export interface IngestFigure {
  readonly format: Format;
  readonly series: number;
  readonly samplesPerSeries: number;
  readonly bodyBytes: number;
  readonly medianMs: number;
  readonly samplesPerSecond: number;
  /** WriteRecords calls per 10,000 samples, and the floor ceil(records / 100). */
  readonly writeCalls: number;
  readonly floorCalls: number;
  /** Sum of `JSON.stringify(input).length` of the WriteRecords calls, per 10,000 samples. */
  readonly requestBytes: number;
  readonly records: number;
  /** Share of the time spent parsing, validating and encoding + "sending" (0..1). */
  readonly stageShare: Readonly<StageTimes>;
}

/** Never called: the store is only written to, but it must not build a real query client. */
const UNUSED_QUERY_CLIENT = {
  send: () => Promise.reject(new Error('the ingest bench does not query')),
} as unknown as TimestreamQueryClient;

/** Time spent in each stage of one pipeline run, ms. */
interface StageTimes {
  parse: number;
  validate: number;
  encode: number;
}

/**
 * Runs parse → validate → TimestreamSeriesStore.write once (the store is built outside the
 * timed part, as a Lambda builds it once per container); returns the samples stored.
 */
const pipeline = async (
  format: Format,
  body: string | Uint8Array,
  store: TimestreamSeriesStore,
  stages?: StageTimes,
): Promise<number> => {
  const t0 = performance.now();
  const parsed = parseBody(format, body);
  const t1 = performance.now();
  const { accepted, rejected } = validateSeries(parsed, VALIDATION);
  const t2 = performance.now();
  if (rejected.length > 0) throw new Error(`bench payload rejected: ${rejected[0]?.reason}`);
  const result = await store.write(accepted);
  if (stages) {
    stages.parse += t1 - t0;
    stages.validate += t2 - t1;
    stages.encode += performance.now() - t2;
  }
  if (result.rejected.length > 0) {
    throw new Error(`bench write rejected: ${result.rejected[0]?.reason}`);
  }
  return result.accepted;
};

const storeWith = (client: RecordingWriteClient): TimestreamSeriesStore =>
  new TimestreamSeriesStore({
    writeClient: client as unknown as TimestreamWriteClient,
    queryClient: UNUSED_QUERY_CLIENT,
    database: 'vigil',
    clock: { now: () => NOW_MS },
  });

/** Measures every format × shape. */
const runIngestBench = async (opts: RepeatOptions): Promise<IngestFigure[]> => {
  const figures: IngestFigure[] = [];
  for (const shape of SHAPES) {
    const payload = buildPayload(shape.series, shape.samples);
    const total = shape.series * shape.samples;
    for (const format of FORMATS) {
      const body =
        format === 'json'
          ? toJson(payload)
          : format === 'exposition'
            ? toExposition(payload)
            : toRemoteWrite(payload);
      const probe = new RecordingWriteClient();
      const samples = await pipeline(format, body, storeWith(probe));
      if (samples !== total) throw new Error(`${format}: stored ${samples} of ${total} samples`);
      const requestBytes = probe.inputs.reduce<number>((n, i) => n + JSON.stringify(i).length, 0);
      // A fresh recording client per run, so recorded inputs do not pile up across runs.
      const stores = Array.from({ length: opts.warmup + opts.repeats }, () =>
        storeWith(new RecordingWriteClient()),
      );
      const stages: StageTimes = { parse: 0, validate: 0, encode: 0 };
      let run = 0;
      const times = await timeRuns(() => {
        const s = stores[run++] as TimestreamSeriesStore;
        return pipeline(format, body, s, run > opts.warmup ? stages : undefined);
      }, opts);
      const ms = median(times);
      figures.push({
        format,
        series: shape.series,
        samplesPerSeries: shape.samples,
        bodyBytes: typeof body === 'string' ? Buffer.byteLength(body) : body.length,
        medianMs: ms,
        samplesPerSecond: (total / ms) * 1000,
        writeCalls: (probe.inputs.length * 10_000) / total,
        floorCalls: Math.ceil(total / 100),
        requestBytes: (requestBytes * 10_000) / total,
        records: total,
        stageShare: {
          parse: stages.parse / (stages.parse + stages.validate + stages.encode),
          validate: stages.validate / (stages.parse + stages.validate + stages.encode),
          encode: stages.encode / (stages.parse + stages.validate + stages.encode),
        },
      });
    }
  }
  return figures;
};

/** The figures as a printable table. */
const formatIngestFigures = (figures: readonly IngestFigure[]): string =>
  table([
    [
      'format',
      'shape (series x samples)',
      'body',
      'median',
      'samples/s',
      'WriteRecords/10k',
      'floor',
      'request bytes/10k',
      'parse/validate/encode',
    ],
    ...figures.map((f) => [
      f.format,
      `${fmt(f.series)} x ${fmt(f.samplesPerSeries)}`,
      `${fmt(f.bodyBytes / 1024, 1)} KiB`,
      fmtMs(f.medianMs),
      fmt(f.samplesPerSecond),
      fmt(f.writeCalls),
      fmt(f.floorCalls),
      fmt(f.requestBytes),
      [f.stageShare.parse, f.stageShare.validate, f.stageShare.encode]
        .map((x) => `${Math.round(x * 100)}%`)
        .join(' / '),
    ]),
  ]);

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const figures = await runIngestBench({ warmup: 3, repeats: 11 });
  console.log(formatIngestFigures(figures));
}

export { formatIngestFigures, NOW_MS, runIngestBench, SHAPES };
