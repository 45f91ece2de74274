import type { Labels } from './labels';

/** One sample: a timestamp in milliseconds since the Unix epoch and a float64 value. */
export interface Sample {
  readonly t: number;
  readonly v: number;
}

/** A series and some of its samples, sorted by time. */
export interface Series {
  readonly labels: Labels;
  readonly samples: readonly Sample[];
}

/**
 * Prometheus's staleness marker: a NaN with a distinct bit pattern (0x7ff0000000000002),
 * written when a series disappears so that queries stop returning it before the lookback ends.
 * @see https://github.com/prometheus/prometheus/blob/main/model/value/value.go
 */
const STALE_NAN_BITS = 0x7ff0000000000002n;

const scratch = new DataView(new ArrayBuffer(8));

const staleNaN = (): number => {
  scratch.setBigUint64(0, STALE_NAN_BITS);
  return scratch.getFloat64(0);
};

/** The staleness marker value. Compare with {@link isStaleNaN}, never with `===`. */
export const STALE_NAN: number = staleNaN();

/** The quiet bit of a float64 NaN; V8 sets it when it stores a NaN in a double array. */
const QUIET_NAN_BIT = 0x0008000000000000n;

/**
 * True when `v` carries the staleness marker's payload (an ordinary NaN is not stale). The quiet
 * bit is ignored: V8 may set it (0x7ff8000000000002) when the value passes through a number array.
 */
export const isStaleNaN = (v: number): boolean => {
  if (!Number.isNaN(v)) return false;
  scratch.setFloat64(0, v);
  return (scratch.getBigUint64(0) & ~QUIET_NAN_BIT) === STALE_NAN_BITS;
};
