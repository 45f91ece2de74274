/**
 * Reads Timestream's `RejectedRecordsException`: the records WriteRecords refused for their
 * data, each with its `RecordIndex` in the request, `Reason` and, for version conflicts,
 * `ExistingVersion`. Such records are never retried as they are; the writers map them back to
 * what the caller gave. {@link writeRecords} sends one request and returns them.
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/API_RejectedRecord.html
 */
import {
  type RejectedRecord,
  type TimestreamWriteClient,
  WriteRecordsCommand,
  type WriteRecordsCommandInput,
} from '@aws-sdk/client-timestream-write';
import { StorageUnavailableError } from '../../../domain/errors';
import { describeAwsError, type RetryOptions, withRetries } from './retry';

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

/**
 * One WriteRecords call with retries (throttling, 5xx); returns the records Timestream refused
 * for their data (empty when all were stored). Any other failure throws
 * `StorageUnavailableError` naming the table.
 */
export const writeRecords = (
  client: TimestreamWriteClient,
  input: WriteRecordsCommandInput,
  retry: RetryOptions,
): Promise<RejectedRecordInfo[]> => {
  const command = new WriteRecordsCommand(input);
  return withRetries(
    async () => {
      await client.send(command);
      return [];
    },
    retry,
    (error) => {
      const rejected = rejectedRecordsOf(error);
      if (rejected) return rejected;
      throw new StorageUnavailableError(
        `${retry.resource}: WriteRecords failed: ${describeAwsError(error)}`,
        { cause: error },
      );
    },
  );
};
