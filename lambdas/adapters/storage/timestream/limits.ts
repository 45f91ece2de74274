/**
 * Amazon Timestream for LiveAnalytics limits this adapter is built around, with their sources.
 *
 * - Quotas ("Service limits"): https://docs.aws.amazon.com/timestream/latest/developerguide/ts-limits.html
 *   records per WriteRecords request 100; dimensions per table 128; unique measure names per
 *   table 8192; dimension name 60 bytes; measure name 256 bytes; size of the dimension
 *   name/value pairs of one series 2 KB; maximum record size 2 KB; future ingestion period 15
 *   minutes (records more than 15 min ahead of the service clock are rejected).
 * - Dimension naming: https://docs.aws.amazon.com/iot/latest/apireference/API_TimestreamDimension.html
 *   "Dimensions cannot be named: measure_name, measure_value, or time. These names are reserved.
 *   Dimension names cannot start with ts_ or measure_value and they cannot contain the colon (:)".
 *   Columns starting with `measure_name` are reserved too (ts-limits.html#limits.system_identifier).
 * - DOUBLE: https://docs.aws.amazon.com/timestream/latest/developerguide/supported-data-types.html
 *   "There are functions for Infinity and NaN double values which can be used in queries. But you
 *   cannot write those values to Timestream."
 * - Upserts: https://docs.aws.amazon.com/timestream/latest/developerguide/API_WriteRecords.html
 *   Version defaults to 1; a write with a higher Version replaces the record's measure value; an
 *   equal or lower Version with a different value is rejected, and the RejectedRecord carries
 *   `ExistingVersion` ("resend the request with a version ... greater than the ExistingVersion").
 * - Regular expressions: https://docs.aws.amazon.com/timestream/latest/developerguide/regex-functions.html
 *   Java pattern syntax; `regexp_like` is a *contains* match unless anchored.
 */

/** Records per WriteRecords request (ts-limits.html, "Records per WriteRecords API request"). */
export const MAX_RECORDS_PER_WRITE = 100;

/** Bytes in a dimension name (ts-limits.html, "Dimension name length"). */
export const MAX_DIMENSION_NAME_BYTES = 60;

/** Bytes in a measure name (ts-limits.html, "Measure name length"). */
export const MAX_MEASURE_NAME_BYTES = 256;

/** Dimensions per table (ts-limits.html, "Dimensions per table"). */
export const MAX_DIMENSIONS_PER_TABLE = 128;

/** Bytes of all dimension name/value pairs of one series (ts-limits.html). */
export const MAX_SERIES_DIMENSION_BYTES = 2048;

/** How far ahead of the service clock a record may be (ts-limits.html, "Future ingestion period"). */
export const FUTURE_INGESTION_PERIOD_MS = 15 * 60 * 1000;

/**
 * Rows of a `SELECT` Timestream returns in one page: pages are at most 1 MB ("If MaxRows is not
 * provided, Timestream will send the necessary number of rows to meet the 1 MB limit",
 * https://docs.aws.amazon.com/timestream/latest/APIReference/API_query_Query.html).
 */
export const QUERY_PAGE_BYTES = 1024 * 1024;

/**
 * Time a query may spend reading: the query API gives up after 25 s (API Gateway's REST
 * integration timeout is 29 s, `lambdas/api/query.ts`).
 */
export const QUERY_BUDGET_MS = 25_000;

/**
 * Latency of one Query page. AWS documents none (a Query call may take up to 60 s,
 * API_query_Query.html); this is an assumption, and the bench (`bench/timestream-read.ts`)
 * takes it as a parameter.
 */
export const ASSUMED_PAGE_LATENCY_MS = 300;

/**
 * Bytes one sample row takes in a page: `{"Data":[{"ScalarValue":…},…]}` with the metric name, a
 * timestamp, a value and seven labels, as `bench/timestream-read.ts` measures it.
 */
export const TYPICAL_ROW_BYTES = 270;

/**
 * Rows one select may read within {@link QUERY_BUDGET_MS}: whole pages at
 * {@link ASSUMED_PAGE_LATENCY_MS}, half the budget left for counting, decoding and evaluating.
 */
export const DEFAULT_MAX_ROWS_PER_SELECT = Math.floor(
  (QUERY_BUDGET_MS / 2 / ASSUMED_PAGE_LATENCY_MS) *
    Math.floor(QUERY_PAGE_BYTES / TYPICAL_ROW_BYTES),
);
