/**
 * A query as the engine and the query API both take it: parsed, and its type checked against the
 * kind of query (`query-kind.ts`).
 */
import type { Expr, ValueType } from './ast';
import { parseExpr } from './parser';
import { checkQueryKind, RangeQueryTypeError } from './query-kind';

/**
 * Parses `query` for an instant or a range query.
 * @throws PromqlParseError when it does not parse; RangeQueryTypeError for a range query whose
 *   expression is a range vector or a string
 */
const parseQuery = (
  query: string,
  kind: 'instant' | 'range',
): { readonly expr: Expr; readonly type: ValueType } => checkQueryKind(parseExpr(query), kind);

export { parseQuery, RangeQueryTypeError };
