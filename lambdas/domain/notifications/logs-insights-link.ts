/**
 * Deep links into the CloudWatch Logs Insights console, with the query, the log groups and the
 * time range filled in.
 *
 * The console reads its state from `#logsV2:logs-insights?queryDetail=<detail>` where `<detail>`
 * is a JSURL-like notation (`~(key~value~…)` objects, `~(~a~b)` arrays, `~'text` strings with
 * `%` written as `*`), escaped, then URI-encoded once more with `%` written as `$`. AWS does not
 * document the format; it is the one the console itself produces for "Copy URL":
 * @see https://stackoverflow.com/questions/60796991 (answer "how Log Insights links are constructed")
 */

/** A value of the `queryDetail` object. */
type Detail = string | number | boolean | readonly Detail[] | { readonly [key: string]: Detail };

/** Characters kept as-is inside a string value; everything else becomes `*XX` (UTF-8 bytes). */
const PLAIN = /[A-Za-z0-9\-._]/;

const encodeText = (text: string): string => {
  let out = '';
  for (const ch of text) {
    if (PLAIN.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of new TextEncoder().encode(ch)) {
      out += `*${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
};

const encodeDetail = (value: Detail): string => {
  if (typeof value === 'string') return `~'${encodeText(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `~${String(value)}`;
  if (Array.isArray(value)) return `~(${value.map(encodeDetail).join('') || '~'})`;
  const entries = Object.entries(value as { readonly [key: string]: Detail });
  return `~(${entries.map(([k, v]) => `${encodeText(k)}${encodeDetail(v)}`).join('~')})`;
};

/**
 * JavaScript's `escape()` on the characters a detail string can hold (alphanumerics and
 * `-._*~'()`): `~'()` become `%7E %27 %28 %29`.
 */
const escapeDetail = (detail: string): string =>
  detail.replace(/[~'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** What a Logs Insights link opens. */
interface LogsInsightsLink {
  /** AWS region of the log groups, e.g. `eu-west-1`. */
  readonly region: string;
  /** Log group names to query (Logs Insights queries at most 50 at once). */
  readonly logGroups: readonly string[];
  /** The query text. */
  readonly query: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Most log groups one Logs Insights query can name. @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html */
const LOGS_INSIGHTS_MAX_LOG_GROUPS = 50;

/**
 * The console URL opening Logs Insights on `query` over `logGroups` between `startMs` and `endMs`.
 * @example logsInsightsConsoleUrl({ region: 'eu-west-1', logGroups: ['/vigil/rx/api'], query: 'fields @message', startMs: 0, endMs: 3_600_000 })
 */
const logsInsightsConsoleUrl = (link: LogsInsightsLink): string => {
  const detail: Detail = {
    end: new Date(link.endMs).toISOString(),
    start: new Date(link.startMs).toISOString(),
    timeType: 'ABSOLUTE',
    tz: 'UTC',
    editorString: link.query,
    isLiveTail: false,
    source: link.logGroups.slice(0, LOGS_INSIGHTS_MAX_LOG_GROUPS),
  };
  const fragment = encodeURIComponent(`?queryDetail=${escapeDetail(encodeDetail(detail))}`);
  const region = encodeURIComponent(link.region);
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:logs-insights${fragment.replaceAll('%', '$')}`;
};

/** A Logs Insights string literal: double-quoted, `\\` and `"` backslash-escaped. */
const insightsString = (text: string): string =>
  `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/**
 * The Logs Insights query for every event of one correlation id, as Vigil stores log events
 * (the original JSON keys `correlation_id`, `request_id`, `trace_id`).
 */
const correlationIdQuery = (correlationId: string): string => {
  const id = insightsString(correlationId);
  return [
    'fields @timestamp, level, service, message, @message',
    `| filter correlation_id = ${id} or request_id = ${id} or trace_id = ${id}`,
    '| sort @timestamp asc',
    '| limit 1000',
  ].join('\n');
};

/** Where a service's log events are: the log group per service and the group of the others. */
interface ServiceLogGroups {
  readonly region: string;
  readonly groups: Readonly<Record<string, string>>;
  readonly defaultGroup: string;
}

/** How much log the link shows before an alert started, and after it when still firing. */
const LINK_MARGIN_MS = 60 * 60 * 1000;

/**
 * The Logs Insights link of one alert's correlation id: the group of the alert's `service` label
 * when it has one, else every group; from an hour before the alert started to an hour after it
 * started (firing) or after it ended (resolved).
 */
const alertLogsInsightsUrl = (
  correlationId: string,
  alert: {
    readonly labels: Readonly<Record<string, string>>;
    readonly startsAt: string;
    readonly endsAt: string;
    readonly status: string;
  },
  logs: ServiceLogGroups,
): string => {
  const service = alert.labels.service;
  const own = service === undefined ? undefined : logs.groups[service];
  const logGroups = own ? [own] : [...new Set([...Object.values(logs.groups), logs.defaultGroup])];
  const startsAt = Date.parse(alert.startsAt);
  const endsAt = Date.parse(alert.endsAt);
  const until = alert.status === 'resolved' && Number.isFinite(endsAt) ? endsAt : startsAt;
  return logsInsightsConsoleUrl({
    region: logs.region,
    logGroups,
    query: correlationIdQuery(correlationId),
    startMs: startsAt - LINK_MARGIN_MS,
    endMs: until + LINK_MARGIN_MS,
  });
};

/**
 * Decodes a link made by {@link logsInsightsConsoleUrl} back to its `queryDetail` text with string
 * values decoded: for tests and for reading links users paste.
 */
const decodeQueryDetail = (url: string): string => {
  const hash = url.slice(url.indexOf('#logsV2:logs-insights') + '#logsV2:logs-insights'.length);
  const once = decodeURIComponent(hash.replaceAll('$', '%'));
  const detail = decodeURIComponent(once.replace(/^\?queryDetail=/, ''));
  return detail.replace(/(?:\*[0-9A-F]{2})+/g, (m) => decodeURIComponent(m.replaceAll('*', '%')));
};

export type { LogsInsightsLink, ServiceLogGroups };
export {
  alertLogsInsightsUrl,
  correlationIdQuery,
  decodeQueryDetail,
  insightsString,
  LOGS_INSIGHTS_MAX_LOG_GROUPS,
  logsInsightsConsoleUrl,
};
