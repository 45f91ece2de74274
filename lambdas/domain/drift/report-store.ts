import type { DriftReport, DriftReportSummary } from './report';

/**
 * Drift monitor reports, one per monitor run: the JSON report and its HTML page side by side, in
 * an S3 bucket on AWS, files under the data directory locally. Reports are immutable; putting the
 * same id again replaces both (a retried run).
 */
export interface DriftReportStore {
  /** Stores the report and its page (`driftReportHtml(report)`). */
  put(report: DriftReport, html: string): Promise<void>;
  /** Reports newest first, of one monitor or of all; at most `limit`. */
  list(query: { readonly monitor?: string; readonly limit: number }): Promise<DriftReportSummary[]>;
  /** The report with this id, or undefined. */
  get(id: string): Promise<DriftReport | undefined>;
  /** The HTML page of the report with this id, or undefined. */
  getHtml(id: string): Promise<string | undefined>;
}
