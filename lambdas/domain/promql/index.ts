/** PromQL engine: parse and evaluate queries over a `SeriesStore`. */
export type * from './ast';
export { evaluateInstant, evaluateRange, type EvaluateOptions } from './evaluator';
export {
  PromqlExecutionError,
  PromqlParseError,
  PromqlTimeoutError,
  PromqlTooManySamplesError,
} from './errors';
export { parseExpr } from './parser';
export type { InstantSample, Point, QueryResult, QueryValue, RangeSeries } from './values';
