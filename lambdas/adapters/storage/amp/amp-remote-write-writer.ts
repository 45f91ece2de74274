/**
 * Writes Vigil's series to an Amazon Managed Service for Prometheus (AMP) workspace with
 * Prometheus remote_write 1.0: a snappy-compressed protobuf `WriteRequest`, signed with SigV4
 * (service `aps`) by the {@link SignedFetch} it is given.
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-APIReference-RemoteWrite.html
 * @see https://prometheus.io/docs/specs/prw/remote_write_spec/
 */
import { StorageThrottledError, StorageUnavailableError } from '../../../domain/errors';
import { backoffMs, retry } from '../../../domain/retry';
import type { RejectedSample, WriteResult } from '../../../domain/ports';
import { encodeWriteRequest, snappyCompress } from '../../../domain/remote-write/encode';
import { type Labels, METRIC_NAME_LABEL } from '../../../domain/series/labels';
import type { Sample, Series } from '../../../domain/series/sample';
import type { SignedFetch, SignedFetchResponse } from '../../aws/sigv4-fetch';

/**
 * Samples per remote-write request. AMP documents no per-request sample limit: every sample
 * counts against the workspace's ingestion rate and burst quotas (the RemoteWrite reference
 * gives 70,000 samples/s and a burst of 1,000,000 samples). 1,000 is the `max_samples_per_send`
 * of the `queue_config` AMP's guide gives a Prometheus server writing to a workspace; it keeps
 * a request near 10 KB compressed (bench/amp-write.ts) and a refused batch cheap to bisect.
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-APIReference-RemoteWrite.html
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP_quotas.html
 */
export const DEFAULT_MAX_SAMPLES_PER_REQUEST = 1000;

/**
 * Labels per series (`__name__` included): AMP's "Labels per metric series" quota, 70 by
 * default (adjustable; AMP answers "series has too many labels").
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP_quotas.html
 */
export const DEFAULT_MAX_LABELS_PER_SERIES = 70;

/**
 * Bytes of one label, name and value together: AMP's "Label size" quota (7 KB, not adjustable).
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP_quotas.html
 */
export const DEFAULT_MAX_LABEL_BYTES = 7 * 1024;

/** Retry settings of {@link AmpRemoteWriteWriter}. */
export interface AmpRetryOptions {
  /** Attempts per request, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff cap of the first retry, ms, doubled per retry (full jitter). @default 100 */
  readonly baseDelayMs?: number;
  /** Largest backoff, ms. @default 5000 */
  readonly maxDelayMs?: number;
  /**
   * Time one `write` may spend waiting between attempts, all its requests together, ms: a wait
   * (a backoff or a Retry-After) that would go past it ends the retries. @default 15000 (about
   * half of API Gateway's 29 s integration timeout)
   */
  readonly maxTotalDelayMs?: number;
}

/** Options of {@link AmpRemoteWriteWriter}. */
export interface AmpRemoteWriteWriterOptions {
  /** The workspace's remote-write URL, `https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>/api/v1/remote_write`. */
  readonly endpoint: string;
  /** A SigV4-signing fetch (`createSigV4Fetch({ region })`). */
  readonly fetch: SignedFetch;
  /** Samples per request. @default {@link DEFAULT_MAX_SAMPLES_PER_REQUEST} */
  readonly maxSamplesPerRequest?: number;
  /** Labels per series, checked before sending. @default {@link DEFAULT_MAX_LABELS_PER_SERIES} */
  readonly maxLabelsPerSeries?: number;
  /** UTF-8 bytes of one label (name + value), checked before sending. @default {@link DEFAULT_MAX_LABEL_BYTES} */
  readonly maxLabelBytes?: number;
  readonly retry?: AmpRetryOptions;
  /** Time one attempt may take before it is aborted and retried, ms. @default 10000 */
  readonly requestTimeoutMs?: number;
  /**
   * What a 400 says about the other samples of the request.
   * - `'partial'`: the receiver stored the request's valid samples and named its first refusal
   *   (AMP, like Cortex: https://github.com/cortexproject/cortex/issues/2662). Which samples
   *   were stored cannot be found by resending them (a stored sample older than the series' newest is refused again, as out
   *   of order), so every sample of the request is listed in `rejected` with the receiver's
   *   message and, when the request held more than one, a note that it may have been stored.
   * - `'whole'`: the receiver refused the whole request (Prometheus's own receiver rolls it
   *   back): the batch is halved and resent until the refused samples are isolated.
   *
   * A 413 always means nothing was stored, and is halved as with `'whole'`.
   * @default 'partial'
   */
  readonly refusedRequests?: 'partial' | 'whole';
  /**
   * Extra requests one `write` may spend isolating refused samples by halving; past that, the
   * rest of a refused batch is listed in `rejected` as a whole. @default 64
   */
  readonly maxSplitRequests?: number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
  /** Called on every throttled request (429), retried or not. @default none */
  readonly onThrottled?: () => void;
  /** Called with the number of samples the workspace refused in one `write`, when any. @default none */
  readonly onRejectedSamples?: (count: number) => void;
  /**
   * Called when a request fails for good — 5xx, network errors and timeouts after the retries, or
   * 401/403/404 — with the number of samples it carried (none of them stored). @default none
   */
  readonly onFailedRequest?: (samples: number) => void;
}

/** One sample and the series it belongs to. */
interface Origin {
  readonly labels: Labels;
  readonly sample: Sample;
}

/** The samples of one request, series by series, in time order. */
interface Batch {
  readonly series: Series[];
  readonly count: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const utf8 = new TextEncoder();

/** Headers of a remote_write 1.0 request. */
const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = {
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf',
  'x-prometheus-remote-write-version': '0.1.0',
  'user-agent': 'vigil-amp-writer',
};

/** Retry-After as ms (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
const retryAfterMs = (res: SignedFetchResponse, nowMs: number): number | undefined => {
  const value = res.headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
};

const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** A fetch failure in words: undici's "fetch failed" says why only in its `cause`. */
const describeNetworkError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'the request timed out';
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
};

/** What one `write` may still spend: requests isolating refusals, and time waiting to retry. */
interface Budget {
  splits: number;
  waitedMs: number;
}

/** The outcome of sending one batch. */
type SendOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly partial: boolean };

/**
 * Writes series to an AMP workspace (or any Prometheus remote-write receiver).
 *
 * **Before sending**, each series is checked against the quotas the workspace would enforce
 * (a metric name, labels per series, label size); its samples are sorted by time, and of two
 * samples with the same timestamp the last one given is kept (last write wins), so a
 * sender-side duplicate never turns a whole request into a 400.
 *
 * **Batches** hold at most `maxSamplesPerRequest` samples; a series larger than that spans
 * consecutive batches. Batches are sent one after the other, so the samples of a series always
 * arrive in time order (a receiver refuses a sample older than the newest it has).
 *
 * **Faults.** 429, 5xx and network errors (an attempt past `requestTimeoutMs` is one) are
 * retried with exponential backoff and full jitter, waiting at least Retry-After, within
 * `maxAttempts` per request and `maxTotalDelayMs` per write; then 429 becomes
 * {@link StorageThrottledError} (503 + Retry-After) and the rest {@link StorageUnavailableError}
 * (503). 401/403/404 fail at once with a {@link StorageUnavailableError} naming the likely
 * cause. Batches sent before the failure stay stored: a client that retries the whole request
 * resends them, which the receiver accepts (same timestamps, same values).
 *
 * **Rejections.** A 400 is never retried as such: the data was refused (out of order, too
 * old, duplicate timestamp with another value, a quota). AMP stores the valid samples of such
 * a request and names only the first refusal, so by default every sample of the request is
 * listed in `WriteResult.rejected` with the receiver's message (see `refusedRequests`); keep
 * `maxSamplesPerRequest` small where that matters. Against a receiver that refuses requests
 * whole, `refusedRequests: 'whole'` halves a refused batch and resends the halves until the
 * refused samples are isolated, at most `maxSplitRequests` extra requests per `write`.
 */
export class AmpRemoteWriteWriter {
  readonly #endpoint: string;
  readonly #fetch: SignedFetch;
  readonly #maxSamples: number;
  readonly #maxLabels: number;
  readonly #maxLabelBytes: number;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #maxTotalDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #onThrottled: (() => void) | undefined;
  readonly #onRejectedSamples: ((count: number) => void) | undefined;
  readonly #onFailedRequest: ((samples: number) => void) | undefined;
  readonly #requestTimeoutMs: number;
  readonly #maxSplitRequests: number;
  readonly #refusedRequests: 'partial' | 'whole';

  constructor(opts: AmpRemoteWriteWriterOptions) {
    this.#endpoint = opts.endpoint;
    this.#fetch = opts.fetch;
    this.#maxSamples = Math.max(
      1,
      Math.floor(opts.maxSamplesPerRequest ?? DEFAULT_MAX_SAMPLES_PER_REQUEST),
    );
    this.#maxLabels = opts.maxLabelsPerSeries ?? DEFAULT_MAX_LABELS_PER_SERIES;
    this.#maxLabelBytes = opts.maxLabelBytes ?? DEFAULT_MAX_LABEL_BYTES;
    this.#maxAttempts = Math.max(1, opts.retry?.maxAttempts ?? 5);
    this.#baseDelayMs = opts.retry?.baseDelayMs ?? 100;
    this.#maxDelayMs = opts.retry?.maxDelayMs ?? 5_000;
    this.#maxTotalDelayMs = opts.retry?.maxTotalDelayMs ?? 15_000;
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.#maxSplitRequests = opts.maxSplitRequests ?? 64;
    this.#refusedRequests = opts.refusedRequests ?? 'partial';
    this.#sleep = opts.sleep ?? defaultSleep;
    this.#random = opts.random ?? Math.random;
    this.#onThrottled = opts.onThrottled;
    this.#onRejectedSamples = opts.onRejectedSamples;
    this.#onFailedRequest = opts.onFailedRequest;
  }

  /** Writes `series`; every sample ends up stored or listed in `rejected`. */
  async write(series: readonly Series[]): Promise<WriteResult> {
    const rejected: RejectedSample[] = [];
    const admitted: Series[] = [];
    let accepted = 0;
    for (const s of series) {
      const problem = this.#quotaProblem(s.labels);
      if (problem !== undefined) {
        for (const sample of s.samples)
          rejected.push({ labels: s.labels, sample, reason: problem });
        continue;
      }
      const samples = lastPerTimestamp(s.samples);
      accepted += s.samples.length - samples.length; // superseded by a later sample, as the port says
      if (samples.length > 0) admitted.push({ labels: s.labels, samples });
    }
    const refusedBefore = rejected.length;
    const budget: Budget = { splits: this.#maxSplitRequests, waitedMs: 0 };
    for (const batch of planBatches(admitted, this.#maxSamples)) {
      const refused = await this.#writeBatch(batch, budget);
      rejected.push(...refused);
      accepted += batch.count - refused.length;
    }
    const byReceiver = rejected.length - refusedBefore;
    if (byReceiver > 0) this.#onRejectedSamples?.(byReceiver);
    return { accepted, rejected };
  }

  /** Why AMP would refuse this series, or undefined when it passes the checked quotas. */
  #quotaProblem(labels: Labels): string | undefined {
    const names = Object.keys(labels).filter((n) => labels[n] !== '');
    if (!labels[METRIC_NAME_LABEL]) return 'series has no metric name (__name__)';
    if (names.length > this.#maxLabels) {
      return `series has ${names.length} labels, more than the workspace's ${this.#maxLabels} labels per series`;
    }
    for (const n of names) {
      const value = labels[n] ?? '';
      // A UTF-16 code unit takes at most 3 UTF-8 bytes: most labels need no encoding to pass.
      if ((n.length + value.length) * 3 <= this.#maxLabelBytes) continue;
      const bytes = utf8.encode(n).length + utf8.encode(value).length;
      if (bytes > this.#maxLabelBytes) {
        return `label ${n} is ${bytes} bytes (name and value), more than the workspace's ${this.#maxLabelBytes}-byte label size`;
      }
    }
    return undefined;
  }

  /** Sends a batch; returns the samples refused (see `refusedRequests`). */
  async #writeBatch(batch: Batch, budget: Budget): Promise<RejectedSample[]> {
    const outcome = await this.#send(batch, budget);
    if (outcome.ok) return [];
    if (batch.count === 1) return originsOf(batch).map((o) => ({ ...o, reason: outcome.reason }));
    if (outcome.partial && this.#refusedRequests === 'partial') {
      const reason = `${outcome.reason} (refused in a request of ${batch.count} samples: the receiver stores the valid ones and names only its first refusal, so this sample may be stored)`;
      return originsOf(batch).map((o) => ({ ...o, reason }));
    }
    if (budget.splits < 2) {
      return originsOf(batch).map((o) => ({ ...o, reason: outcome.reason }));
    }
    budget.splits -= 2;
    const [first, second] = halve(batch);
    return [
      ...(await this.#writeBatch(first, budget)),
      ...(await this.#writeBatch(second, budget)),
    ];
  }

  /** One request with retries. Resolves for 2xx and data refusals; throws on the rest. */
  async #send(batch: Batch, budget: Budget): Promise<SendOutcome> {
    const body = snappyCompress(encodeWriteRequest(batch.series));
    const giveUp = (failed: RetryableSendFailure, attempts: number): Error => {
      const what = `AMP remote write ${this.#endpoint} failed ${attempts} time${attempts > 1 ? 's' : ''}, last with ${failed.failure}`;
      if (failed.status === 429) {
        return new StorageThrottledError(
          what,
          Math.max(
            failed.throttledFor ?? 0,
            Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** attempts),
          ),
        );
      }
      this.#onFailedRequest?.(batch.count);
      return new StorageUnavailableError(what);
    };
    return retry(() => this.#attempt(batch, body), {
      maxAttempts: this.#maxAttempts,
      sleep: this.#sleep,
      delayMs: (error, attempt) => {
        if (!(error instanceof RetryableSendFailure)) return undefined;
        const backoff = backoffMs(attempt, {
          baseMs: this.#baseDelayMs,
          maxMs: this.#maxDelayMs,
          random: this.#random,
        });
        const wait = Math.max(backoff, error.throttledFor ?? 0);
        if (attempt < this.#maxAttempts && budget.waitedMs + wait > this.#maxTotalDelayMs) {
          throw giveUp(error, attempt);
        }
        budget.waitedMs += wait;
        return wait;
      },
      giveUp: (error, attempts) => giveUp(error as RetryableSendFailure, attempts),
    });
  }

  /** One attempt: resolves for 2xx and data refusals, throws `RetryableSendFailure` for 429/5xx. */
  async #attempt(batch: Batch, body: Uint8Array): Promise<SendOutcome> {
    let res: SignedFetchResponse;
    try {
      res = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers: { ...REMOTE_WRITE_HEADERS },
        body,
        signal: AbortSignal.timeout(this.#requestTimeoutMs),
      });
    } catch (error) {
      throw new RetryableSendFailure(`network error: ${describeNetworkError(error)}`);
    }
    if (res.status >= 200 && res.status < 300) {
      await res.arrayBuffer().catch(() => undefined);
      return { ok: true };
    }
    const text = oneLine(await res.text().catch(() => ''));
    const message = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
    if (res.status === 400 || res.status === 413) {
      return { ok: false, reason: text || `HTTP ${res.status}`, partial: res.status === 400 };
    }
    if (res.status === 401 || res.status === 403 || res.status === 404) {
      this.#onFailedRequest?.(batch.count);
      throw new StorageUnavailableError(
        `AMP remote write ${this.#endpoint} refused the request: ${message} (check the workspace URL and that the function's role may aps:RemoteWrite)`,
      );
    }
    if (res.status !== 429 && res.status < 500) {
      this.#onFailedRequest?.(batch.count);
      throw new StorageUnavailableError(`AMP remote write ${this.#endpoint}: ${message}`);
    }
    if (res.status === 429) {
      this.#onThrottled?.();
      throw new RetryableSendFailure(message, 429, retryAfterMs(res, Date.now()) ?? 0);
    }
    throw new RetryableSendFailure(message, res.status, retryAfterMs(res, Date.now()));
  }
}

/** A 429, 5xx or network failure of one attempt: worth another, after `throttledFor` if given. */
class RetryableSendFailure extends Error {
  constructor(
    readonly failure: string,
    readonly status?: number,
    readonly throttledFor?: number,
  ) {
    super(failure);
  }
}

/** Samples sorted by time; of equal timestamps, the last given wins. */
const lastPerTimestamp = (samples: readonly Sample[]): readonly Sample[] => {
  let increasing = true;
  for (let i = 1; i < samples.length && increasing; i++) {
    increasing = (samples[i - 1] as Sample).t < (samples[i] as Sample).t;
  }
  if (increasing) return samples;
  const byTime = new Map<number, Sample>();
  for (const s of samples) {
    byTime.delete(s.t); // re-insert, so that the map's order stays "last given"
    byTime.set(s.t, s);
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t);
};

/** Cuts series into batches of at most `max` samples, series and samples kept in order. */
const planBatches = (series: readonly Series[], max: number): Batch[] => {
  const batches: Batch[] = [];
  let current: Series[] = [];
  let count = 0;
  for (const s of series) {
    for (let i = 0; i < s.samples.length; ) {
      const take = Math.min(max - count, s.samples.length - i);
      current.push({ labels: s.labels, samples: s.samples.slice(i, i + take) });
      count += take;
      i += take;
      if (count === max) {
        batches.push({ series: current, count });
        current = [];
        count = 0;
      }
    }
  }
  if (count > 0) batches.push({ series: current, count });
  return batches;
};

const originsOf = (batch: Batch): Origin[] =>
  batch.series.flatMap((s) => s.samples.map((sample) => ({ labels: s.labels, sample })));

/** Splits a batch of two or more samples into two non-empty halves, order kept. */
const halve = (batch: Batch): [Batch, Batch] => {
  const half = Math.floor(batch.count / 2);
  const [first] = planBatches(batch.series, half);
  const rest = originsOf(batch).slice(half);
  const second: Series[] = [];
  for (const o of rest) {
    const last = second[second.length - 1];
    if (last && last.labels === o.labels) (last.samples as Sample[]).push(o.sample);
    else second.push({ labels: o.labels, samples: [o.sample] });
  }
  return [first as Batch, { series: second, count: rest.length }];
};
