/**
 * JSON encoding of PromQL results exactly as Prometheus's HTTP API writes them: timestamps as
 * Unix seconds with the milliseconds after a point (`1435781451.781`, `12` when whole), sample
 * values as strings in Go's `strconv.FormatFloat(v, 'f', -1, 64)` form (`"NaN"`, `"+Inf"`,
 * `"-Inf"`, never an exponent), label sets with sorted keys and Go's HTML-safe escaping.
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/#expression-query-result-formats
 * @see https://github.com/prometheus/prometheus/blob/main/web/api/v1/json_codec.go (marshalTimestamp, marshalFloat)
 */
import { columnsOf, type QueryValue, type RangeSeries } from '../domain/promql';
import type { Labels } from '../domain/series/labels';
import type { ResponseBudget } from './response-budget';

/**
 * Formats a float like Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest decimal that
 * round-trips, written out without an exponent; `NaN`, `+Inf`, `-Inf` as Prometheus writes them.
 *
 * @param v - any float64
 * @example formatSampleValue(1e21) // '1000000000000000000000'
 */
const formatSampleValue = (v: number): string => {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  // JavaScript's shortest round-trip digits are Go's too; only the exponent form differs.
  const neg = s.startsWith('-');
  const mantissa = s.slice(neg ? 1 : 0, e);
  const exp = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const point = (dot < 0 ? mantissa.length : dot) + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${out}` : out;
};

/**
 * Formats a millisecond timestamp as Prometheus's `marshalTimestamp`: whole seconds, then `.`
 * and three digits of milliseconds when there are any (`1.500`, `-0.001`).
 *
 * @param ms - integer milliseconds since the epoch
 */
const formatTimestamp = (ms: number): string => {
  const neg = ms < 0;
  const abs = Math.abs(Math.trunc(ms));
  const secs = Math.floor(abs / 1000);
  const frac = abs % 1000;
  const text = frac === 0 ? String(secs) : `${secs}.${String(frac).padStart(3, '0')}`;
  return neg ? `-${text}` : text;
};

/** A matrix series' `values` pairs, comma-separated; from its columns when it has them. */
const valuesJson = (s: RangeSeries): string => {
  const cols = columnsOf(s);
  let out = '';
  if (cols) {
    const { ts, vs } = cols;
    for (let i = 0; i < ts.length; i++) {
      // A formatted value is digits, `.`, `-`, `NaN` or `±Inf`: nothing JSON must escape.
      out += `${i > 0 ? ',' : ''}[${formatTimestamp(ts[i] as number)},"${formatSampleValue(vs[i] as number)}"]`;
    }
    return out;
  }
  s.points.forEach((p, i) => {
    out += `${i > 0 ? ',' : ''}[${formatTimestamp(p.t)},"${formatSampleValue(p.v)}"]`;
  });
  return out;
};

/** `[<seconds>,"<value>"]` */
const pair = (t: number, v: string): string => `[${formatTimestamp(t)},${JSON.stringify(v)}]`;

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029 inside strings; these characters
 * can only occur inside strings in JSON text, so any piece of a document (or the whole) can be
 * rewritten, and rewriting twice changes nothing.
 */
const goEscapeHtml = (json: string): string =>
  json.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c] as string);

/** A label set as a JSON object with sorted keys (Go marshals maps sorted), HTML-escaped. */
const metricJson = (labels: Labels): string =>
  goEscapeHtml(
    `{${Object.keys(labels)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`)
      .join(',')}}`,
  );

/** Where encoded pieces go: appended to `out`, each charged to the budget first when there is one. */
interface JsonWriter {
  readonly out: string[];
  readonly budget?: ResponseBudget;
}

const put = (w: JsonWriter, piece: string): void => {
  w.budget?.add(piece);
  w.out.push(piece);
};

/**
 * Writes the `data` object of a query response, `{"resultType":...,"result":...}`, piece by
 * piece: one piece per vector sample, per matrix series, so a budget stops an oversized result
 * within one series of its limit.
 */
const writeQueryData = (w: JsonWriter, value: QueryValue): void => {
  put(w, `{"resultType":"${value.type}","result":`);
  switch (value.type) {
    case 'vector': {
      const n = value.samples.length;
      put(w, '[');
      value.samples.forEach((s, i) => {
        w.budget?.progress(i, n, 'samples');
        put(
          w,
          `${i > 0 ? ',' : ''}{"metric":${metricJson(s.labels)},"value":${pair(s.t, formatSampleValue(s.v))}}`,
        );
      });
      w.budget?.progress(n, n, 'samples');
      put(w, ']');
      break;
    }
    case 'matrix': {
      const n = value.series.length;
      put(w, '[');
      value.series.forEach((s, i) => {
        w.budget?.progress(i, n, 'series');
        put(w, `${i > 0 ? ',' : ''}{"metric":${metricJson(s.labels)},"values":[`);
        put(w, `${valuesJson(s)}]}`);
      });
      w.budget?.progress(n, n, 'series');
      put(w, ']');
      break;
    }
    case 'scalar':
      put(w, pair(value.t, formatSampleValue(value.v)));
      break;
    case 'string':
      put(w, goEscapeHtml(pair(value.t, value.v)));
      break;
    default: {
      const never: never = value;
      throw new Error(`unknown result type ${JSON.stringify(never)}`);
    }
  }
  put(w, '}');
};

/**
 * The `data` object of a query response, `{"resultType":...,"result":...}`, with Go's HTML
 * escaping already applied to its strings.
 */
const queryDataJson = (value: QueryValue): string => {
  const w: JsonWriter = { out: [] };
  writeQueryData(w, value);
  return w.out.join('');
};

/** `,"warnings":[...]` and `,"infos":[...]` when non-empty (Prometheus's `omitempty`). */
const annotationsJson = (warnings: readonly string[], infos: readonly string[]): string =>
  goEscapeHtml(
    `${warnings.length > 0 ? `,"warnings":${JSON.stringify(warnings)}` : ''}${
      infos.length > 0 ? `,"infos":${JSON.stringify(infos)}` : ''
    }`,
  );

/**
 * A success envelope with pre-encoded `data`, and `warnings`/`infos` only when non-empty
 * (Prometheus's `omitempty`), in Prometheus's field order.
 */
const successJson = (
  dataJson: string,
  warnings: readonly string[] = [],
  infos: readonly string[] = [],
): string =>
  `{"status":"success","data":${goEscapeHtml(dataJson)}${annotationsJson(warnings, infos)}}`;

/**
 * A whole query response, `successJson(queryDataJson(value), warnings, infos)`, encoded under a
 * size budget: it throws `ResponseTooLargeError` as soon as the budget is spent, having built at
 * most one series (or sample) past it.
 */
const queryResponseJson = (
  value: QueryValue,
  warnings: readonly string[],
  infos: readonly string[],
  budget: ResponseBudget,
): string => {
  const w: JsonWriter = { out: [], budget };
  if (value.type === 'matrix') budget.progress(0, value.series.length, 'series');
  if (value.type === 'vector') budget.progress(0, value.samples.length, 'samples');
  put(w, '{"status":"success","data":');
  writeQueryData(w, value);
  put(w, `${annotationsJson(warnings, infos)}}`);
  return w.out.join('');
};

export {
  formatSampleValue,
  formatTimestamp,
  goEscapeHtml,
  queryDataJson,
  queryResponseJson,
  successJson,
};
