/**
 * Argument and return types of every PromQL function, for parse-time type checks.
 * `variadic`: 0 = exactly `argTypes.length` args; n > 0 = the last arg type is optional and may
 * repeat up to n times in total; -1 = the last arg type repeats without limit.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/parser/functions.go
 */
import type { ValueType } from './ast';

/** The static description of a PromQL function. */
export interface FunctionSignature {
  readonly name: string;
  readonly argTypes: readonly ValueType[];
  readonly variadic: number;
  readonly returnType: ValueType;
}

const V = 'vector' as const;
const M = 'matrix' as const;
const S = 'scalar' as const;
const STR = 'string' as const;

const sig = (
  name: string,
  argTypes: readonly ValueType[],
  returnType: ValueType,
  variadic = 0,
): FunctionSignature => ({ name, argTypes, variadic, returnType });

const vectorFns = [
  'abs',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atanh',
  'ceil',
  'cos',
  'cosh',
  'deg',
  'exp',
  'floor',
  'histogram_avg',
  'histogram_count',
  'histogram_stddev',
  'histogram_stdvar',
  'histogram_sum',
  'ln',
  'log10',
  'log2',
  'rad',
  'sgn',
  'sin',
  'sinh',
  'sort',
  'sort_desc',
  'sqrt',
  'tan',
  'tanh',
  'timestamp',
  'absent',
];
const overTimeFns = [
  'absent_over_time',
  'avg_over_time',
  'changes',
  'count_over_time',
  'delta',
  'deriv',
  'first_over_time',
  'idelta',
  'increase',
  'irate',
  'last_over_time',
  'mad_over_time',
  'max_over_time',
  'min_over_time',
  'present_over_time',
  'rate',
  'resets',
  'stddev_over_time',
  'stdvar_over_time',
  'sum_over_time',
  'ts_of_first_over_time',
  'ts_of_last_over_time',
  'ts_of_max_over_time',
  'ts_of_min_over_time',
];
const dateFns = [
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'days_in_month',
  'hour',
  'minute',
  'month',
  'year',
];

const list: FunctionSignature[] = [
  ...vectorFns.map((n) => sig(n, [V], V)),
  ...overTimeFns.map((n) => sig(n, [M], V)),
  ...dateFns.map((n) => sig(n, [V], V, 1)),
  sig('clamp', [V, S, S], V),
  sig('clamp_max', [V, S], V),
  sig('clamp_min', [V, S], V),
  sig('double_exponential_smoothing', [M, S, S], V),
  sig('histogram_fraction', [S, S, V], V),
  sig('histogram_quantile', [S, V], V),
  sig('histogram_quantiles', [V, STR, S, S], V, -1),
  sig('label_join', [V, STR, STR, STR], V, -1),
  sig('label_replace', [V, STR, STR, STR, STR], V),
  sig('end', [], S),
  sig('pi', [], S),
  sig('predict_linear', [M, S], V),
  sig('quantile_over_time', [S, M], V),
  sig('range', [], S),
  sig('round', [V, S], V, 1),
  sig('scalar', [V], S),
  sig('sort_by_label', [V, STR], V, -1),
  sig('sort_by_label_desc', [V, STR], V, -1),
  sig('start', [], S),
  sig('step', [], S),
  sig('time', [], S),
  sig('vector', [S], V),
];

/** Every known function by name. */
const FUNCTION_SIGNATURES: Readonly<Record<string, FunctionSignature>> = Object.fromEntries(
  list.map((f) => [f.name, f]),
);

export { FUNCTION_SIGNATURES };
