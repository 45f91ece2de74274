/**
 * A query as the engine and the query API both take it: parsed, and its type checked against the
 * kind of query (a range query evaluates to a scalar or an instant vector at every step).
 */
import type { Expr, ValueType } from './ast';
import { PromqlExecutionError } from './errors';
import { parseExpr, typeOf } from './parser';

/**
 * A range query over an expression that is neither a scalar nor an instant vector (named
 * `PromqlExecutionError`, as the evaluator's other execution errors, for the error mapping).
 */
class RangeQueryTypeError extends PromqlExecutionError {
  constructor(type: ValueType) {
    super(
      `invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`,
    );
  }
}

/**
 * Parses `query` for an instant or a range query.
 * @throws PromqlParseError when it does not parse; RangeQueryTypeError for a range query whose
 *   expression is a range vector or a string
 */
const parseQuery = (
  query: string,
  kind: 'instant' | 'range',
): { readonly expr: Expr; readonly type: ValueType } => {
  const expr = parseExpr(query);
  const type = typeOf(expr);
  if (kind === 'range' && type !== 'vector' && type !== 'scalar') {
    throw new RangeQueryTypeError(type);
  }
  return { expr, type };
};

export { parseQuery, RangeQueryTypeError };
