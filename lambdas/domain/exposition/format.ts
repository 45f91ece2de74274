import { isStaleNaN } from '../series/sample';
import { type Labels, METRIC_NAME_LABEL } from '../series/labels';
import { formatSampleValue } from './go-format';
import type { ExpositionSeries, MetricFamily } from './types';

/** `# HELP` escaping of expfmt's writer: `\` → `\\`, newline → `\n`. */
const escapeHelp = (s: string): string =>
  s.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));

/** Label value escaping of the text format: `\` → `\\`, `"` → `\"`, newline → `\n`. */
const escapeLabelValue = (s: string): string =>
  s.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));

const formatLabels = (labels: Labels): string => {
  const parts: string[] = [];
  for (const [n, v] of Object.entries(labels)) {
    if (n !== METRIC_NAME_LABEL) parts.push(`${n}="${escapeLabelValue(v)}"`);
  }
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
};

const formatLine = (name: string, labels: Labels, value: number, timestampMs?: number): string =>
  `${name}${formatLabels(labels)} ${formatSampleValue(value)}${
    timestampMs === undefined ? '' : ` ${Math.trunc(timestampMs)}`
  }\n`;

/**
 * Writes families in the text exposition format 0.0.4, as `expfmt.MetricFamilyToText` does:
 * `# HELP` (when present), `# TYPE`, then one line per sample with labels in their given order,
 * the value as Go's `strconv.FormatFloat(v, 'g', -1, 64)` (`1e+06`, `NaN`, `+Inf`) and the
 * timestamp when the sample has one.
 * @param families families to write, in order.
 * @example
 * formatExposition([{ name: 'up', type: 'gauge', samples: [{ name: 'up', labels: {}, value: 1 }] }]);
 * // '# TYPE up gauge\nup 1\n'
 * @see https://github.com/prometheus/common/blob/main/expfmt/text_create.go
 */
const formatExposition = (families: readonly MetricFamily[]): string => {
  let out = '';
  for (const f of families) {
    if (f.help !== undefined) out += `# HELP ${f.name} ${escapeHelp(f.help)}\n`;
    out += `# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += formatLine(s.name, s.labels, s.value, s.timestampMs);
  }
  return out;
};

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders label sets like Prometheus's `labels.Compare`: name by name, then value. */
const compareLabelSets = (a: readonly [string, string][], b: readonly [string, string][]) => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const [an, av] = a[i] as [string, string];
    const [bn, bv] = b[i] as [string, string];
    if (an !== bn) return compareStrings(an, bn);
    if (av !== bv) return compareStrings(av, bv);
  }
  return a.length - b.length;
};

/**
 * The body of Prometheus's `GET /federate`: series grouped by metric name (sorted), each group
 * headed by `# TYPE <name> untyped`, one line per series with labels sorted by name and the
 * sample's timestamp. Series without a name and staleness markers are skipped, as federation does.
 * @param series the latest sample of each selected series.
 * @param charge called with each piece before it is appended (a `# TYPE` line or a sample line),
 *   and with how many of the series are written so far; it may throw to stop the encoding, so a
 *   size budget can refuse an oversized body before it is built.
 * @example
 * formatFederation([{ labels: { __name__: 'up', job: 'a' }, value: 1, timestampMs: 1000 }]);
 * // '# TYPE up untyped\nup{job="a"} 1 1000\n'
 * @see https://github.com/prometheus/prometheus/blob/main/web/federate.go
 */
const formatFederation = (
  series: readonly ExpositionSeries[],
  charge?: (piece: string, written: number, total: number) => void,
): string => {
  const rows = series
    .filter((s) => (s.labels[METRIC_NAME_LABEL] ?? '') !== '' && !isStaleNaN(s.value))
    .map((s) => ({
      s,
      sorted: Object.entries(s.labels)
        .filter(([, v]) => v !== '')
        .sort(([a], [b]) => compareStrings(a, b)),
    }));
  rows.sort((x, y) => {
    const byName = compareStrings(
      x.s.labels[METRIC_NAME_LABEL] as string,
      y.s.labels[METRIC_NAME_LABEL] as string,
    );
    return byName !== 0 ? byName : compareLabelSets(x.sorted, y.sorted);
  });
  const out: string[] = [];
  const put = (piece: string, written: number) => {
    charge?.(piece, written, rows.length);
    out.push(piece);
  };
  let current: string | undefined;
  rows.forEach(({ s, sorted }, i) => {
    const name = s.labels[METRIC_NAME_LABEL] as string;
    if (name !== current) {
      put(`# TYPE ${name} untyped\n`, i);
      current = name;
    }
    put(formatLine(name, Object.fromEntries(sorted), s.value, s.timestampMs), i);
  });
  return out.join('');
};

export { formatExposition, formatFederation };
