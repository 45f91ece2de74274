/**
 * Column and dataset drift: picks the method (Evidently's `auto` rules), applies the minimum
 * sample size, computes the statistic and the verdict. Pure: values in, verdicts out.
 */
import {
  binCategories,
  binNumeric,
  binSortedValues,
  distinctSorted,
  histogramOf,
  MAX_DISTINCT_FOR_CATEGORIES,
} from './binning';
import type { BinnedCounts } from './binning';
import { chiSquaredFromCounts } from './chi-squared';
import { DriftOptionsError } from './errors';
import { jensenShannonFromCounts } from './jensen-shannon';
import { ksTwoSample } from './ks';
import { sortFloat64 } from './sort';
import { psiFromCounts } from './psi';
import {
  BINNED_METHODS,
  DEFAULT_DRIFT_SHARE,
  DEFAULT_MIN_SAMPLE_SIZE,
  DEFAULT_THRESHOLDS,
  DRIFT_METHODS,
  INSUFFICIENT_DATA,
} from './types';
import type {
  BinnedMethod,
  ColumnDrift,
  CompareBinnedOptions,
  CompareColumnOptions,
  CompareDatasetsOptions,
  DatasetDrift,
  DriftHistogram,
  DriftMethod,
  MethodChoice,
  Table,
} from './types';
import { wassersteinNormed } from './wasserstein';
import { zTestFromCounts } from './z-test';

/** Evidently's `SMALL_SAMPLE_ROW_LIMIT`: references up to this many rows get tests, above it distances. */
const AUTO_SMALL_REFERENCE_ROWS = 1000;
/** `auto` on a small reference: numeric columns with more distinct values than this get `ks`. */
const AUTO_MAX_DISTINCT_FOR_CATEGORICAL_TESTS = 5;

type Value = number | string;

/** A column's values after dropping missing ones: numeric (sorted) or categorical. */
type Prepared =
  | { readonly kind: 'numeric'; readonly sorted: Float64Array }
  | { readonly kind: 'categorical'; readonly values: readonly Value[] };

const isMissing = (v: Value): boolean => (typeof v === 'number' && !Number.isFinite(v)) || v === '';

/**
 * Both windows numeric when every non-missing value of both is a number; otherwise both are
 * categorical (numbers then compare as categories). NaN, ±Infinity and '' are missing values,
 * as Evidently replaces ±inf by NaN and drops NaN.
 */
const prepare = (reference: readonly Value[], current: readonly Value[]): [Prepared, Prepared] => {
  const a = numericSorted(reference);
  const b = a && numericSorted(current);
  if (a && b) {
    return [
      { kind: 'numeric', sorted: a },
      { kind: 'numeric', sorted: b },
    ];
  }
  return [
    { kind: 'categorical', values: reference.filter((v) => !isMissing(v)) },
    { kind: 'categorical', values: current.filter((v) => !isMissing(v)) },
  ];
};

/** The finite numbers of `values`, sorted, in one pass; undefined when a value is a non-empty string. */
const numericSorted = (values: readonly Value[]): Float64Array | undefined => {
  const out = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number') {
      if (v - v === 0) out[n++] = v; // finite: NaN and ±Infinity are missing values
    } else if (v !== '') return undefined;
  }
  return sortFloat64(n === out.length ? out : out.slice(0, n));
};

const sizeOf = (p: Prepared): number => (p.kind === 'numeric' ? p.sorted.length : p.values.length);

const distinctUnion = (ref: Prepared, cur: Prepared): number => {
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    const all = new Float64Array(ref.sorted.length + cur.sorted.length);
    all.set(ref.sorted);
    all.set(cur.sorted, ref.sorted.length);
    return distinctSorted(all.sort());
  }
  const values = [
    ...(ref.kind === 'categorical' ? ref.values : []),
    ...(cur.kind === 'categorical' ? cur.values : []),
  ];
  return new Set(values.map(String)).size;
};

/**
 * Evidently's default stattest (calculations/stattests/registry.py `_get_default_stattest`),
 * with n = distinct values over both windows: reference ≤ 1,000 rows → numeric with n > 5:
 * `ks`, else `chisquare` (n > 2) or `z`; reference > 1,000 rows → numeric with n > 5:
 * `wasserstein`, else `jensenshannon`.
 */
const autoMethod = (ref: Prepared, cur: Prepared): DriftMethod => {
  const n = distinctUnion(ref, cur);
  const numeric = ref.kind === 'numeric';
  if (sizeOf(ref) <= AUTO_SMALL_REFERENCE_ROWS) {
    if (numeric && n > AUTO_MAX_DISTINCT_FOR_CATEGORICAL_TESTS) return 'ks';
    return n > 2 ? 'chisquare' : 'z';
  }
  if (numeric && n > AUTO_MAX_DISTINCT_FOR_CATEGORICAL_TESTS) return 'wasserstein';
  return 'jensenshannon';
};

const isDriftMethod = (m: unknown): m is DriftMethod => DRIFT_METHODS.includes(m as DriftMethod);

const checkMethod = (method: unknown): MethodChoice => {
  if (method === 'auto' || isDriftMethod(method)) return method;
  throw new DriftOptionsError(
    `unknown drift method ${JSON.stringify(method)}: expected auto, ${DRIFT_METHODS.join(', ')}`,
  );
};

const checkThreshold = (threshold: unknown): number | undefined => {
  if (threshold === undefined) return undefined;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0) {
    throw new DriftOptionsError(
      `threshold must be a finite number ≥ 0, got ${JSON.stringify(threshold)}`,
    );
  }
  return threshold;
};

const checkMinSampleSize = (n: unknown): number => {
  if (n === undefined) return DEFAULT_MIN_SAMPLE_SIZE;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new DriftOptionsError(`minSampleSize must be an integer ≥ 1, got ${JSON.stringify(n)}`);
  }
  return n;
};

/** One bin per value seen in either window (numeric windows counted from their sorted arrays). */
const categoriesOf = (ref: Prepared, cur: Prepared): BinnedCounts => {
  if (ref.kind === 'numeric' && cur.kind === 'numeric')
    return binSortedValues(ref.sorted, cur.sorted);
  const values = (p: Prepared): readonly Value[] =>
    p.kind === 'numeric' ? Array.from(p.sorted) : p.values;
  return binCategories(values(ref), values(cur));
};

/** Categorical counts (or Sturges bins for numeric columns with > 20 distinct reference values). */
const binsOf = (ref: Prepared, cur: Prepared): BinnedCounts => {
  if (
    ref.kind === 'numeric' &&
    cur.kind === 'numeric' &&
    distinctSorted(ref.sorted) > MAX_DISTINCT_FOR_CATEGORIES
  ) {
    return binNumeric(ref.sorted, cur.sorted);
  }
  return categoriesOf(ref, cur);
};

/** Drift when the p-value is small (≤ for ks as Evidently, < otherwise), or the distance large. */
const verdict = (
  method: DriftMethod,
  statistic: number,
  pValue: number | null,
  threshold: number,
): boolean => {
  switch (method) {
    case 'ks':
      return (pValue as number) <= threshold;
    case 'chisquare':
    case 'z':
      return (pValue as number) < threshold;
    case 'wasserstein':
    case 'psi':
    case 'jensenshannon':
      return statistic >= threshold;
    default: {
      const never: never = method;
      throw new DriftOptionsError(`unknown drift method ${String(never)}`);
    }
  }
};

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A result with its keys in the order of the JSON (bins last, only when present). */
const result = (r: ColumnDrift): ColumnDrift => ({
  column: r.column,
  method: r.method,
  statistic: r.statistic,
  p_value: r.p_value,
  threshold: r.threshold,
  drift: r.drift,
  n_reference: r.n_reference,
  n_current: r.n_current,
  ...(r.dropped_reference ? { dropped_reference: r.dropped_reference } : {}),
  ...(r.dropped_current ? { dropped_current: r.dropped_current } : {}),
  ...(r.bins ? { bins: r.bins } : {}),
  ...(r.histogram ? { histogram: r.histogram } : {}),
});

const compute = (
  method: DriftMethod,
  ref: Prepared,
  cur: Prepared,
): {
  statistic: number;
  pValue: number | null;
  bins?: BinnedCounts;
  histogram?: DriftHistogram;
} => {
  switch (method) {
    case 'ks':
    case 'wasserstein': {
      if (ref.kind !== 'numeric' || cur.kind !== 'numeric') {
        throw new DriftOptionsError(`method ${method} needs a numeric column`);
      }
      const histogram = histogramOf(ref.sorted, cur.sorted);
      if (method === 'wasserstein') {
        return { statistic: wassersteinNormed(ref.sorted, cur.sorted), pValue: null, histogram };
      }
      const r = ksTwoSample(ref.sorted, cur.sorted);
      return { statistic: r.statistic, pValue: r.pValue, histogram };
    }
    case 'psi': {
      const bins = binsOf(ref, cur);
      return { statistic: psiFromCounts(bins.reference, bins.current), pValue: null, bins };
    }
    case 'jensenshannon': {
      const bins = binsOf(ref, cur);
      return {
        statistic: jensenShannonFromCounts(bins.reference, bins.current),
        pValue: null,
        bins,
      };
    }
    case 'chisquare': {
      const bins = categoriesOf(ref, cur);
      const r = chiSquaredFromCounts(bins.reference, bins.current);
      return { statistic: r.statistic, pValue: r.pValue, bins };
    }
    case 'z': {
      const bins = categoriesOf(ref, cur);
      const r = zTestFromCounts(bins.reference, bins.current);
      return { statistic: r.statistic, pValue: r.pValue, bins };
    }
    default: {
      const never: never = method;
      throw new DriftOptionsError(`unknown drift method ${String(never)}`);
    }
  }
};

/**
 * Compares one column's reference and current values with one drift method.
 *
 * Missing values (NaN, ±Infinity, '') are dropped first and counted (`dropped_reference`,
 * `dropped_current`, present when not 0). With fewer than `minSampleSize` values
 * in either window the result is `drift: 'insufficient_data'` with null statistic and p-value
 * (the method is still the one `auto` would pick). `ks` and `wasserstein` need numeric columns
 * and throw {@link DriftOptionsError} otherwise; the other methods treat values as categories
 * (psi and jensenshannon bin numeric columns with > 20 distinct reference values by Sturges).
 *
 * @param name the column name reported back
 * @param options.method @default 'auto'
 * @param options.threshold @default DEFAULT_THRESHOLDS[method]
 * @param options.minSampleSize @default 30
 * @example compareColumn('age', ref, cur, { method: 'ks' }) // { method: 'ks', statistic: D, p_value, drift, … }
 */
const compareColumn = (
  name: string,
  reference: readonly Value[],
  current: readonly Value[],
  options: CompareColumnOptions = {},
): ColumnDrift => {
  const choice = checkMethod(options.method ?? 'auto');
  const explicitThreshold = checkThreshold(options.threshold);
  const minSampleSize = checkMinSampleSize(options.minSampleSize);
  const [ref, cur] = prepare(reference, current);
  const nRef = sizeOf(ref);
  const nCur = sizeOf(cur);
  const method = choice === 'auto' ? autoMethod(ref, cur) : choice;
  const threshold = explicitThreshold ?? DEFAULT_THRESHOLDS[method];
  const base = {
    column: name,
    method,
    threshold,
    n_reference: nRef,
    n_current: nCur,
    dropped_reference: reference.length - nRef,
    dropped_current: current.length - nCur,
  };
  if (nRef < minSampleSize || nCur < minSampleSize || nRef === 0 || nCur === 0) {
    return result({ ...base, statistic: null, p_value: null, drift: INSUFFICIENT_DATA });
  }
  if ((method === 'ks' || method === 'wasserstein') && ref.kind !== 'numeric') {
    throw new DriftOptionsError(
      `method ${method} needs a numeric column; column ${JSON.stringify(name)} has non-numeric values`,
    );
  }
  const r = compute(method, ref, cur);
  const drift = verdict(method, r.statistic, r.pValue, threshold);
  return result({
    ...base,
    statistic: finite(r.statistic),
    p_value: r.pValue,
    drift,
    ...(r.bins ? { bins: r.bins } : {}),
    ...(r.histogram ? { histogram: r.histogram } : {}),
  });
};

/**
 * Compares every column (or `options.columns`) of two tables. `share_drifted` = drifted columns
 * ÷ columns with a verdict (`insufficient_data` columns are in neither); `dataset_drift` when
 * that share ≥ `driftShare` and at least one column has a verdict.
 * @throws DriftOptionsError when a requested column is missing from either table
 * @example compareDatasets(parseCsvTable(ref), parseCsvTable(cur)).dataset_drift
 */
const compareDatasets = (
  reference: Table,
  current: Table,
  options: CompareDatasetsOptions = {},
): DatasetDrift => {
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  if (!Number.isFinite(driftShare) || driftShare < 0 || driftShare > 1) {
    throw new DriftOptionsError(`driftShare must be between 0 and 1, got ${driftShare}`);
  }
  let names: string[];
  if (options.columns) {
    const missing = options.columns.filter(
      (c) => !reference.columns.includes(c) || !current.columns.includes(c),
    );
    if (missing.length > 0) {
      throw new DriftOptionsError(
        `column(s) not in both tables: ${missing.map((c) => JSON.stringify(c)).join(', ')}`,
      );
    }
    names = options.columns;
  } else {
    names = reference.columns.filter((c) => current.columns.includes(c));
  }
  const columns = names.map((name) =>
    compareColumn(name, reference.values[name] ?? [], current.values[name] ?? [], options),
  );
  const judged = columns.filter((c) => c.drift !== INSUFFICIENT_DATA);
  const drifted = judged.filter((c) => c.drift === true).length;
  const share = judged.length === 0 ? 0 : drifted / judged.length;
  return {
    columns,
    share_drifted: share,
    dataset_drift: judged.length > 0 && share >= driftShare,
  };
};

/**
 * Compares two binned distributions given as counts over the same bins — e.g. the increases of
 * a Prometheus histogram's (de-cumulated) buckets over two windows — with psi, jensenshannon or
 * chisquare. Either total below `minSampleSize` gives `insufficient_data`.
 * @example compareBinned([10, 30, 60], [30, 30, 40], 'psi', { labels: ['0.1', '0.5', '+Inf'] })
 */
const compareBinned = (
  referenceCounts: readonly number[],
  currentCounts: readonly number[],
  method: BinnedMethod,
  options: CompareBinnedOptions & { readonly minSampleSize?: number } = {},
): ColumnDrift => {
  if (!BINNED_METHODS.includes(method)) {
    throw new DriftOptionsError(
      `method ${JSON.stringify(method)} does not compare bins: expected ${BINNED_METHODS.join(', ')}`,
    );
  }
  if (referenceCounts.length !== currentCounts.length || referenceCounts.length === 0) {
    throw new DriftOptionsError(
      `bins differ: ${referenceCounts.length} reference vs ${currentCounts.length} current counts`,
    );
  }
  for (const c of [...referenceCounts, ...currentCounts]) {
    if (!Number.isFinite(c) || c < 0) {
      throw new DriftOptionsError(`bin counts must be finite and ≥ 0, got ${c}`);
    }
  }
  const labels = options.labels ?? referenceCounts.map((_, i) => String(i));
  if (labels.length !== referenceCounts.length) {
    throw new DriftOptionsError(`${labels.length} labels for ${referenceCounts.length} bins`);
  }
  const threshold = checkThreshold(options.threshold) ?? DEFAULT_THRESHOLDS[method];
  const minSampleSize = checkMinSampleSize(options.minSampleSize);
  const nRef = referenceCounts.reduce((s, x) => s + x, 0);
  const nCur = currentCounts.reduce((s, x) => s + x, 0);
  const bins = {
    labels: [...labels],
    reference: [...referenceCounts],
    current: [...currentCounts],
  };
  const base = {
    column: options.column ?? '',
    method,
    threshold,
    n_reference: nRef,
    n_current: nCur,
  };
  if (nRef < minSampleSize || nCur < minSampleSize || nRef === 0 || nCur === 0) {
    return result({ ...base, statistic: null, p_value: null, drift: INSUFFICIENT_DATA, bins });
  }
  let statistic: number;
  let pValue: number | null = null;
  if (method === 'psi') statistic = psiFromCounts(referenceCounts, currentCounts);
  else if (method === 'jensenshannon')
    statistic = jensenShannonFromCounts(referenceCounts, currentCounts);
  else {
    const r = chiSquaredFromCounts(referenceCounts, currentCounts);
    statistic = r.statistic;
    pValue = r.pValue;
  }
  return result({
    ...base,
    statistic: finite(statistic),
    p_value: pValue,
    drift: verdict(method, statistic, pValue, threshold),
    bins,
  });
};

export { AUTO_SMALL_REFERENCE_ROWS, compareBinned, compareColumn, compareDatasets };
