/**
 * Messages between local mode's main thread and its query workers, and the packing of selected
 * samples into Float64Arrays: a worker receives them as transferred buffers (no copy, no
 * per-sample objects to clone). Stale markers survive: a Float64Array keeps a NaN's payload bits.
 */
import type { ResponseEncoding } from '../api/query';
import type { QueryRequest } from '../domain/promql';
import type { TimeRange } from '../domain/ports';
import type { ColumnSeries } from '../domain/series/columns';
import type { Labels } from '../domain/series/labels';
import type { LabelMatcher } from '../domain/series/matchers';

/** Series with their samples laid end to end: series `i` has `lengths[i]` samples. */
export interface PackedSeries {
  readonly labels: Labels[];
  readonly lengths: Int32Array;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** Main thread → worker. */
export type ToWorker =
  | {
      readonly type: 'query';
      readonly id: number;
      readonly req: QueryRequest;
      /** How the worker encodes the response body. */
      readonly encoding: ResponseEncoding;
    }
  | { readonly type: 'selected'; readonly selectId: number; readonly series: PackedSeries }
  | { readonly type: 'selectFailed'; readonly selectId: number };

/** Worker → main thread. */
export type FromWorker =
  | {
      readonly type: 'select';
      readonly id: number;
      readonly selectId: number;
      readonly matchers: readonly LabelMatcher[];
      readonly range: TimeRange;
    }
  /** The response body, encoded in the worker. */
  | { readonly type: 'result'; readonly id: number; readonly body: string }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly name: string;
      readonly message: string;
      /** Line and column of a parse error. */
      readonly position?: { line: number; column: number };
      /** The size limit a response passed. */
      readonly limitBytes?: number;
    };

/**
 * One column of every series, end to end, in a new buffer: a select's columns may be views of
 * the store's own buffers, which must never be transferred away.
 */
const packColumn = (list: readonly ColumnSeries[], col: 't' | 'v', n: number): Float64Array => {
  const out = new Float64Array(n);
  let at = 0;
  for (const s of list) {
    out.set(s[col], at);
    at += s[col].length;
  }
  return out;
};

/** Packs series; returns the buffers to transfer with it. */
const packSeries = (
  list: readonly ColumnSeries[],
): { packed: PackedSeries; transfer: ArrayBuffer[] } => {
  let n = 0;
  for (const s of list) n += s.t.length;
  const lengths = new Int32Array(list.length);
  list.forEach((s, i) => {
    lengths[i] = s.t.length;
  });
  const t = packColumn(list, 't', n);
  const v = packColumn(list, 'v', n);
  return {
    packed: { labels: list.map((s) => s.labels), lengths, t, v },
    transfer: [lengths.buffer, t.buffer, v.buffer] as ArrayBuffer[],
  };
};

/** Unpacks series as views of the received buffers (no copy). */
const unpackSeries = (p: PackedSeries): ColumnSeries[] => {
  const out: ColumnSeries[] = [];
  let at = 0;
  p.labels.forEach((labels, i) => {
    const n = p.lengths[i] as number;
    out.push({ labels, t: p.t.subarray(at, at + n), v: p.v.subarray(at, at + n) });
    at += n;
  });
  return out;
};

export { packSeries, unpackSeries };
