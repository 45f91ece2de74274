/**
 * Drift statistics: Evidently's drift tests, computed as scipy/numpy compute them.
 * `compareColumn`, `compareDatasets` and `compareBinned` are the entry points; `parseCsvTable`
 * reads reference/current tables.
 */
export type { BinnedCounts } from './binning';
export { binCategories, binNumeric, fillZeroShares, sturgesEdges } from './binning';
export type { ChiSquaredResult } from './chi-squared';
export { chiSquaredFromCounts } from './chi-squared';
export {
  AUTO_SMALL_REFERENCE_ROWS,
  compareBinned,
  compareColumn,
  compareDatasets,
} from './compare';
export { parseCsvTable } from './csv';
export { CsvParseError, DriftOptionsError } from './errors';
export { jensenShannonFromCounts } from './jensen-shannon';
export { kolmogorovSf } from './kolmogorov';
export type { KsResult } from './ks';
export { KS_MAX_EXACT_N, ksTwoSample } from './ks';
export { psiFromCounts } from './psi';
export { chiSquaredSf, normalCdf } from './special';
export type {
  BinnedMethod,
  ColumnDrift,
  CompareBinnedOptions,
  CompareColumnOptions,
  CompareDatasetsOptions,
  DatasetDrift,
  DriftBins,
  DriftHistogram,
  DriftMethod,
  MethodChoice,
  Table,
} from './types';
export {
  BINNED_METHODS,
  DEFAULT_DRIFT_SHARE,
  DEFAULT_MIN_SAMPLE_SIZE,
  DEFAULT_THRESHOLDS,
  DRIFT_METHODS,
  INSUFFICIENT_DATA,
  P_VALUE_METHODS,
} from './types';
export { wassersteinNormed } from './wasserstein';
export type { ZTestResult } from './z-test';
export { zTestFromCounts } from './z-test';
