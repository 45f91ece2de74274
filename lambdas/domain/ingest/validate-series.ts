import type { IngestLimits } from '../config/types';
import type { RejectedSample } from '../ports';
import {
  LABEL_NAME_RE,
  type Labels,
  METRIC_NAME_LABEL,
  METRIC_NAME_RE,
  normalizeLabels,
} from '../series/labels';
import { internedFacts } from '../series/interned-labels';
import type { Sample, Series } from '../series/sample';

/** What validation needs besides the limits: the receive time and the oldest time the store keeps. */
export interface ValidationContext {
  readonly limits: IngestLimits;
  readonly nowMs: number;
  readonly maxSampleAgeMs: number;
}

/** Series as a parser produced them: labels may be unnormalized and may hold duplicates. */
export interface IncomingSeries {
  readonly labels: Labels | readonly (readonly [string, string])[];
  readonly samples: readonly Sample[];
}

const utf8Bytes = (s: string): number => {
  // Fast path: ASCII strings are as long in bytes as in UTF-16 units.
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
};

const describe = (labels: Labels): string => {
  const name = labels[METRIC_NAME_LABEL] ?? '';
  const rest = Object.entries(labels)
    .filter(([k]) => k !== METRIC_NAME_LABEL)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${name}{${rest}}`;
};

/** Whether label names are in strictly increasing order (most senders sort them). */
const isSorted = (pairs: readonly (readonly [string, string])[]): boolean => {
  for (let i = 1; i < pairs.length; i++)
    if (
      (pairs[i - 1] as readonly [string, string])[0] >= (pairs[i] as readonly [string, string])[0]
    )
      return false;
  return true;
};

/** Checks one label set; returns the problem in words, or undefined when it is valid. */
const labelProblem = (
  pairs: readonly (readonly [string, string])[],
  limits: IngestLimits,
  sorted: boolean,
): string | undefined => {
  // Names in strictly increasing order cannot repeat.
  const seen = sorted ? undefined : new Set<string>();
  let hasName = false;
  let count = 0;
  for (const [name, value] of pairs) {
    if (seen) {
      if (seen.has(name)) return `duplicate label name ${JSON.stringify(name)}`;
      seen.add(name);
    }
    if (name === METRIC_NAME_LABEL) hasName = true;
    if (value === '') continue;
    count++;
    if (name === METRIC_NAME_LABEL) {
      if (!METRIC_NAME_RE.test(value)) return `invalid metric name ${JSON.stringify(value)}`;
      if (utf8Bytes(value) > limits.maxMetricNameBytes) {
        return `metric name longer than ${limits.maxMetricNameBytes} bytes`;
      }
      continue;
    }
    if (!LABEL_NAME_RE.test(name)) return `invalid label name ${JSON.stringify(name)}`;
    if (name.startsWith('__'))
      return `label name ${JSON.stringify(name)} is reserved (starts with "__")`;
    if (utf8Bytes(name) > limits.maxLabelNameBytes) {
      return `label name ${JSON.stringify(name)} longer than ${limits.maxLabelNameBytes} bytes`;
    }
    if (utf8Bytes(value) > limits.maxLabelValueBytes) {
      return `value of label ${JSON.stringify(name)} longer than ${limits.maxLabelValueBytes} bytes`;
    }
  }
  if (!hasName || pairs.some(([n, v]) => n === METRIC_NAME_LABEL && v === '')) {
    return 'missing metric name (__name__)';
  }
  if (count > limits.maxLabelsPerSeries) {
    return `${count} labels, more than the limit of ${limits.maxLabelsPerSeries} (metric name included)`;
  }
  return undefined;
};

const sampleProblem = (s: Sample, ctx: ValidationContext): string | undefined => {
  if (!Number.isSafeInteger(s.t))
    return `timestamp ${s.t} is not an integer number of milliseconds`;
  if (s.t > ctx.nowMs + ctx.limits.maxFutureMs) {
    return `timestamp ${s.t} is more than ${ctx.limits.maxFutureMs / 1000}s in the future`;
  }
  if (s.t < ctx.nowMs - ctx.maxSampleAgeMs) {
    return `timestamp ${s.t} is older than the store's retention (${Math.round(ctx.maxSampleAgeMs / 86_400_000)}d)`;
  }
  return undefined;
};

/**
 * Validates incoming series against the data model and the ingestion limits.
 * Valid series come back normalized (sorted labels, empty values dropped); every refused sample
 * comes back in `rejected` with the reason. NaN, ±Inf and stale markers are valid values.
 * @see https://prometheus.io/docs/concepts/data_model/
 */
const validateSeries = (
  incoming: readonly IncomingSeries[],
  ctx: ValidationContext,
): { accepted: Series[]; rejected: RejectedSample[] } => {
  const accepted: Series[] = [];
  const rejected: RejectedSample[] = [];
  for (const s of incoming) {
    const interned = Array.isArray(s.labels) ? undefined : internedFacts(s.labels as Labels);
    if (interned?.validFor === ctx.limits) {
      // Found valid under these limits before: normalized, only the samples are left to check.
      const labels = s.labels as Labels;
      const samples = validSamples(labels, s.samples, ctx, rejected);
      if (samples.length > 0) accepted.push({ labels, samples });
      continue;
    }
    const pairs = Array.isArray(s.labels)
      ? (s.labels as readonly (readonly [string, string])[])
      : Object.entries(s.labels as Labels);
    const sorted = isSorted(pairs);
    const normal = sorted && !pairs.some(([, v]) => v === '');
    // An object already in normal form is kept as it is; anything else is copied.
    let labelsObj: Record<string, string>;
    if (normal && !Array.isArray(s.labels)) labelsObj = s.labels as Record<string, string>;
    else {
      labelsObj = {};
      for (const [k, v] of pairs) labelsObj[k] = v;
    }
    const problem = labelProblem(pairs, ctx.limits, sorted);
    if (problem) {
      const reason = `${problem} in series ${describe(labelsObj)}`;
      for (const sample of s.samples) rejected.push({ labels: labelsObj, sample, reason });
      continue;
    }
    const labels = normal ? labelsObj : normalizeLabels(labelsObj);
    if (interned && normal) interned.validFor = ctx.limits;
    const samples = validSamples(labels, s.samples, ctx, rejected);
    if (samples.length > 0) accepted.push({ labels, samples });
  }
  return { accepted, rejected };
};

/** The samples of a valid series that pass `sampleProblem`; the others go to `rejected`. */
const validSamples = (
  labels: Labels,
  samples: readonly Sample[],
  ctx: ValidationContext,
  rejected: RejectedSample[],
): readonly Sample[] => {
  let good: Sample[] | undefined;
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i] as Sample;
    const p = sampleProblem(sample, ctx);
    if (p) {
      good ??= samples.slice(0, i);
      rejected.push({ labels, sample, reason: `${p} in series ${describe(labels)}` });
    } else good?.push(sample);
  }
  return good ?? samples;
};

/** Counts samples across series. */
const countSamples = (series: readonly { readonly samples: readonly unknown[] }[]): number =>
  series.reduce((n, s) => n + s.samples.length, 0);

export { countSamples, describe as describeSeries, validateSeries };
