/**
 * Drift statistics: the shared vocabulary. The method definitions follow Evidently's
 * drift tests (evidently `calculations/stattests/*.py`), the numbers follow scipy/numpy.
 */

/** The drift statistics Vigil computes, named as Evidently names its stattests. */
export const DRIFT_METHODS = [
  'ks',
  'wasserstein',
  'psi',
  'jensenshannon',
  'chisquare',
  'z',
] as const;
export type DriftMethod = (typeof DRIFT_METHODS)[number];

/** A method, or `auto`: Evidently's default choice by column type and reference size. */
export type MethodChoice = DriftMethod | 'auto';

/** The methods that compare binned distributions (and so accept Prometheus histogram buckets). */
export const BINNED_METHODS = ['psi', 'jensenshannon', 'chisquare'] as const;
export type BinnedMethod = (typeof BINNED_METHODS)[number];

/**
 * Default thresholds, as Evidently's: p-value tests (`ks`, `chisquare`, `z`) drift when the
 * p-value is below 0.05 (`ks`: ≤), distances (`wasserstein`, `psi`, `jensenshannon`) when the
 * value is ≥ 0.1.
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  wasserstein: 0.1,
  psi: 0.1,
  jensenshannon: 0.1,
  chisquare: 0.05,
  z: 0.05,
};

/** Methods whose result is a p-value test (drift when p is small); the others are distances. */
export const P_VALUE_METHODS: readonly DriftMethod[] = ['ks', 'chisquare', 'z'];

/** Below this many non-missing values in either window a column gets `insufficient_data`. */
export const DEFAULT_MIN_SAMPLE_SIZE = 30;

/** Dataset drift when the share of drifted columns is at least this. */
export const DEFAULT_DRIFT_SHARE = 0.5;

/** The verdict of a column that has fewer values than the minimum sample size in a window. */
export const INSUFFICIENT_DATA = 'insufficient_data';

/** Binned distributions a result was computed from (psi, jensenshannon, chisquare): for reports. */
export interface DriftBins {
  /** Bin labels: `[lo, hi)` intervals (the last one closed) for numeric bins, or the category. */
  readonly labels: string[];
  /** Reference counts per bin. */
  readonly reference: number[];
  /** Current counts per bin. */
  readonly current: number[];
}

/**
 * A numeric column's distributions over shared bins, for reports of methods that bin nothing
 * themselves (ks, wasserstein): numpy's Sturges edges over both windows, `[e_i, e_{i+1})`, the last
 * bin closed.
 */
export interface DriftHistogram {
  /** Bin edges, one more than the counts. */
  readonly edges: number[];
  readonly reference: number[];
  readonly current: number[];
}

/**
 * One column's verdict. `statistic` is the test's own statistic (D for ks, χ² for chisquare, z
 * for z, the distance or index otherwise); `p_value` is null for distance methods. With
 * `drift: 'insufficient_data'` both are null. A χ² of +∞ (a current category the reference never
 * saw) is JSON-serialised as null with `p_value` 0.
 */
export interface ColumnDrift {
  readonly column: string;
  readonly method: DriftMethod;
  readonly statistic: number | null;
  readonly p_value: number | null;
  readonly threshold: number;
  readonly drift: boolean | typeof INSUFFICIENT_DATA;
  readonly n_reference: number;
  readonly n_current: number;
  /** Missing values (NaN, ±Infinity, '') dropped from the reference before comparing; absent when none. */
  readonly dropped_reference?: number;
  /** Missing values dropped from the current window; absent when none. */
  readonly dropped_current?: number;
  readonly bins?: DriftBins;
  /** Numeric columns compared by ks or wasserstein: their histograms (reports draw them). */
  readonly histogram?: DriftHistogram;
}

/** All columns' verdicts and the dataset verdict. */
export interface DatasetDrift {
  readonly columns: ColumnDrift[];
  /**
   * Drifted columns ÷ columns that got a verdict (`insufficient_data` columns are left out of
   * both); 0 when no column got a verdict.
   */
  readonly share_drifted: number;
  /** `share_drifted ≥ driftShare` (and at least one column got a verdict). */
  readonly dataset_drift: boolean;
}

/** A table of named columns; numbers and strings as parsed (missing values already dropped). */
export interface Table {
  readonly columns: string[];
  readonly values: Record<string, (number | string)[]>;
}

/** Options of {@link compareColumn}. */
export interface CompareColumnOptions {
  /** @default 'auto' */
  readonly method?: MethodChoice;
  /** @default DEFAULT_THRESHOLDS[method] */
  readonly threshold?: number;
  /** @default 30 */
  readonly minSampleSize?: number;
}

/** Options of {@link compareDatasets}. */
export interface CompareDatasetsOptions extends CompareColumnOptions {
  /** Columns to compare. @default every column present in both tables, in the reference's order */
  readonly columns?: string[];
  /** @default 0.5 */
  readonly driftShare?: number;
}

/** Options of {@link compareBinned}. */
export interface CompareBinnedOptions {
  /** @default DEFAULT_THRESHOLDS[method] */
  readonly threshold?: number;
  /** Bin labels (e.g. histogram `le` bounds). @default '0', '1', … */
  readonly labels?: string[];
  /** The column / feature name of the result. @default '' */
  readonly column?: string;
}
