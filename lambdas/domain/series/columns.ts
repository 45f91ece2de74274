import type { Labels } from './labels';
import type { Series } from './sample';

/**
 * A series with its samples as two columns: `t[i]` (ms) and `v[i]`, sorted by time. The columns
 * may be views of one larger buffer shared by the series of one `select`.
 */
export interface ColumnSeries {
  readonly labels: Labels;
  readonly t: Float64Array;
  readonly v: Float64Array;
}

/** Series with `{ t, v }` samples as columns, laid end to end in one pair of buffers. */
const toColumns = (list: readonly Series[]): ColumnSeries[] => {
  let n = 0;
  for (const s of list) n += s.samples.length;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  const out: ColumnSeries[] = new Array(list.length);
  let at = 0;
  list.forEach((s, i) => {
    const from = at;
    for (const x of s.samples) {
      t[at] = x.t;
      v[at] = x.v;
      at++;
    }
    out[i] = { labels: s.labels, t: t.subarray(from, at), v: v.subarray(from, at) };
  });
  return out;
};

/** Columns back into `{ t, v }` samples. */
const fromColumns = (list: readonly ColumnSeries[]): Series[] =>
  list.map((s) => {
    const samples = new Array<{ t: number; v: number }>(s.t.length);
    for (let i = 0; i < s.t.length; i++) samples[i] = { t: s.t[i] as number, v: s.v[i] as number };
    return { labels: s.labels, samples };
  });

export { fromColumns, toColumns };
