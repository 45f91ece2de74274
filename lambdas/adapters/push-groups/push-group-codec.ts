/**
 * JSON encoding of Pushgateway groups shared by the DynamoDB and file stores. JSON has no NaN or
 * infinities, so values travel as strings in Prometheus's spelling (`NaN`, `+Inf`, `-Inf`),
 * plus `StaleNaN` for Prometheus's staleness marker and `-0` for negative zero; any other value
 * is JavaScript's shortest round-tripping decimal form.
 */
import type { PushGroup } from '../../domain/ports';
import type { Labels } from '../../domain/series/labels';
import { isStaleNaN, STALE_NAN } from '../../domain/series/sample';

/** A stored value could not be read back: the store holds something we did not write. */
class PushGroupDecodeError extends Error {
  override readonly name = 'PushGroupDecodeError';
}

/** One metric as stored: labels, the value as a string, and the metric family. */
type EncodedMetric = readonly [Labels, string, string];

/** A group as stored, before it is split (DynamoDB) or written whole (file). */
interface EncodedPushGroup {
  readonly key: Labels;
  readonly metrics: readonly EncodedMetric[];
  readonly pushTimeMs: number;
  readonly pushFailureTimeMs: number;
}

/** A float64 as a string that {@link decodeValue} turns back into the same bits. */
const encodeValue = (v: number): string => {
  if (Number.isNaN(v)) return isStaleNaN(v) ? 'StaleNaN' : 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  return String(v);
};

const NUMBER_RE = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/;

/** Inverse of {@link encodeValue}. Throws {@link PushGroupDecodeError} on anything else. */
const decodeValue = (s: string): number => {
  switch (s) {
    case 'NaN':
      return Number.NaN;
    case 'StaleNaN':
      return STALE_NAN;
    case '+Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default:
      if (!NUMBER_RE.test(s))
        throw new PushGroupDecodeError(`not a stored value: ${JSON.stringify(s)}`);
      return Number(s);
  }
};

const encodeMetrics = (group: PushGroup): EncodedMetric[] =>
  group.metrics.map((m) => [m.labels, encodeValue(m.value), m.family] as const);

const isLabels = (x: unknown): x is Labels =>
  typeof x === 'object' &&
  x !== null &&
  !Array.isArray(x) &&
  Object.values(x).every((v) => typeof v === 'string');

/** Checks and decodes stored metrics. Throws {@link PushGroupDecodeError}. */
const decodeMetrics = (raw: unknown): PushGroup['metrics'] => {
  if (!Array.isArray(raw)) throw new PushGroupDecodeError('metrics is not an array');
  return raw.map((m: unknown) => {
    if (
      !Array.isArray(m) ||
      m.length !== 3 ||
      !isLabels(m[0]) ||
      typeof m[1] !== 'string' ||
      typeof m[2] !== 'string'
    ) {
      throw new PushGroupDecodeError(`not a stored metric: ${JSON.stringify(m)}`);
    }
    return { labels: m[0], value: decodeValue(m[1]), family: m[2] };
  });
};

const decodeLabels = (raw: unknown, what: string): Labels => {
  if (!isLabels(raw)) throw new PushGroupDecodeError(`${what} is not a label set`);
  return raw;
};

const decodeTime = (raw: unknown, what: string): number => {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) {
    throw new PushGroupDecodeError(`${what} is not a number`);
  }
  return raw;
};

/** Encodes a whole group (file store). */
const encodePushGroup = (group: PushGroup): EncodedPushGroup => ({
  key: group.key,
  metrics: encodeMetrics(group),
  pushTimeMs: group.pushTimeMs,
  pushFailureTimeMs: group.pushFailureTimeMs,
});

/** Decodes a whole group (file store). Throws {@link PushGroupDecodeError}. */
const decodePushGroup = (raw: unknown): PushGroup => {
  if (typeof raw !== 'object' || raw === null)
    throw new PushGroupDecodeError('group is not an object');
  const g = raw as Record<string, unknown>;
  return {
    key: decodeLabels(g.key, 'key'),
    metrics: decodeMetrics(g.metrics),
    pushTimeMs: decodeTime(g.pushTimeMs, 'pushTimeMs'),
    pushFailureTimeMs: decodeTime(g.pushFailureTimeMs, 'pushFailureTimeMs'),
  };
};

export type { EncodedMetric, EncodedPushGroup };
export {
  decodeLabels,
  decodeMetrics,
  decodePushGroup,
  decodeValue,
  encodeMetrics,
  encodePushGroup,
  encodeValue,
  PushGroupDecodeError,
};
