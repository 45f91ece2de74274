/**
 * OTLP metric and attribute names → Prometheus metric and label names, as Prometheus's OTLP
 * receiver translates them with its default `translation_strategy`, UnderscoreEscapingWithSuffixes
 * (prometheus/otlptranslator `MetricNamer`, `LabelNamer`, `UnitNamer`). Vigil stores only the
 * classic name characters (`[a-zA-Z_:][a-zA-Z0-9_:]*`), so names are always escaped.
 * @see https://github.com/prometheus/otlptranslator
 * @see https://opentelemetry.io/docs/specs/otel/compatibility/prometheus_and_openmetrics/#otlp-metric-points-to-prometheus
 */

/** UCUM units → Prometheus base-unit words. */
const UNITS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

/** The unit after `/`, singular. */
const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** How a metric's points are typed, for its suffixes. */
export type MetricKind = 'gauge' | 'counter' | 'other';

const NON_NAME_CHAR = /[^a-zA-Z0-9:]/g;
const NON_NAME_RUN = /[^a-zA-Z0-9:]+/;

const cleanUpUnit = (unit: string): string =>
  unit.replace(NON_NAME_CHAR, '_').replace(/__+/g, '_').replace(/^_/, '');

const unitSuffixes = (unit: string): [main: string, per: string] => {
  const slash = unit.indexOf('/');
  const mainOtel = (slash < 0 ? unit : unit.slice(0, slash)).trim();
  const perRaw = slash < 0 ? '' : unit.slice(slash + 1);
  let main = '';
  if (mainOtel !== '' && !/[{}]/.test(mainOtel)) main = UNITS[mainOtel] ?? mainOtel;
  let per = '';
  const perOtel = perRaw.trim();
  if (perOtel !== '' && !/[{}]/.test(perOtel)) per = PER_UNITS[perOtel] ?? perOtel;
  if (per !== '') per = `per_${per}`;
  return [cleanUpUnit(main), cleanUpUnit(per)];
};

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * The Prometheus name of an OTLP metric: the name split into `[a-zA-Z0-9:]` words, the unit's
 * words appended (`s` → `seconds`, `By/s` → `bytes_per_second`; units in braces are annotations
 * and dropped; a word already in the name is not repeated), `_total` for a monotonic sum, `_ratio`
 * for a gauge of unit `1`, joined with `_`. Returns `undefined` when nothing of the name is left.
 * @example metricNameOf('http.server.request.duration', 's', 'other') // → 'http_server_request_duration_seconds'
 */
const metricNameOf = (name: string, unit: string, kind: MetricKind): string | undefined => {
  let tokens = name.split(NON_NAME_RUN).filter((t) => t !== '');
  const [main0, per0] = unitSuffixes(unit);
  let main = tokens.includes(main0) ? '' : main0;
  let per = per0;
  if (per === 'per_') per = '';
  else {
    per = per.replace(/_$/, '');
    if (tokens.includes(per)) per = '';
  }
  if (per !== '') main = main.replace(/_$/, '');
  if (main !== '') tokens.push(main);
  if (per !== '') tokens.push(per);
  if (kind === 'counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && kind === 'gauge') tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  let out = tokens.join('_');
  if (isDigit(out[0])) out = `_${out}`;
  if (out === '' || (out !== name && /^_*$/.test(out))) return undefined;
  return out;
};

/**
 * The Prometheus label name of an attribute key: every character outside `[a-zA-Z0-9_]` becomes
 * `_`; a leading digit gets `key_`, a single leading `_` gets `key` (`__x` is left alone).
 * Returns `undefined` for an empty key or one of underscores only.
 * @example labelNameOf('http.method') // → 'http_method'
 */
const labelNameOf = (key: string): string | undefined => {
  const known = LABEL_NAMES.get(key);
  if (known !== undefined || LABEL_NAMES.has(key)) return known;
  const name = escapeLabelName(key);
  if (LABEL_NAMES.size >= MAX_CACHED_LABEL_NAMES) LABEL_NAMES.clear();
  LABEL_NAMES.set(key, name);
  return name;
};

/** Attribute keys repeat on every point: their label names are kept, up to this many. */
const MAX_CACHED_LABEL_NAMES = 10_000;
const LABEL_NAMES = new Map<string, string | undefined>();

const escapeLabelName = (key: string): string | undefined => {
  if (key === '') return undefined;
  let out = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (isDigit(out[0])) out = `key_${out}`;
  else if (out.startsWith('_') && !out.startsWith('__')) out = `key${out}`;
  return /^_*$/.test(out) ? undefined : out;
};

export { labelNameOf, metricNameOf };
