/** The value type an expression evaluates to, as Prometheus's `Expr.Type()`. */
import type { Expr, ValueType } from './ast';
import { FUNCTION_SIGNATURES } from './function-signatures';

const typeOf = (e: Expr): ValueType => {
  switch (e.type) {
    case 'AggregateExpr':
      return 'vector';
    case 'BinaryExpr':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'Call':
      return FUNCTION_SIGNATURES[e.func]?.returnType ?? 'vector';
    case 'MatrixSelector':
    case 'SubqueryExpr':
      return 'matrix';
    case 'NumberLiteral':
      return 'scalar';
    case 'ParenExpr':
    case 'UnaryExpr':
      return typeOf(e.expr);
    case 'StringLiteral':
      return 'string';
    case 'VectorSelector':
      return 'vector';
    default: {
      const never: never = e;
      return never;
    }
  }
};

export { typeOf };
