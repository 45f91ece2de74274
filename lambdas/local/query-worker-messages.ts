/**
 * Messages between local mode's main thread and its query workers, and the packing of selected
 * samples into Float64Arrays: a worker receives them as transferred buffers (no copy, no
 * per-sample objects to clone). Stale markers survive: a Float64Array keeps a NaN's payload bits.
 */
import type { ResponseEncoding } from '../api/query';
import type { QueryRequest } from '../domain/promql';
import type { TimeRange } from '../domain/ports';
import type { Labels } from '../domain/series/labels';
import type { LabelMatcher } from '../domain/series/matchers';
import type { Series } from '../domain/series/sample';

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

/** Packs series; returns the buffers to transfer with it. */
const packSeries = (
  list: readonly { labels: Labels; samples: readonly { t: number; v: number }[] }[],
): { packed: PackedSeries; transfer: ArrayBuffer[] } => {
  let n = 0;
  for (const s of list) n += s.samples.length;
  const lengths = new Int32Array(list.length);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  let at = 0;
  list.forEach((s, i) => {
    lengths[i] = s.samples.length;
    for (const p of s.samples) {
      t[at] = p.t;
      v[at] = p.v;
      at++;
    }
  });
  return {
    packed: { labels: list.map((s) => s.labels), lengths, t, v },
    transfer: [lengths.buffer, t.buffer, v.buffer] as ArrayBuffer[],
  };
};

/** Unpacks series into `{ t, v }` samples. */
const unpackSeries = (p: PackedSeries): Series[] => {
  const out: Series[] = [];
  let at = 0;
  p.labels.forEach((labels, i) => {
    const n = p.lengths[i] as number;
    const samples = new Array<{ t: number; v: number }>(n);
    for (let k = 0; k < n; k++, at++) samples[k] = { t: p.t[at] as number, v: p.v[at] as number };
    out.push({ labels, samples });
  });
  return out;
};

export { packSeries, unpackSeries };
