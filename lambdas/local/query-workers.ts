/**
 * Local mode's query engine: PromQL evaluation in worker threads, so that no query holds up the
 * main thread, which serves ingestion, `/health` and the timers.
 *
 * - The embedded store stays in the main thread. A worker asks it for samples (`select`), and
 *   gets them as transferred Float64Arrays; the engine then runs in the worker, which also
 *   encodes the response body: the main thread only selects and sends.
 * - At most `concurrency` queries run at once, like Prometheus's `--query.max-concurrency`;
 *   the others wait in order, and one whose deadline passes while waiting fails with "query
 *   timed out in query queue", as Prometheus's does.
 * - The engine checks its own deadline and sample limit. Beyond that, a worker still busy
 *   `graceMs` after its deadline is terminated (503 timeout), and a worker that exhausts its
 *   heap (`resourceLimits`) dies alone (422 too many samples): the main thread never does.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/engine.go (queueActive)
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ResponseEncoding } from '../api/query';
import { QUERY_FUNCTION_MEMORY_MB } from '../api/query-limits';
import { ResponseTooLargeError } from '../domain/errors';
import type { SeriesStore } from '../domain/ports';
import {
  PromqlExecutionError,
  PromqlParseError,
  PromqlTimeoutError,
  PromqlTooManySamplesError,
  type QueryRequest,
} from '../domain/promql';
import { selectColumns } from '../domain/series/select-columns';
import { type FromWorker, packSeries, type ToWorker } from './query-worker-messages';

/** Options of {@link QueryWorkerPool}. */
export interface QueryWorkerPoolOptions {
  /** The store the workers select from (in this thread). */
  readonly store: SeriesStore;
  /**
   * Queries evaluated at once (Prometheus: `--query.max-concurrency`, 20). Each is a thread.
   * @default one less than the CPUs, at least 2 and at most 20
   */
  readonly concurrency?: number;
  /** Heap of each worker in MB: the query function's memory, so limits match AWS. @default 1024 */
  readonly heapMb?: number;
  /** How long past its deadline a worker may take to answer before it is stopped. @default 1000 */
  readonly graceMs?: number;
}

interface Job {
  readonly id: number;
  readonly req: QueryRequest;
  readonly encoding: ResponseEncoding;
  readonly deadlineAt: number;
  resolve(body: string): void;
  reject(e: unknown): void;
  /** The store's own error, when a select failed: it is the query's error. */
  selectError?: unknown;
  /** Fails the query at its deadline while it waits in the queue. */
  queueTimer?: NodeJS.Timeout;
}

interface Slot {
  readonly worker: Worker;
  job?: Job;
  killTimer?: NodeJS.Timeout;
}

/** The default number of query workers on this machine. */
const defaultConcurrency = (): number => Math.min(20, Math.max(2, availableParallelism() - 1));

/** A worker's error as the engine's own error type, so the API maps it as it would in-process. */
const engineError = (m: Extract<FromWorker, { type: 'error' }>, query: string): Error => {
  switch (m.name) {
    case 'PromqlTooManySamplesError':
      return new PromqlTooManySamplesError();
    case 'ResponseTooLargeError':
      return new ResponseTooLargeError(m.message, m.limitBytes ?? 0);
    case 'PromqlTimeoutError':
      return new PromqlTimeoutError(m.message.replace(/^query timed out in /, ''));
    case 'PromqlExecutionError':
      return new PromqlExecutionError(m.message);
    case 'PromqlParseError': {
      const { line, column } = m.position ?? { line: 1, column: 1 };
      const reason = m.message.replace(/^\d+:\d+: parse error: /, '');
      return new PromqlParseError(reason, { line, column, query });
    }
    default:
      return new Error(m.message);
  }
};

/** A pool of query workers; {@link QueryWorkerPool.evaluate} is the query API's engine. */
class QueryWorkerPool {
  readonly #store: SeriesStore;
  readonly #concurrency: number;
  readonly #heapMb: number;
  readonly #graceMs: number;
  readonly #slots = new Set<Slot>();
  readonly #queue: Job[] = [];
  #nextId = 0;
  #closed = false;

  constructor(opts: QueryWorkerPoolOptions) {
    this.#store = opts.store;
    this.#concurrency = opts.concurrency ?? defaultConcurrency();
    this.#heapMb = opts.heapMb ?? QUERY_FUNCTION_MEMORY_MB;
    this.#graceMs = opts.graceMs ?? 1000;
  }

  /** Evaluates a query and encodes its response body in a worker; waits for a free one first. */
  readonly evaluate = (req: QueryRequest, encoding: ResponseEncoding): Promise<string> =>
    new Promise((resolve, reject) => {
      if (this.#closed) return reject(new Error('query workers are closed'));
      const deadlineAt = Date.now() + req.timeoutMs;
      const job: Job = { id: this.#nextId++, req, encoding, deadlineAt, resolve, reject };
      this.#queue.push(job);
      this.#pump();
      if (!this.#queue.includes(job)) return;
      job.queueTimer = setTimeout(() => {
        const at = this.#queue.indexOf(job);
        if (at < 0) return;
        this.#queue.splice(at, 1);
        reject(new PromqlTimeoutError('query queue'));
      }, req.timeoutMs);
    });

  /** Stops every worker; queued and running queries fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) {
      clearTimeout(job.queueTimer);
      job.reject(new Error('query workers are closed'));
    }
    await Promise.all(
      [...this.#slots].map((slot) => this.#drop(slot, new Error('query workers are closed'))),
    );
  }

  /** Queries running now (for tests and measurements). */
  get running(): number {
    return [...this.#slots].filter((s) => s.job).length;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = [...this.#slots].find((s) => !s.job);
      if (!slot && this.#slots.size < this.#concurrency) slot = this.#spawn();
      if (!slot) return;
      const job = this.#queue.shift() as Job;
      clearTimeout(job.queueTimer);
      const left = job.deadlineAt - Date.now();
      if (left <= 0) {
        job.reject(new PromqlTimeoutError('query queue'));
        continue;
      }
      this.#start(slot, job, left);
    }
  }

  #start(slot: Slot, job: Job, left: number): void {
    slot.job = job;
    slot.worker.ref();
    const busy = slot;
    slot.killTimer = setTimeout(() => {
      void this.#drop(busy, new PromqlTimeoutError('expression evaluation'));
    }, left + this.#graceMs);
    const msg: ToWorker = {
      type: 'query',
      id: job.id,
      req: { ...job.req, timeoutMs: left },
      encoding: job.encoding,
    };
    slot.worker.postMessage(msg);
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./query-worker-boot.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: this.#heapMb },
    });
    const slot: Slot = { worker };
    this.#slots.add(slot);
    worker.on('message', (m: FromWorker) => this.#onMessage(slot, m));
    worker.on('error', (e: Error & { code?: string }) => {
      // A worker that ran out of heap dies; the query was too large for its memory.
      const err =
        e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new PromqlTooManySamplesError({ cause: e }) : e;
      void this.#drop(slot, err);
    });
    worker.on('exit', () => {
      void this.#drop(slot, new Error('query worker exited'));
    });
    worker.unref();
    return slot;
  }

  #onMessage(slot: Slot, m: FromWorker): void {
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    if (m.type === 'select') {
      this.#select(slot, job, m);
      return;
    }
    this.#finish(slot);
    if (m.type === 'result') job.resolve(m.body);
    else job.reject(job.selectError ?? engineError(m, job.req.query));
  }

  #select(slot: Slot, job: Job, m: Extract<FromWorker, { type: 'select' }>): void {
    const reply = (msg: ToWorker, transfer: ArrayBuffer[] = []): void => {
      if (slot.job === job) slot.worker.postMessage(msg, transfer);
    };
    selectColumns(this.#store, m.matchers, m.range).then(
      (series) => {
        let n = 0;
        for (const s of series) n += s.t.length;
        if (n > job.req.maxSamples) {
          // Refused here, before the samples are packed and sent.
          job.selectError = new PromqlTooManySamplesError();
          return reply({ type: 'selectFailed', selectId: m.selectId });
        }
        const { packed, transfer } = packSeries(series);
        reply({ type: 'selected', selectId: m.selectId, series: packed }, transfer);
      },
      (e: unknown) => {
        job.selectError = e;
        reply({ type: 'selectFailed', selectId: m.selectId });
      },
    );
  }

  #finish(slot: Slot): void {
    clearTimeout(slot.killTimer);
    slot.job = undefined;
    slot.worker.unref();
    this.#pump();
  }

  /** Removes a worker (stopping it), failing its query with `err`. */
  async #drop(slot: Slot, err: unknown): Promise<void> {
    if (!this.#slots.delete(slot)) return;
    clearTimeout(slot.killTimer);
    slot.job?.reject(err);
    slot.job = undefined;
    await slot.worker.terminate();
    if (!this.#closed) this.#pump();
  }
}

export { defaultConcurrency, QueryWorkerPool };
