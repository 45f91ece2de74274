import type { DriftReport, DriftReportSummary } from './report';

/**
 * Drift monitor reports (JSON, one per monitor run): an S3 bucket on AWS, files under the data
 * directory locally. Reports are immutable; putting the same id again replaces it (a retried run).
 */
export interface DriftReportStore {
  put(report: DriftReport): Promise<void>;
  /** Reports newest first, of one monitor or of all; at most `limit`. */
  list(query: { readonly monitor?: string; readonly limit: number }): Promise<DriftReportSummary[]>;
  /** The report with this id, or undefined. */
  get(id: string): Promise<DriftReport | undefined>;
}
