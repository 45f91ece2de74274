/** The type check of a query against its kind: a range query evaluates to a scalar or an instant vector at every step. */
import type { Expr, ValueType } from './ast';
import { PromqlExecutionError } from './errors';
import { typeOf } from './type-of';

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
 * `expr` with its type, checked for the kind of query.
 * @throws RangeQueryTypeError for a range query whose expression is a range vector or a string
 */
const checkQueryKind = (
  expr: Expr,
  kind: 'instant' | 'range',
): { readonly expr: Expr; readonly type: ValueType } => {
  const type = typeOf(expr);
  if (kind === 'range' && type !== 'vector' && type !== 'scalar') {
    throw new RangeQueryTypeError(type);
  }
  return { expr, type };
};

export { checkQueryKind, RangeQueryTypeError };
