/**
 * Values the evaluator passes around, and the results it returns. Internally every instant
 * vector or scalar is a {@link Matrix} with one point per evaluation step, as in Prometheus's
 * engine; series carry a `dropName` flag for delayed `__name__` removal.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/value.go
 */
import { type Labels, METRIC_NAME_LABEL } from '../series/labels';
import type { PositionRange } from './ast';
import { positionOf } from './errors';

/** One point of a series: time in ms and a float value. */
export interface Point {
  readonly t: number;
  readonly v: number;
}

/**
 * A series of points, as evaluated (not as stored): times `ts[i]` (ms) and values `vs[i]`, in
 * two number arrays rather than an object per point, so a range evaluation allocates little.
 */
export interface EvalSeries {
  labels: Labels;
  ts: number[] | Float64Array;
  vs: number[] | Float64Array;
  /** The metric name is to be removed when the query finishes (delayed name removal). */
  dropName: boolean;
}

/** A series list, one point per step at most. */
export type Matrix = EvalSeries[];

/** One element of an instant vector during evaluation. */
export interface EvalSample {
  labels: Labels;
  v: number;
  dropName: boolean;
}

/** An instant vector during evaluation. */
export type Vector = EvalSample[];

/** One sample of an instant-vector result. */
export interface InstantSample {
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

/** One series of a range-vector result. */
export interface RangeSeries {
  readonly labels: Labels;
  readonly points: readonly Point[];
}

/** Times and values of a range-vector result series, when it was built from columns. */
export interface PointColumns {
  readonly ts: ArrayLike<number>;
  readonly vs: ArrayLike<number>;
}

const seriesColumns = new WeakMap<RangeSeries, PointColumns>();

/**
 * A range-vector result series over the evaluator's columns: its `points` objects are built
 * the first time they are read, and an encoder that reads {@link columnsOf} never builds them.
 */
const columnRangeSeries = (labels: Labels, ts: ArrayLike<number>, vs: ArrayLike<number>) => {
  let points: Point[] | undefined;
  const series: RangeSeries = {
    labels,
    get points(): readonly Point[] {
      if (points === undefined) {
        points = new Array(ts.length);
        for (let i = 0; i < ts.length; i++) points[i] = { t: ts[i] as number, v: vs[i] as number };
      }
      return points;
    },
  };
  seriesColumns.set(series, { ts, vs });
  return series;
};

/** The columns a result series was built from, if it was ({@link columnRangeSeries}). */
const columnsOf = (series: RangeSeries): PointColumns | undefined => seriesColumns.get(series);

/** A query result, shaped like Prometheus's `resultType`s. */
export type QueryValue =
  | { readonly type: 'vector'; readonly samples: readonly InstantSample[] }
  | { readonly type: 'matrix'; readonly series: readonly RangeSeries[] }
  | { readonly type: 'scalar'; readonly t: number; readonly v: number }
  | { readonly type: 'string'; readonly t: number; readonly v: string };

/** What an evaluation returns: the value plus Prometheus-style annotations. */
export interface QueryResult {
  readonly value: QueryValue;
  readonly warnings: readonly string[];
  readonly infos: readonly string[];
}

/** Collects warnings and infos, deduplicated by message (like `util/annotations`). */
class Annotations {
  private readonly warnings = new Set<string>();
  private readonly infos = new Set<string>();
  constructor(private readonly query: string) {}

  /** Adds `PromQL warning: <msg> (line:col)`. */
  warn(msg: string, pos: PositionRange): void {
    this.warnings.add(`PromQL warning: ${msg}${this.at(pos)}`);
  }

  /** Adds `PromQL info: <msg> (line:col)`. */
  info(msg: string, pos: PositionRange): void {
    this.infos.add(`PromQL info: ${msg}${this.at(pos)}`);
  }

  private at(pos: PositionRange): string {
    const { line, column } = positionOf(this.query, pos.start);
    return ` (${line}:${column})`;
  }

  list(): { warnings: string[]; infos: string[] } {
    return { warnings: [...this.warnings], infos: [...this.infos] };
  }
}

const keyCache = new WeakMap<Labels, string>();

/** A canonical string for a label set (sorted names, empty values dropped); cached per object. */
const labelsKey = (labels: Labels): string => {
  let k = keyCache.get(labels);
  if (k === undefined) {
    const names = Object.keys(labels).sort();
    k = '';
    for (const n of names) {
      const v = labels[n];
      if (v !== undefined && v !== '') k += `${n}\u0000${v}\u0001`;
    }
    keyCache.set(labels, k);
  }
  return k;
};

const namesCache = new WeakMap<Labels, readonly string[]>();

/** The label names, sorted; cached per object (a sort compares each label set many times). */
const sortedNames = (labels: Labels): readonly string[] => {
  let names = namesCache.get(labels);
  if (names === undefined) {
    names = Object.keys(labels).sort();
    namesCache.set(labels, names);
  }
  return names;
};

/** Compares label sets like Prometheus's `labels.Compare` (sorted name/value pairs). */
const compareLabels = (a: Labels, b: Labels): number => {
  const an = sortedNames(a);
  const bn = sortedNames(b);
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    const x = an[i] as string;
    const y = bn[i] as string;
    if (x !== y) return x < y ? -1 : 1;
    const xv = a[x] as string;
    const yv = b[y] as string;
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return an.length - bn.length;
};

/** A copy without the given label names. */
const withoutLabels = (labels: Labels, names: Iterable<string>): Labels => {
  // Copied name by name: `delete` would turn the copy into a slow dictionary-mode object.
  const drop = Array.isArray(names) ? (names as readonly string[]) : [...names];
  const out: Record<string, string> = {};
  for (const n of Object.keys(labels)) if (!drop.includes(n)) out[n] = labels[n] as string;
  return out;
};

const withoutNameCache = new WeakMap<Labels, Labels>();

/**
 * The labels without `__name__`; cached per object, so a series met again (the next step's or the
 * next query's) keeps one label set, whose key is cached too.
 */
const withoutMetricName = (labels: Labels): Labels => {
  let out = withoutNameCache.get(labels);
  if (out === undefined) {
    out = withoutLabels(labels, [METRIC_NAME_LABEL]);
    withoutNameCache.set(labels, out);
  }
  return out;
};

/** A copy with only the given label names. */
const onlyLabels = (labels: Labels, names: Iterable<string>): Labels => {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = labels[n];
    if (v !== undefined && v !== '') out[n] = v;
  }
  return out;
};

/** Prometheus's `labels.String()`: `{__name__="a", b="c"}`. */
const formatLabels = (labels: Labels): string =>
  `{${Object.keys(labels)
    .sort()
    .map((n) => `${n}=${JSON.stringify(labels[n])}`)
    .join(', ')}}`;

export {
  Annotations,
  columnRangeSeries,
  columnsOf,
  compareLabels,
  formatLabels,
  labelsKey,
  onlyLabels,
  withoutLabels,
  withoutMetricName,
};
