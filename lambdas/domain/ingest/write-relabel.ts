import { loadRegexEngineForRelabel, type RelabelConfig, relabel } from '../scrape/relabel';
import type { Labels } from '../series/labels';
import type { IncomingSeries } from './validate-series';

/**
 * Applies `write_relabel_configs` to incoming series, as Prometheus applies a `remote_write`
 * entry's `write_relabel_configs` to every series it sends: series a rule drops (`drop`, `keep`,
 * `dropequal`, `keepequal`) are left out and counted; the others go on with their new labels
 * (`labeldrop`, `replace`, …), to be validated like any other. A series that holds a label
 * name twice is passed on untouched, so validation rejects it with that reason.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#remote_write
 * @example
 * applyWriteRelabel(series, [{ ...RELABEL_DEFAULTS, action: 'labeldrop', regex: 'label_.*' }])
 */
const applyWriteRelabel = (
  incoming: readonly IncomingSeries[],
  configs: readonly RelabelConfig[],
): { series: IncomingSeries[]; droppedSamples: number } => {
  if (configs.length === 0) return { series: [...incoming], droppedSamples: 0 };
  const series: IncomingSeries[] = [];
  let droppedSamples = 0;
  for (const s of incoming) {
    const labels = labelsOf(s.labels);
    if (labels === undefined) {
      series.push(s);
      continue;
    }
    const out = relabel(labels, configs);
    if (out === undefined) droppedSamples += s.samples.length;
    else series.push({ labels: out, samples: s.samples });
  }
  return { series, droppedSamples };
};

/** The labels as an object, or undefined when a name occurs twice (validation reports it). */
const labelsOf = (labels: IncomingSeries['labels']): Labels | undefined => {
  if (!Array.isArray(labels)) return labels as Labels;
  const pairs = labels as readonly (readonly [string, string])[];
  const names = new Set(pairs.map(([name]) => name));
  // fromEntries defines own properties, so a label named `__proto__` stays data.
  return names.size === pairs.length ? Object.fromEntries(pairs) : undefined;
};

export { applyWriteRelabel, loadRegexEngineForRelabel };
