/**
 * Reads Timestream's `RejectedRecordsException`: the records WriteRecords refused for their
 * data, each with its `RecordIndex` in the request, `Reason` and, for version conflicts,
 * `ExistingVersion`. Such records are never retried as they are; the writers map them back to
 * what the caller gave.
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/API_RejectedRecord.html
 */
import type { RejectedRecord } from '@aws-sdk/client-timestream-write';

/** A record Timestream refused: its index in the request's `Records`, and why. */
export interface RejectedRecordInfo {
  readonly index: number;
  readonly reason: string;
  readonly existingVersion?: number;
}

/**
 * The refused records of a `RejectedRecordsException`, or undefined when `error` is another
 * error.
 */
export const rejectedRecordsOf = (error: unknown): RejectedRecordInfo[] | undefined => {
  const e = error as { name?: string; RejectedRecords?: RejectedRecord[] } | undefined;
  if (e?.name !== 'RejectedRecordsException' || !Array.isArray(e.RejectedRecords)) return undefined;
  return e.RejectedRecords.map((r) => ({
    index: r.RecordIndex ?? -1,
    reason: r.Reason ?? 'rejected by Timestream (no reason given)',
    ...(r.ExistingVersion === undefined ? {} : { existingVersion: r.ExistingVersion }),
  }));
};
