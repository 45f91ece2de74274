/**
 * Series identity: a metric name plus labels, as in Prometheus's data model.
 * @see https://prometheus.io/docs/concepts/data_model/
 */

/** The reserved label that carries the metric name. */
export const METRIC_NAME_LABEL = '__name__';

/** Metric names: `[a-zA-Z_:][a-zA-Z0-9_:]*` (Prometheus data model, legacy validation scheme). */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Label names: `[a-zA-Z_][a-zA-Z0-9_]*`; names starting with `__` are reserved for internal use. */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels of one series, `__name__` included. An empty value means the label is absent. */
export type Labels = Readonly<Record<string, string>>;

/**
 * Canonical identity of a label set: names sorted, empty values dropped.
 * Two label sets with the same key are the same series.
 */
const seriesKey = (labels: Labels): string => {
  // Same text as JSON.stringify of the sorted [name, value] pairs, built without the arrays: this
  // runs for every series of every write.
  const names = Object.keys(labels);
  for (let i = 1; i < names.length; i++)
    if ((names[i - 1] as string) > (names[i] as string)) {
      names.sort();
      break;
    }
  let out = '[';
  for (const n of names) {
    const v = labels[n] as string;
    if (v === '') continue;
    out += `${out.length === 1 ? '' : ','}[${JSON.stringify(n)},${JSON.stringify(v)}]`;
  }
  return `${out}]`;
};

/** Returns a copy with names sorted and empty values dropped. */
const normalizeLabels = (labels: Labels): Labels => {
  const entries: [string, string][] = [];
  for (const n of Object.keys(labels).sort()) {
    const v = labels[n];
    if (v !== undefined && v !== '') entries.push([n, v]);
  }
  // fromEntries defines own properties, so a label named `__proto__` is kept as data.
  return Object.fromEntries(entries);
};

/** The metric name of a label set, or `''` when it has none. */
const metricName = (labels: Labels): string => labels[METRIC_NAME_LABEL] ?? '';

export { metricName, normalizeLabels, seriesKey };
