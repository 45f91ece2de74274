/**
 * Runs one Timestream SQL statement to the end: follows `NextToken` (pages may be empty, the
 * column list comes with the pages that have rows), retries each page on throttling and 5xx,
 * and hands every row to the caller as column name → scalar (`undefined` for NULL).
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/API_query_Query.html
 */
import {
  type ColumnInfo,
  QueryCommand,
  type Row,
  type TimestreamQueryClient,
} from '@aws-sdk/client-timestream-query';
import { StorageUnavailableError } from '../../../domain/errors';
import { describeAwsError, type RetryOptions, withRetries } from './retry';

/** Column name → scalar (or `undefined` for NULL) of one result row. */
export type RowValues = ReadonlyMap<string, string | undefined>;

const rowValues = (columns: readonly ColumnInfo[], row: Row): RowValues => {
  const out = new Map<string, string | undefined>();
  (row.Data ?? []).forEach((d, i) => {
    const name = columns[i]?.Name;
    if (name !== undefined) out.set(name, d.NullValue ? undefined : d.ScalarValue);
  });
  return out;
};

/** Runs `sql`, following `NextToken`, and hands every row to `onRow`. */
export const queryAllPages = async (
  client: TimestreamQueryClient,
  sql: string,
  retry: RetryOptions,
  onRow: (row: RowValues) => void,
): Promise<void> => {
  let nextToken: string | undefined;
  let columns: ColumnInfo[] = [];
  do {
    const command = new QueryCommand({
      QueryString: sql,
      ...(nextToken ? { NextToken: nextToken } : {}),
    });
    const page = await withRetries(
      () => client.send(command),
      retry,
      (error) => {
        throw new StorageUnavailableError(
          `${retry.resource}: query failed: ${describeAwsError(error)} (query: ${sql.slice(0, 500)})`,
          { cause: error },
        );
      },
    );
    if (page.ColumnInfo && page.ColumnInfo.length > 0) columns = page.ColumnInfo;
    for (const row of page.Rows ?? []) onRow(rowValues(columns, row));
    nextToken = page.NextToken;
  } while (nextToken);
};
