/**
 * PromQL abstract syntax tree: a discriminated union on `type`, node kinds in alphabetical order
 * (as in Prometheus's `parser/ast.go`). Every node carries its position range in the query.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/parser/ast.go
 */
import type { LabelMatcher } from '../series/matchers';

/** A half-open character range `[start, end)` in the query text. */
export interface PositionRange {
  readonly start: number;
  readonly end: number;
}

/** The four PromQL value types. */
export const ValueType = {
  Matrix: 'matrix',
  Scalar: 'scalar',
  String: 'string',
  Vector: 'vector',
} as const;
export type ValueType = (typeof ValueType)[keyof typeof ValueType];

/** The `@` modifier: a fixed time in ms, or the query's start/end. */
export type AtModifier =
  | { readonly kind: 'time'; readonly ms: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'end' };

/** Aggregation operators. */
export type AggregateOp =
  | 'avg'
  | 'bottomk'
  | 'count'
  | 'count_values'
  | 'group'
  | 'limit_ratio'
  | 'limitk'
  | 'max'
  | 'min'
  | 'quantile'
  | 'stddev'
  | 'stdvar'
  | 'sum'
  | 'topk';

/** Binary operators. */
export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | 'atan2'
  | '=='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<='
  | 'and'
  | 'or'
  | 'unless';

/** Cardinality of a vector match. */
export type MatchCardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

/** `on`/`ignoring` and `group_left`/`group_right` of a binary expression between vectors. */
export interface VectorMatching {
  readonly card: MatchCardinality;
  /** True for `on(...)`, false for `ignoring(...)` (or no clause). */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** Extra labels copied from the "one" side (`group_left(a, b)`). */
  readonly include: readonly string[];
}

export interface AggregateExpr {
  readonly type: 'AggregateExpr';
  readonly op: AggregateOp;
  readonly expr: Expr;
  readonly param?: Expr;
  readonly grouping: readonly string[];
  readonly without: boolean;
  readonly pos: PositionRange;
}

export interface BinaryExpr {
  readonly type: 'BinaryExpr';
  readonly op: BinaryOp;
  readonly lhs: Expr;
  readonly rhs: Expr;
  readonly returnBool: boolean;
  /** Set when both sides are instant vectors. */
  readonly matching?: VectorMatching;
  readonly pos: PositionRange;
}

export interface Call {
  readonly type: 'Call';
  readonly func: string;
  readonly args: readonly Expr[];
  readonly pos: PositionRange;
}

export interface MatrixSelector {
  readonly type: 'MatrixSelector';
  readonly vectorSelector: VectorSelector;
  readonly rangeMs: number;
  readonly pos: PositionRange;
}

export interface NumberLiteral {
  readonly type: 'NumberLiteral';
  readonly value: number;
  readonly pos: PositionRange;
}

export interface ParenExpr {
  readonly type: 'ParenExpr';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

export interface StringLiteral {
  readonly type: 'StringLiteral';
  readonly value: string;
  /** Set when the escapes decode to invalid UTF-8: Go's `%q` rendering of the bytes. */
  readonly invalidUtf8Quoted?: string;
  readonly pos: PositionRange;
}

export interface SubqueryExpr {
  readonly type: 'SubqueryExpr';
  readonly expr: Expr;
  readonly rangeMs: number;
  /** 0 when omitted (`[5m:]`): the engine's default subquery step applies. */
  readonly stepMs: number;
  readonly offsetMs: number;
  readonly at?: AtModifier;
  readonly pos: PositionRange;
}

export interface UnaryExpr {
  readonly type: 'UnaryExpr';
  readonly op: '+' | '-';
  readonly expr: Expr;
  readonly pos: PositionRange;
}

export interface VectorSelector {
  readonly type: 'VectorSelector';
  /** The metric name when written before the braces, else `''`. */
  readonly name: string;
  readonly matchers: readonly LabelMatcher[];
  readonly offsetMs: number;
  readonly at?: AtModifier;
  readonly pos: PositionRange;
}

/** Any PromQL expression. */
export type Expr =
  | AggregateExpr
  | BinaryExpr
  | Call
  | MatrixSelector
  | NumberLiteral
  | ParenExpr
  | StringLiteral
  | SubqueryExpr
  | UnaryExpr
  | VectorSelector;
