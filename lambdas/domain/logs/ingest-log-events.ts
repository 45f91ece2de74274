import type { RuntimeConfig } from '../config/types';
import { type IngestPorts, ingestSeries } from '../ingest/ingest-series';
import type { IncomingSeries } from '../ingest/validate-series';
import type { CounterStore, EventStore, PredictionRecord } from '../ports';
import type { LogSink } from './log-store';
import type { LogEvent, ParsedLogEvents, RejectedLogEvent } from './log-event';
import type { LogsConfig } from './logs-config';
import { predictionRecordOf } from './prediction-records';

/** The log-derived counter: events stored per service and level. */
const LOG_EVENTS_METRIC = 'vigil_log_events_total';

/** The ports log ingestion writes through (the metric ones for `vigil_log_events_total`). */
export interface LogIngestPorts extends IngestPorts {
  readonly logSink: LogSink;
  readonly events: EventStore;
  readonly counters: CounterStore;
}

/** What happened to a request's log events. */
export interface LogIngestResult {
  /** Events stored in the log. */
  readonly accepted: number;
  /** Events not stored, with their index in the request (and line, for NDJSON) and why. */
  readonly rejected: readonly RejectedLogEvent[];
  /** Prediction records written to the `EventStore`. */
  readonly predictions: number;
  /** Stored events whose prediction record the `EventStore` refused (the event is in the log). */
  readonly predictionsRejected: readonly RejectedLogEvent[];
  /** `vigil_log_events_total` samples the series store refused (label limits, cardinality guard). */
  readonly countersRejected: readonly string[];
}

/** The counter key of one `{service, level}`: the series as Prometheus prints it. */
const counterKey = (service: string, level: string): string =>
  `${LOG_EVENTS_METRIC}{service=${JSON.stringify(service)},level=${JSON.stringify(level)}}`;

/**
 * The request index of each accepted event: parsers emit events and rejections in request order,
 * so the i-th event has the i-th index not listed among the rejections.
 */
const requestIndexes = (parsed: ParsedLogEvents): number[] => {
  const refused = new Set(parsed.rejected.map((r) => r.index));
  const out: number[] = [];
  for (let i = 0; out.length < parsed.events.length; i++) if (!refused.has(i)) out.push(i);
  return out;
};

/**
 * The one pipeline behind `POST /ingest/logs` and `POST /loki/api/v1/push`:
 *
 * 1. `LogSink.put` — the events, durably (CloudWatch Logs / NDJSON files). Events the sink
 *    refuses (too old, too far ahead) are reported with their request index and reason.
 * 2. `EventStore.write` — the prediction records of the stored prediction events.
 * 3. `CounterStore.add` — one increment per `{service, level}` of the stored events.
 * 4. `vigil_log_events_total{service, level}` written through the metric pipeline
 *    (`ingestSeries`: validation, cardinality guard, SeriesStore, CloudWatch mirror): a sample
 *    with the total before this request at `now - 1 ms` and one with the new total at `now`, so
 *    `rate()`/`increase()` see the step even when a service logs rarely (Prometheus's
 *    created-timestamp idea: a counter born with this request starts from 0).
 *
 * Failures are thrown (503 when retryable) and the sender retries the whole request. The order
 * makes that safe — at least once, never lost: nothing is recorded or counted before it is in the
 * log. A retry after a failure stores again what the failed attempt had already written (log
 * batches sent before the failing one, prediction records: the event store keeps predictions of
 * one millisecond apart, so it cannot tell a retry from a second prediction) — a duplicate,
 * never a loss — and counts the events once, when the request gets through. Totals are
 * cumulative, so a counter sample lost between requests is made up by the next one.
 */
const ingestLogEvents = async (
  parsed: ParsedLogEvents,
  ports: LogIngestPorts,
  config: { readonly logs: LogsConfig; readonly runtime: RuntimeConfig },
  nowMs: number,
): Promise<LogIngestResult> => {
  const indexes = requestIndexes(parsed);
  const rejected: RejectedLogEvent[] = [...parsed.rejected];
  const stored: { event: LogEvent; index: number }[] = [];
  if (parsed.events.length > 0) {
    const put = await ports.logSink.put(parsed.events);
    const refused = new Map(put.rejected.map((r) => [r.index, r.reason]));
    parsed.events.forEach((event, i) => {
      const index = indexes[i] as number;
      const reason = refused.get(i);
      if (reason === undefined) stored.push({ event, index });
      else rejected.push({ index, reason: `event ${index}: ${reason}` });
    });
    rejected.sort((a, b) => a.index - b.index);
  }

  const records: PredictionRecord[] = [];
  const recordIndex: number[] = [];
  for (const { event, index } of stored) {
    if (!event.isPrediction) continue;
    const record = predictionRecordOf(event, config.logs);
    if (record === undefined) continue;
    records.push(record);
    recordIndex.push(index);
  }
  let predictionsRejected: RejectedLogEvent[] = [];
  let predictions = 0;
  if (records.length > 0) {
    const written = await ports.events.write(records);
    predictions = written.accepted;
    predictionsRejected = written.rejected.map((r) => {
      const index = recordIndex[r.index] as number;
      return { index, reason: `event ${index}: prediction record refused: ${r.reason}` };
    });
  }

  const counts = new Map<string, { service: string; level: string; delta: number }>();
  for (const { event } of stored) {
    const key = counterKey(event.service, event.level);
    const c = counts.get(key);
    if (c) c.delta++;
    else counts.set(key, { service: event.service, level: event.level, delta: 1 });
  }
  let countersRejected: string[] = [];
  if (counts.size > 0) {
    const entries = [...counts.entries()];
    const totals = await ports.counters.add(entries.map(([key, c]) => ({ key, delta: c.delta })));
    const series: IncomingSeries[] = entries.map(([, c], i) => {
      const total = totals[i] as number;
      return {
        labels: { __name__: LOG_EVENTS_METRIC, service: c.service, level: c.level },
        samples: [
          { t: nowMs - 1, v: total - c.delta },
          { t: nowMs, v: total },
        ],
      };
    });
    // Vigil's own series: they may use the names reserved for Vigil (limits.reserved*Names).
    const result = await ingestSeries(series, ports, config.runtime, nowMs, { origin: 'vigil' });
    countersRejected = [...new Set(result.rejected.map((r) => r.reason))];
  }
  return {
    accepted: stored.length,
    rejected,
    predictions,
    predictionsRejected,
    countersRejected,
  };
};

export { counterKey, ingestLogEvents, LOG_EVENTS_METRIC };
