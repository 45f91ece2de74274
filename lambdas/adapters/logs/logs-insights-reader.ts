/**
 * `LogReader` on CloudWatch Logs Insights: StartQuery over the service's log group (or every
 * group given), then GetQueryResults until the query is Complete, Failed, Cancelled or Timeout,
 * or a deadline passes (then StopQuery). Each result's `@message` (the event's JSON, as
 * `CloudWatchLogSink` wrote it) is read back through `parseLogEvents`, so the events have the
 * same normalisation as at ingest; an event without a timestamp of its own gets `@timestamp`.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html
 */
import {
  CloudWatchLogsClient,
  type CloudWatchLogsClientConfig,
  GetQueryResultsCommand,
  type ResultField,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { BadRequestError, StorageUnavailableError } from '../../domain/errors';
import type { LogEvent } from '../../domain/logs/log-event';
import { parseLogEvents } from '../../domain/logs/parse-log-events';
import { insightsString } from '../../domain/notifications/logs-insights-link';
import type { Clock } from '../../domain/ports';
import type { LogQuery, LogReader } from '../../domain/logs/log-store';
import {
  describeAwsError,
  type RetryOptions,
  type RetrySettings,
  retryOptions,
  withRetries,
} from '../storage/timestream/retry';
import { DEFAULT_LOG_QUERY_LIMIT } from './file-log-store';
import { levelSpellings, pinoLevelOf } from './log-levels';

/** Most results one Logs Insights query returns (StartQuery `limit`). */
const MAX_INSIGHTS_LIMIT = 10_000;
/** Most log groups one StartQuery names. */
const MAX_INSIGHTS_LOG_GROUPS = 50;
/** Default time a query may take before it is stopped, ms. */
const DEFAULT_QUERY_TIMEOUT_MS = 60_000;
/** Default pause between GetQueryResults calls, ms. */
const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** GetQueryResults statuses after which the results no longer change. */
const FINAL_STATUSES: ReadonlySet<string> = new Set(['Complete', 'Failed', 'Cancelled', 'Timeout']);

/** Options of {@link LogsInsightsLogReader}. */
/** `sleep` also paces the polls. */
interface LogsInsightsLogReaderOptions extends RetrySettings {
  /** The client to use; one is built from `clientConfig` when absent. */
  readonly client?: CloudWatchLogsClient;
  readonly clientConfig?: CloudWatchLogsClientConfig;
  /** The log group of a service's events (as given to `CloudWatchLogSink`). */
  readonly logGroupOf: (service: string) => string;
  /** Groups a query without a service searches (at most 50). @default none: the service is required */
  readonly allLogGroups?: readonly string[];
  /** How long a query may run before it is stopped, ms. @default 60000 */
  readonly timeoutMs?: number;
  /** Pause between polls, ms. @default 1000 */
  readonly pollIntervalMs?: number;
  /** @default Date.now */
  readonly clock?: Clock;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The Logs Insights query for a {@link LogQuery}: the event JSON and time, filtered by service,
 * correlation id (on `correlation_id`, `request_id` or `trace_id`) and level (every spelling the
 * parser folds into it, any case, and pino's number), newest first, at most `limit` (capped at
 * Logs Insights' 10,000). The time range is StartQuery's, not part of the text.
 * @example
 * logsInsightsQueryString({ correlationId: 'req-1', range: { startMs: 0, endMs: 1 } })
 * // fields @timestamp, @message
 * // | filter correlation_id = "req-1" or request_id = "req-1" or trace_id = "req-1"
 * // | sort @timestamp desc
 * // | limit 1000
 */
const logsInsightsQueryString = (query: LogQuery): string => {
  const lines = ['fields @timestamp, @message'];
  if (query.service !== undefined)
    lines.push(`| filter service = ${insightsString(query.service)}`);
  if (query.correlationId !== undefined) {
    const id = insightsString(query.correlationId);
    lines.push(`| filter correlation_id = ${id} or request_id = ${id} or trace_id = ${id}`);
  }
  if (query.level !== undefined) {
    const spellings = levelSpellings(query.level).map(insightsString).join(', ');
    const pino = pinoLevelOf(query.level);
    lines.push(
      `| filter toupper(level) in [${spellings}]${pino === undefined ? '' : ` or level = ${pino}`}`,
    );
  }
  const limit = Math.min(MAX_INSIGHTS_LIMIT, Math.max(1, query.limit ?? DEFAULT_LOG_QUERY_LIMIT));
  lines.push('| sort @timestamp desc', `| limit ${limit}`);
  return lines.join('\n');
};

/** `@timestamp` of a result (`2026-11-25 19:21:36.123`, UTC) in ms, or undefined. */
const insightsTimestampMs = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const ms = Date.parse(`${text.trim().replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? undefined : ms;
};

/** One result row back into a LogEvent; undefined when `@message` is not a JSON object. */
const eventOfResult = (row: readonly ResultField[]): LogEvent | undefined => {
  const get = (name: string): string | undefined => row.find((f) => f.field === name)?.value;
  const message = get('@message');
  const at = insightsTimestampMs(get('@timestamp'));
  if (message === undefined || at === undefined) return undefined;
  try {
    const parsed = parseLogEvents(message, {
      receivedAtMs: at,
      headers: {},
      maxEvents: 1,
      maxEventBytes: Number.POSITIVE_INFINITY,
    });
    return parsed.events[0];
  } catch {
    // Not written by Vigil (e.g. plain text in a shared group): not an event we can show.
    return undefined;
  }
};

/** Log events read back with Logs Insights; see the file comment. */
class LogsInsightsLogReader implements LogReader {
  readonly #client: CloudWatchLogsClient;
  readonly #logGroupOf: (service: string) => string;
  readonly #allLogGroups: readonly string[];
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #clock: Clock;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #settings: RetrySettings;

  constructor(options: LogsInsightsLogReaderOptions) {
    this.#client =
      options.client ?? new CloudWatchLogsClient({ maxAttempts: 1, ...options.clientConfig });
    this.#logGroupOf = options.logGroupOf;
    this.#allLogGroups = options.allLogGroups ?? [];
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    this.#pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#clock = options.clock ?? { now: () => Date.now() };
    this.#sleep = options.sleep ?? defaultSleep;
    this.#settings = { ...options, sleep: this.#sleep };
  }

  /** Matching events, oldest first (the newest `limit` when more match). */
  async query(query: LogQuery): Promise<LogEvent[]> {
    const groups =
      query.service !== undefined ? [this.#logGroupOf(query.service)] : [...this.#allLogGroups];
    if (groups.length === 0) {
      throw new BadRequestError('a Logs Insights query needs a service (no log groups to search)');
    }
    if (groups.length > MAX_INSIGHTS_LOG_GROUPS) {
      throw new BadRequestError(
        `a Logs Insights query searches at most ${MAX_INSIGHTS_LOG_GROUPS} log groups, not ${groups.length}: name a service`,
      );
    }
    if (query.range.endMs < query.range.startMs) return [];
    const resource = `CloudWatch Logs Insights (${groups.join(', ')})`;
    const retry = retryOptions(this.#settings, resource);
    const started = await this.#call(
      () =>
        this.#client.send(
          new StartQueryCommand({
            logGroupNames: groups,
            startTime: Math.floor(query.range.startMs / 1000),
            endTime: Math.ceil(query.range.endMs / 1000),
            queryString: logsInsightsQueryString(query),
            limit: Math.min(
              MAX_INSIGHTS_LIMIT,
              Math.max(1, query.limit ?? DEFAULT_LOG_QUERY_LIMIT),
            ),
          }),
        ),
      retry,
      'StartQuery',
    );
    const queryId = started.queryId;
    if (!queryId) throw new StorageUnavailableError(`${resource}: StartQuery returned no queryId`);
    const deadline = this.#clock.now() + this.#timeoutMs;
    for (;;) {
      const page = await this.#call(
        () => this.#client.send(new GetQueryResultsCommand({ queryId })),
        retry,
        'GetQueryResults',
      );
      const status = page.status ?? 'Unknown';
      if (status === 'Complete') return this.#events(page.results ?? [], query);
      if (FINAL_STATUSES.has(status)) {
        throw new StorageUnavailableError(`${resource}: query ${queryId} ended ${status}`);
      }
      if (this.#clock.now() >= deadline) {
        await this.#call(
          () => this.#client.send(new StopQueryCommand({ queryId })),
          retry,
          'StopQuery',
        ).catch(() => {
          // The query may have just ended; the timeout below is the error that matters.
        });
        throw new StorageUnavailableError(
          `${resource}: query ${queryId} still ${status} after ${this.#timeoutMs} ms; stopped it (narrow the time range)`,
        );
      }
      await this.#sleep(this.#pollMs);
    }
  }

  #events(rows: readonly (readonly ResultField[])[], query: LogQuery): LogEvent[] {
    const out: LogEvent[] = [];
    for (const row of rows) {
      const e = eventOfResult(row);
      if (!e || e.timestampMs < query.range.startMs || e.timestampMs > query.range.endMs) continue;
      out.push(e);
    }
    // Results come newest first; the port returns oldest first.
    return out.sort((a, b) => a.timestampMs - b.timestampMs);
  }

  /** One API call with retries; a malformed query is the caller's mistake (400). */
  #call<T>(send: () => Promise<T>, retry: RetryOptions, action: string): Promise<T> {
    return withRetries(send, retry, (error) => {
      if ((error as { name?: string }).name === 'MalformedQueryException') {
        throw new BadRequestError(
          `${action}: Logs Insights refused the query: ${describeAwsError(error)}`,
        );
      }
      throw new StorageUnavailableError(
        `${retry.resource}: ${action} failed: ${describeAwsError(error)}`,
        { cause: error },
      );
    });
  }
}

export type { LogsInsightsLogReaderOptions };
export {
  LogsInsightsLogReader,
  logsInsightsQueryString,
  MAX_INSIGHTS_LIMIT,
  MAX_INSIGHTS_LOG_GROUPS,
};
