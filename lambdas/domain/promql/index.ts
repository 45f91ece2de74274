/** PromQL engine: parse and evaluate queries over a `SeriesStore`. */
export type * from './ast';
export {
  type EvaluateOptions,
  evaluateInstant,
  evaluateQuery,
  evaluateRange,
  type QueryRequest,
} from './evaluator';
export { BYTES_PER_SAMPLE, maxSamplesForMemory } from './memory';
export {
  PromqlExecutionError,
  PromqlParseError,
  PromqlTimeoutError,
  PromqlTooManySamplesError,
} from './errors';
export { parseExpr } from './parser';
export { columnsOf } from './values';
export type { InstantSample, Point, QueryResult, QueryValue, RangeSeries } from './values';
