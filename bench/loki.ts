/**
 * Log ingestion beyond parsing: events per second through Loki push decoding (snappy
 * protobuf as Promtail sends it, and JSON) into log events, and through the whole log pipeline
 * (`ingestLogEvents`: sink, prediction records, counters, `vigil_log_events_total` samples) on
 * in-memory stores, so the figure is Vigil's own CPU cost, not a store's latency.
 *
 * Run alone: `npx tsx bench/loki.ts`.
 */
import { NoopCardinalityTracker } from '../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { performance } from 'node:perf_hooks';
import protobuf from 'protobufjs';
import { MemorySeriesStore } from '../lambdas/adapters/storage/memory-series-store';
import { runtimeConfigOf, validateConfig } from '../lambdas/domain/config/validate';
import { ingestLogEvents } from '../lambdas/domain/logs/ingest-log-events';
import { validateLogsConfig } from '../lambdas/domain/logs/logs-config';
import { decodeLokiPush, lokiStreamsToLogEvents } from '../lambdas/domain/logs/loki-push';
import { parseLogEvents } from '../lambdas/domain/logs/parse-log-events';
import { snappyCompress } from '../lambdas/domain/remote-write/encode';
import { ndjsonBody } from './logs';
import { fmt, fmtMs, median, type RepeatOptions, table, timeRuns } from './lib';

const EVENTS = 10_000;
const STREAMS = 10;
const NOW_MS = Math.floor(Date.now() / 1000) * 1000;

const PushRequest = protobuf
  .parse(`syntax = "proto3"; package logproto;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; }`)
  .root.lookupType('logproto.PushRequest');

/** The NDJSON bench lines (1 KB structured log events) grouped into `STREAMS` Promtail streams. */
const streamsOf = (lines: readonly string[]) =>
  Array.from({ length: STREAMS }, (_, s) => ({
    labels: { job: 'varlogs', service: `svc-${s}`, filename: `/var/log/svc-${s}.log` },
    entries: lines
      .filter((_, i) => i % STREAMS === s)
      .map((line, i) => ({ ms: NOW_MS - (EVENTS - i) * 10, line })),
  }));

const protobufBody = (streams: ReturnType<typeof streamsOf>): Uint8Array =>
  snappyCompress(
    PushRequest.encode(
      PushRequest.create({
        streams: streams.map((s) => ({
          labels: `{${Object.entries(s.labels)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(', ')}}`,
          entries: s.entries.map((e) => ({
            timestamp: { seconds: Math.floor(e.ms / 1000), nanos: (e.ms % 1000) * 1e6 },
            line: e.line,
          })),
        })),
      }),
    ).finish(),
  );

const jsonBody = (streams: ReturnType<typeof streamsOf>): Uint8Array =>
  new TextEncoder().encode(
    JSON.stringify({
      streams: streams.map((s) => ({
        stream: s.labels,
        values: s.entries.map((e) => [`${BigInt(e.ms) * 1_000_000n}`, e.line]),
      })),
    }),
  );

const OPTS = {
  receivedAtMs: NOW_MS,
  headers: {},
  maxEvents: EVENTS,
  maxEventBytes: 1_048_550,
} as const;

interface LokiBenchRow {
  readonly label: string;
  readonly bodyMiB: number;
  readonly medianMs: number;
  readonly eventsPerSecond: number;
}

/** Stores that accept everything at once: the pipeline's own cost is what is measured. */
const memoryPorts = () => ({
  store: new MemorySeriesStore(),
  cardinality: new NoopCardinalityTracker(),
  mirror: { mirror: async () => {} },
  logSink: { put: async (e: readonly unknown[]) => ({ accepted: e.length, rejected: [] }) },
  events: {
    write: async (r: readonly unknown[]) => ({ accepted: r.length, rejected: [] }),
    query: async () => [],
  },
  counters: (() => {
    const totals = new Map<string, number>();
    return {
      add: async (inc: readonly { key: string; delta: number }[]) =>
        inc.map(({ key, delta }) => {
          const t = (totals.get(key) ?? 0) + delta;
          totals.set(key, t);
          return t;
        }),
    };
  })(),
});

const runLokiBench = async (opts: RepeatOptions): Promise<LokiBenchRow[]> => {
  const ndjson = ndjsonBody(EVENTS, 1024, STREAMS);
  const streams = streamsOf(ndjson.split('\n'));
  const proto = protobufBody(streams);
  const json = jsonBody(streams);
  const logs = validateLogsConfig({
    measures: ['context.confidence', 'context.inference_time_ms'],
  }).config;
  const runtime = runtimeConfigOf(validateConfig({}).config);
  const rows: LokiBenchRow[] = [];
  const measure = async (label: string, bytes: number, fn: () => Promise<number> | number) => {
    const times = await timeRuns(async () => {
      const n = await fn();
      if (n !== EVENTS) throw new Error(`${label}: ${n} events instead of ${EVENTS}`);
    }, opts);
    const ms = median(times);
    rows.push({
      label,
      bodyMiB: bytes / 1_048_576,
      medianMs: ms,
      eventsPerSecond: (EVENTS / ms) * 1000,
    });
  };
  await measure(
    'Loki push, snappy protobuf → events',
    proto.length,
    () =>
      lokiStreamsToLogEvents(decodeLokiPush(proto, { maxDecompressedBytes: 64 << 20 }), OPTS).events
        .length,
  );
  await measure(
    'Loki push, JSON → events',
    json.length,
    () =>
      lokiStreamsToLogEvents(
        decodeLokiPush(json, { contentType: 'application/json', maxDecompressedBytes: 64 << 20 }),
        OPTS,
      ).events.length,
  );
  await measure('NDJSON → whole pipeline (memory stores)', Buffer.byteLength(ndjson), async () => {
    const parsed = parseLogEvents(ndjson, { ...OPTS, contentType: 'application/x-ndjson' });
    const result = await ingestLogEvents(parsed, memoryPorts(), { logs, runtime }, NOW_MS);
    return result.accepted;
  });
  return rows;
};

const formatLokiFigures = (rows: readonly LokiBenchRow[]): string =>
  table([
    ['case (10,000 1 KB events, 10 streams/services)', 'body', 'median', 'events/s'],
    ...rows.map((r) => [
      r.label,
      `${r.bodyMiB.toFixed(2)} MiB`,
      fmtMs(r.medianMs),
      fmt(r.eventsPerSecond),
    ]),
  ]);

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  console.log(formatLokiFigures(await runLokiBench({ warmup: 2, repeats: 5 })));
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

export type { LokiBenchRow };
export { formatLokiFigures, runLokiBench };
