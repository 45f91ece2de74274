/**
 * Facts about label objects that a decoder hands out again and again for the same series (see
 * `RemoteWriteLabelCache`, `OtlpLabelCache`): computed once per series instead of once per sample.
 * Only objects registered with {@link internLabels} are known here, and they are never mutated.
 */
import { type Labels, METRIC_NAME_LABEL, seriesKey } from './labels';

interface InternedFacts {
  /** `seriesKey(labels)`. */
  readonly key: string;
  /** The label names besides `__name__`, in order. */
  readonly dimensions: readonly string[];
  /** The ingest limits object under which the labels were last found valid. */
  validFor?: object;
}

const facts = new WeakMap<Labels, InternedFacts>();

/** Registers `labels` (normalized, frozen in practice) with its series key. */
const internLabels = (labels: Labels, key: string, dimensions: readonly string[]): void => {
  facts.set(labels, { key, dimensions });
};

/** Registers normalized `labels` with the facts computed from them here; returns `labels`. */
const internNormalLabels = (labels: Labels): Labels => {
  internLabels(
    labels,
    seriesKey(labels),
    Object.keys(labels).filter((n) => n !== METRIC_NAME_LABEL),
  );
  return labels;
};

/** What is known about `labels`, when it was interned. */
const internedFacts = (labels: Labels): InternedFacts | undefined => facts.get(labels);

export type { InternedFacts };
export { internedFacts, internLabels, internNormalLabels };
