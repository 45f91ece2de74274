/**
 * How Prometheus series map onto Timestream records, and back.
 *
 * - `measure_name` = the metric name (`__name__`), dimensions = the other labels.
 * - Label names Timestream cannot take as dimension names (see {@link isReservedDimensionName})
 *   are written with the prefix {@link ESCAPE_PREFIX}; every label whose name already starts with
 *   that prefix is escaped too, so the mapping is a bijection and {@link labelNameOf} undoes it.
 * - DOUBLE cannot hold NaN or ±Inf ("you cannot write those values to Timestream",
 *   supported-data-types.html). Such samples are written as `measure_value::double = 0` with one
 *   extra dimension {@link SPECIAL_VALUE_DIMENSION} whose value names the real one
 *   (`NaN`, `+Inf`, `-Inf`, or `stale` for Prometheus's staleness marker). No label can map to
 *   that dimension name (it starts with the escape prefix but is not `prefix + reserved name`).
 */
import type { Labels } from '../../../domain/series/labels';
import { METRIC_NAME_LABEL } from '../../../domain/series/labels';
import { isStaleNaN, STALE_NAN } from '../../../domain/series/sample';

/** Prefix of escaped label names, and of the adapter's own dimensions. */
export const ESCAPE_PREFIX = 'vigil_';

/** The dimension that carries a value DOUBLE cannot hold. */
export const SPECIAL_VALUE_DIMENSION = 'vigil__special';

/** Values of {@link SPECIAL_VALUE_DIMENSION}. */
export const SpecialValue = {
  NaN: 'NaN',
  PosInf: '+Inf',
  NegInf: '-Inf',
  Stale: 'stale',
} as const;
export type SpecialValue = (typeof SpecialValue)[keyof typeof SpecialValue];

const RESERVED_NAMES = new Set(['time', 'measure_name', 'measure_value']);
const RESERVED_PREFIXES = ['ts_', 'measure_value', 'measure_name', ESCAPE_PREFIX];

/**
 * True when Timestream refuses `name` as a dimension name, or when it would clash with the
 * escaping itself. Compared case-insensitively so that `Time` or `TS_x` are escaped as well.
 * @see https://docs.aws.amazon.com/iot/latest/apireference/API_TimestreamDimension.html
 */
const isReservedDimensionName = (name: string): boolean => {
  const lower = name.toLowerCase();
  return RESERVED_NAMES.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p));
};

/** The dimension name a label is stored under. */
const dimensionNameOf = (labelName: string): string =>
  isReservedDimensionName(labelName) ? `${ESCAPE_PREFIX}${labelName}` : labelName;

/** The label name a dimension column holds, or `undefined` for the adapter's own dimensions. */
const labelNameOf = (dimensionName: string): string | undefined => {
  if (dimensionName === SPECIAL_VALUE_DIMENSION) return undefined;
  return dimensionName.startsWith(ESCAPE_PREFIX)
    ? dimensionName.slice(ESCAPE_PREFIX.length)
    : dimensionName;
};

/** The special-value tag of a sample value, or `undefined` for a finite value DOUBLE holds. */
const specialValueOf = (v: number): SpecialValue | undefined => {
  if (Number.isFinite(v)) return undefined;
  if (Number.isNaN(v)) return isStaleNaN(v) ? SpecialValue.Stale : SpecialValue.NaN;
  return v > 0 ? SpecialValue.PosInf : SpecialValue.NegInf;
};

/** The value a special-value tag stands for; throws on a tag this adapter never writes. */
const decodeSpecialValue = (tag: string): number => {
  switch (tag) {
    case SpecialValue.NaN:
      return Number.NaN;
    case SpecialValue.PosInf:
      return Number.POSITIVE_INFINITY;
    case SpecialValue.NegInf:
      return Number.NEGATIVE_INFINITY;
    case SpecialValue.Stale:
      return STALE_NAN;
    default:
      throw new Error(`unknown ${SPECIAL_VALUE_DIMENSION} value '${tag}'`);
  }
};

/** `MeasureValue` text of a finite double: shortest round-trip form (`-0` becomes `0`). */
const formatDouble = (v: number): string => String(v);

/** The Timestream dimensions of a label set (`__name__` excluded), sorted by dimension name. */
const dimensionsOf = (labels: Labels): { Name: string; Value: string }[] =>
  Object.keys(labels)
    .filter((n) => n !== METRIC_NAME_LABEL && labels[n] !== '')
    .map((n) => ({ Name: dimensionNameOf(n), Value: labels[n] as string }))
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));

export {
  decodeSpecialValue,
  dimensionNameOf,
  dimensionsOf,
  formatDouble,
  isReservedDimensionName,
  labelNameOf,
  specialValueOf,
};
