/**
 * A local-mode query worker (a `worker_threads` thread): evaluates one query at a time with the
 * PromQL engine. Samples come from the main thread, which owns the embedded store: each
 * `select` is a message answered with packed Float64Arrays. The worker also encodes the response
 * body, so the main thread only sends it. See `query-workers.ts`.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { responseBody } from '../api/query';
import { ResponseTooLargeError } from '../domain/errors';
import type { SeriesStore, TimeRange, WriteResult } from '../domain/ports';
import { evaluateQuery, PromqlParseError } from '../domain/promql';
import { type ColumnSeries, fromColumns } from '../domain/series/columns';
import type { Labels } from '../domain/series/labels';
import type { LabelMatcher } from '../domain/series/matchers';
import type { Series } from '../domain/series/sample';
import { type FromWorker, type ToWorker, unpackSeries } from './query-worker-messages';

const port = parentPort;
if (!port) throw new Error('query-worker.ts runs in a worker thread');

/**
 * Niceness of query threads. On Linux a thread has its own priority: at nice 10 the scheduler
 * gives the main thread (nice 0: ingestion, `/health`) about nine times a query thread's share of
 * a busy CPU, so queries use the idle CPU and yield it when the main thread needs it.
 */
const QUERY_THREAD_NICE = 10;
try {
  // `/proc/thread-self` links to `<pid>/task/<tid>`; setpriority(2) on a tid sets that thread.
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (Number.isInteger(tid)) setPriority(tid, QUERY_THREAD_NICE);
} catch {
  // Not Linux: the query thread keeps the process's priority.
}

const pending = new Map<number, { resolve(s: ColumnSeries[]): void; reject(e: Error): void }>();
let nextSelectId = 0;

const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

/** The main thread's store, seen from the worker: only selects, which is all the engine uses. */
class MainThreadSeriesStore implements SeriesStore {
  constructor(private readonly queryId: number) {}

  selectColumns(matchers: readonly LabelMatcher[], range: TimeRange): Promise<ColumnSeries[]> {
    const selectId = nextSelectId++;
    return new Promise((resolve, reject) => {
      pending.set(selectId, { resolve, reject });
      post({ type: 'select', id: this.queryId, selectId, matchers, range });
    });
  }

  async select(matchers: readonly LabelMatcher[], range: TimeRange): Promise<Series[]> {
    return fromColumns(await this.selectColumns(matchers, range));
  }

  write(): Promise<WriteResult> {
    return Promise.reject(new Error('query workers do not write'));
  }
  series(): Promise<Labels[]> {
    return Promise.reject(new Error('query workers only select'));
  }
  labelNames(): Promise<string[]> {
    return Promise.reject(new Error('query workers only select'));
  }
  labelValues(): Promise<string[]> {
    return Promise.reject(new Error('query workers only select'));
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'selected' || m.type === 'selectFailed') {
    const p = pending.get(m.selectId);
    pending.delete(m.selectId);
    if (m.type === 'selected') p?.resolve(unpackSeries(m.series));
    // The main thread holds the store's error and answers with it; this only ends the query.
    else p?.reject(new Error('select failed'));
    return;
  }
  const { id, req, encoding } = m;
  evaluateQuery(new MainThreadSeriesStore(id), req, Date.now)
    // Encoded here too: a large result's JSON is built off the main thread.
    .then((result) => responseBody(result, encoding))
    .then(
      (body) => post({ type: 'result', id, body }),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        post({
          type: 'error',
          id,
          name: err.name,
          message: err.message,
          ...(err instanceof PromqlParseError
            ? { position: { line: err.line, column: err.column } }
            : {}),
          ...(err instanceof ResponseTooLargeError ? { limitBytes: err.limitBytes } : {}),
        });
      },
    );
});
