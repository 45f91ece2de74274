/**
 * Prometheus's series notation for test data: a series description (`metric{label="value"}`) and
 * the expanding notation for its values (`1+2x3 _ stale _x2 -1x2`), as `promtool test rules`
 * `input_series` and promqltest's `load` command read them.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/#series
 * @see https://github.com/prometheus/prometheus/blob/main/promql/parser/lex.go (series description lexing)
 */
import type { Labels } from '../series/labels';
import { normalizeLabels } from '../series/labels';
import { STALE_NAN } from '../series/sample';
import { PromqlParseError } from './errors';
import { parseNumberLiteral, unquoteString } from './lexical';

/**
 * One value of an expanded sequence: a float (stale markers are {@link STALE_NAN}), `null` for
 * a missing sample (`_`), or `'histogram'` for a native-histogram literal (`{{...}}`), which only
 * the conformance runner knows what to do with.
 */
type SeriesValue = number | null | 'histogram';

/** Malformed series notation; the message names the offending part. */
class SeriesNotationError extends Error {
  override readonly name = 'SeriesNotationError';
}

const NUM = String.raw`[+-]?(?:Inf|inf|NaN|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)`;
const REPEAT_RE = new RegExp(`^(${NUM})(?:([+-])(${NUM}))?x(\\d+)$`);
const NUM_RE = new RegExp(`^${NUM}$`);
const METRIC_NAME_START_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_START_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
/** Guards against `1x1e9`-style sequences that would exhaust memory. */
const MAX_EXPANDED_VALUES = 1_000_000;

const num = (s: string): number => {
  const neg = s.startsWith('-');
  const v = parseNumberLiteral(s.replace(/^[+-]/, ''));
  if (v === undefined) throw new SeriesNotationError(`invalid number ${JSON.stringify(s)}`);
  return neg ? -v : v;
};

/**
 * Expands a value sequence: `a` is one sample, `a+bxn` / `a-bxn` are n+1 samples starting at `a`
 * (`axn` repeats `a`), `_` is no sample and `_xn` is n of them, `stale` is a staleness marker.
 * Native histograms (`{{...}}`) come back as `'histogram'`.
 * @throws SeriesNotationError on anything else
 * @example parseSeriesValues('1+2x2 _ stale') // [1, 3, 5, null, STALE_NAN]
 */
const parseSeriesValues = (text: string): SeriesValue[] => {
  const out: SeriesValue[] = [];
  const push = (v: SeriesValue): void => {
    if (out.length >= MAX_EXPANDED_VALUES) {
      throw new SeriesNotationError(`more than ${MAX_EXPANDED_VALUES} values`);
    }
    out.push(v);
  };
  const items = text.trim() === '' ? [] : text.trim().split(/\s+/);
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as string;
    if (it.startsWith('{{')) {
      push('histogram');
      while (!(items[i] as string).endsWith('}}') && i < items.length - 1) i++;
      continue;
    }
    if (it === '_') push(null);
    else if (/^_x\d+$/.test(it)) for (let k = 0; k < Number(it.slice(2)); k++) push(null);
    else if (it === 'stale') push(STALE_NAN);
    else if (NUM_RE.test(it)) push(num(it));
    else {
      const m = REPEAT_RE.exec(it);
      if (!m) throw new SeriesNotationError(`invalid value ${JSON.stringify(it)}`);
      let v = num(m[1] as string);
      const inc = m[3] ? num(m[3]) * (m[2] === '-' ? -1 : 1) : 0;
      const times = Number(m[4]);
      push(v);
      for (let k = 0; k < times; k++) {
        v += inc;
        push(v);
      }
    }
  }
  return out;
};

const findQuoteEnd = (s: string, start: number): number => {
  const q = s[start];
  if (q !== '"' && q !== "'" && q !== '`') {
    throw new SeriesNotationError(`expected a quoted label value in ${JSON.stringify(s)}`);
  }
  for (let i = start + 1; i < s.length; i++) {
    if (s[i] === '\\' && q !== '`') i++;
    else if (s[i] === q) return i;
  }
  throw new SeriesNotationError(`unterminated string in ${JSON.stringify(s)}`);
};

const unquote = (s: string): string => {
  try {
    return unquoteString(s).value;
  } catch (err) {
    if (err instanceof PromqlParseError || err instanceof Error) {
      throw new SeriesNotationError(`invalid label value ${s}: ${err.message}`, { cause: err });
    }
    throw err;
  }
};

/**
 * Splits `metric{a="b"} rest` into the series' labels (`__name__` included) and what follows.
 * A quoted name inside the braces (`{"metric"}`) is the metric name, as in Prometheus 3.
 * @throws SeriesNotationError when the description is malformed
 * @example parseSeriesDescription('up{job="a"} 1 2') // { labels: { __name__: 'up', job: 'a' }, rest: ' 1 2' }
 */
const parseSeriesDescription = (line: string): { labels: Labels; rest: string } => {
  let i = 0;
  const labels: Record<string, string> = {};
  const name = METRIC_NAME_START_RE.exec(line);
  if (name) {
    labels.__name__ = name[0];
    i = name[0].length;
  }
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (/[\s,]/.test(line[i] ?? '')) i++;
      if (i >= line.length) throw new SeriesNotationError(`unclosed braces in ${line}`);
      if (line[i] === '}') {
        i++;
        break;
      }
      let label: string;
      if (line[i] === '"') {
        const end = findQuoteEnd(line, i);
        label = unquote(line.slice(i, end + 1));
        i = end + 1;
      } else {
        const m = LABEL_NAME_START_RE.exec(line.slice(i));
        if (!m) throw new SeriesNotationError(`invalid label name in ${JSON.stringify(line)}`);
        label = m[0];
        i += label.length;
      }
      while (/\s/.test(line[i] ?? '')) i++;
      if (line[i] !== '=') {
        labels.__name__ = label;
        continue;
      }
      i++;
      while (/\s/.test(line[i] ?? '')) i++;
      const end = findQuoteEnd(line, i);
      labels[label] = unquote(line.slice(i, end + 1));
      i = end + 1;
    }
  }
  return { labels: normalizeLabels(labels), rest: line.slice(i) };
};

/**
 * Parses a whole metric (`metric{a="b"}` or `{}`) with nothing after it (Prometheus
 * `parser.ParseMetric`), as promtool reads `exp_samples[].labels`.
 * @throws SeriesNotationError when the text is not exactly one metric
 */
const parseMetric = (text: string): Labels => {
  const { labels, rest } = parseSeriesDescription(text.trim());
  if (rest.trim() !== '') {
    throw new SeriesNotationError(`unexpected ${JSON.stringify(rest.trim())} after the metric`);
  }
  return labels;
};

export type { SeriesValue };
export { parseMetric, parseSeriesDescription, parseSeriesValues, SeriesNotationError };
