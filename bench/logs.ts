/**
 * Logs benchmark: events per second through parse + validate + batch for
 * 1 KB events (`parseLogEvents` on an NDJSON body, then `planLogBatches`), and the
 * PutLogEvents calls per 10,000 events, counted by the real `CloudWatchLogSink` against a stub
 * client whose `send` records each command and succeeds (no network).
 *
 * Run alone: `npx tsx bench/logs.ts`.
 */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { performance } from 'node:perf_hooks';
import { CloudWatchLogSink, planLogBatches } from '../lambdas/adapters/logs/cloudwatch-log-sink';
import { parseLogEvents } from '../lambdas/domain/logs/parse-log-events';
import { fmt, fmtMs, median, type RepeatOptions, table, timeRuns } from './lib';

/** Events per request, as the issue asks (PutLogEvents takes at most 10,000 per call). */
const EVENTS_PER_REQUEST = 10_000;
/** Target size of one event's JSON, bytes. */
const EVENT_BYTES = 1024;
const NOW_MS = Math.floor(Date.now() / 1000) * 1000;

/** One example-shaped JSON log line padded to `bytes` (the padding is in `message`). */
const eventLine = (i: number, bytes: number, services: number): string => {
  const base = {
    timestamp: new Date(NOW_MS - (EVENTS_PER_REQUEST - i) * 10).toISOString(),
    level: i % 50 === 0 ? 'ERROR' : 'INFO',
    service: `svc-${i % services}`,
    version: '1.4.0',
    trace_id: (i * 7919).toString(16).padStart(32, '0'),
    span_id: (i * 104729).toString(16).padStart(16, '0'),
    request_id: `req-${i}`,
    event: i % 4 === 0 ? 'prediction' : 'request',
    context: {
      model_version: 'v1.4.0',
      prediction: 'fraud',
      confidence: 0.93,
      inference_time_ms: 12.5,
    },
    message: '',
  };
  const pad = Math.max(0, bytes - Buffer.byteLength(JSON.stringify(base)));
  return JSON.stringify({ ...base, message: 'x'.repeat(pad) });
};

/** An NDJSON body of `n` events of about `bytes` each. */
const ndjsonBody = (n: number, bytes: number, services: number): string =>
  Array.from({ length: n }, (_, i) => eventLine(i, bytes, services)).join('\n');

const parse = (body: string) =>
  parseLogEvents(body, {
    contentType: 'application/x-ndjson',
    receivedAtMs: NOW_MS,
    headers: {},
    maxEvents: EVENTS_PER_REQUEST,
    maxEventBytes: 1_048_550,
  });

/** One measured case. */
interface LogsBenchRow {
  readonly label: string;
  readonly eventBytes: number;
  readonly services: number;
  readonly medianMs: number;
  readonly eventsPerSecond: number;
  readonly putLogEventsCalls: number;
  readonly requestMiB: number;
}

/** PutLogEvents calls the sink sends for `body`'s events (stub client, counts commands). */
const countPutCalls = async (body: string): Promise<number> => {
  let puts = 0;
  const client = {
    send: async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'PutLogEventsCommand') puts++;
      return {};
    },
  } as unknown as CloudWatchLogsClient;
  const sink = new CloudWatchLogSink({
    client,
    logGroupOf: (s) => `/vigil/bench/${s}`,
    streamName: 'bench',
    clock: { now: () => NOW_MS },
  });
  await sink.put(parse(body).events);
  return puts;
};

/** Runs the cases: 1 KB events to one service and spread over 10; 256 B events for contrast. */
const runLogsBench = async (opts: RepeatOptions): Promise<LogsBenchRow[]> => {
  const cases = [
    { label: '1 KB events, 1 service', bytes: EVENT_BYTES, services: 1 },
    { label: '1 KB events, 10 services', bytes: EVENT_BYTES, services: 10 },
    { label: '256 B events, 1 service', bytes: 256, services: 1 },
  ];
  const rows: LogsBenchRow[] = [];
  for (const c of cases) {
    const body = ndjsonBody(EVENTS_PER_REQUEST, c.bytes, c.services);
    const times = await timeRuns(() => {
      const parsed = parse(body);
      if (parsed.rejected.length > 0)
        throw new Error(`bench events rejected: ${parsed.rejected[0]?.reason}`);
      return planLogBatches(parsed.events, NOW_MS);
    }, opts);
    const ms = median(times);
    rows.push({
      label: c.label,
      eventBytes: c.bytes,
      services: c.services,
      medianMs: ms,
      eventsPerSecond: (EVENTS_PER_REQUEST / ms) * 1000,
      putLogEventsCalls: await countPutCalls(body),
      requestMiB: Buffer.byteLength(body) / 1_048_576,
    });
  }
  return rows;
};

/** The figures as a text table. */
const formatLogsFigures = (rows: readonly LogsBenchRow[]): string =>
  table([
    [
      'case (10,000 events/request)',
      'body',
      'parse+validate+batch',
      'events/s',
      'PutLogEvents calls',
    ],
    ...rows.map((r) => [
      r.label,
      `${r.requestMiB.toFixed(2)} MiB`,
      fmtMs(r.medianMs),
      fmt(r.eventsPerSecond),
      fmt(r.putLogEventsCalls),
    ]),
  ]);

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  console.log(formatLogsFigures(await runLogsBench({ warmup: 2, repeats: 7 })));
  console.log(`total ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

export type { LogsBenchRow };
export { formatLogsFigures, ndjsonBody, runLogsBench };
