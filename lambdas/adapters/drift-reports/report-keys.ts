/**
 * Where drift reports live inside a bucket or a directory, shared by the S3 and file stores:
 * - `reports/<monitor>/<inverted time>.json`: the report;
 * - `reports/<monitor>/<inverted time>.html`: its HTML page;
 * - `index/<inverted time>.<monitor>`: an empty marker per report, so listing every monitor's
 *   reports newest first is one prefix listing.
 *
 * `<inverted time>` is {@link MAX_TIME_MS} − run time, zero-padded to 13 digits: listings come
 * back in ascending key order (S3 ListObjectsV2 returns keys in UTF-8 binary order), which is
 * newest first.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import { parseReportId, reportId } from '../../domain/drift/report';

/** Year 2286: the last run time keys can order. */
const MAX_TIME_MS = 9_999_999_999_999;
const REPORTS_PREFIX = 'reports/';
const INDEX_PREFIX = 'index/';

const inverted = (runAtMs: number): string => String(MAX_TIME_MS - runAtMs).padStart(13, '0');

/** Key of a report's body. */
const reportKey = (monitor: string, runAtMs: number): string =>
  `${REPORTS_PREFIX}${monitor}/${inverted(runAtMs)}.json`;

/** Key of a report's HTML page, beside its JSON. */
const htmlKey = (monitor: string, runAtMs: number): string =>
  `${REPORTS_PREFIX}${monitor}/${inverted(runAtMs)}.html`;

/** Key of a report's index marker. */
const indexKey = (monitor: string, runAtMs: number): string =>
  `${INDEX_PREFIX}${inverted(runAtMs)}.${monitor}`;

/** Prefix of one monitor's reports. */
const monitorPrefix = (monitor: string): string => `${REPORTS_PREFIX}${monitor}/`;

/** The report a key names (report or index key), or undefined for a foreign key. */
const summaryOfKey = (
  key: string,
): { id: string; monitor: string; runAtMs: number } | undefined => {
  let m = /^reports\/([a-zA-Z0-9_-]{1,64})\/(\d{13})\.json$/.exec(key);
  const monitor = m?.[1];
  let inv = m?.[2];
  let name = monitor;
  if (!m) {
    m = /^index\/(\d{13})\.([a-zA-Z0-9_-]{1,64})$/.exec(key);
    inv = m?.[1];
    name = m?.[2];
  }
  if (inv === undefined || name === undefined) return undefined;
  const runAtMs = MAX_TIME_MS - Number(inv);
  return { id: reportId(name, runAtMs), monitor: name, runAtMs };
};

/** The report key of a report id (throws `DriftReportIdError` on a malformed id). */
const reportKeyOfId = (id: string): string => {
  const { monitor, runAtMs } = parseReportId(id);
  return reportKey(monitor, runAtMs);
};

/** The HTML key of a report id (throws `DriftReportIdError` on a malformed id). */
const htmlKeyOfId = (id: string): string => {
  const { monitor, runAtMs } = parseReportId(id);
  return htmlKey(monitor, runAtMs);
};

export {
  htmlKey,
  htmlKeyOfId,
  INDEX_PREFIX,
  indexKey,
  MAX_TIME_MS,
  monitorPrefix,
  REPORTS_PREFIX,
  reportKey,
  reportKeyOfId,
  summaryOfKey,
};
