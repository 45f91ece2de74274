/**
 * Messages between local mode's main thread and its query workers, and the packing of samples
 * and results into Float64Arrays: a worker receives selected samples as transferred buffers
 * (no copy, no per-sample objects on the main thread) and returns its result the same way.
 * Stale markers survive: a Float64Array keeps a NaN's payload bits.
 */
import type { QueryRequest, QueryResult, QueryValue } from '../domain/promql';
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

/** A query result with its series packed (vectors: one sample per series). */
export type PackedResult =
  | {
      readonly kind: 'series';
      readonly type: 'vector' | 'matrix';
      readonly series: PackedSeries;
      readonly warnings: readonly string[];
      readonly infos: readonly string[];
    }
  | {
      readonly kind: 'value';
      readonly value: QueryValue;
      readonly warnings: readonly string[];
      readonly infos: readonly string[];
    };

/** Main thread → worker. */
export type ToWorker =
  | { readonly type: 'query'; readonly id: number; readonly req: QueryRequest }
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
  | { readonly type: 'result'; readonly id: number; readonly result: PackedResult }
  | {
      readonly type: 'error';
      readonly id: number;
      readonly name: string;
      readonly message: string;
      /** Line and column of a parse error. */
      readonly position?: { line: number; column: number };
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

/** Packs a query result for the way back to the main thread. */
const packResult = (r: QueryResult): { packed: PackedResult; transfer: ArrayBuffer[] } => {
  const notes = { warnings: r.warnings, infos: r.infos };
  const value = r.value;
  if (value.type === 'vector' || value.type === 'matrix') {
    const list =
      value.type === 'vector'
        ? value.samples.map((s) => ({ labels: s.labels, samples: [{ t: s.t, v: s.v }] }))
        : value.series.map((s) => ({ labels: s.labels, samples: s.points }));
    const { packed, transfer } = packSeries(list);
    return { packed: { ...notes, kind: 'series', type: value.type, series: packed }, transfer };
  }
  return { packed: { ...notes, kind: 'value', value }, transfer: [] };
};

/** Unpacks a query result. */
const unpackResult = (p: PackedResult): QueryResult => {
  const notes = { warnings: p.warnings, infos: p.infos };
  if (p.kind === 'value') return { ...notes, value: p.value };
  const series = unpackSeries(p.series);
  if (p.type === 'vector') {
    const samples = series.map((s) => ({
      labels: s.labels,
      ...(s.samples[0] as { t: number; v: number }),
    }));
    return { ...notes, value: { type: 'vector', samples } };
  }
  const matrix = series.map((s) => ({ labels: s.labels, points: s.samples }));
  return { ...notes, value: { type: 'matrix', series: matrix } };
};

export { packResult, packSeries, unpackResult, unpackSeries };
