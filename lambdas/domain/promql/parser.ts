/**
 * PromQL parser: `@prometheus-io/lezer-promql` (the Prometheus project's grammar) tokenizes and
 * builds a concrete tree; this module turns it into the typed AST of `ast.ts` and applies
 * Prometheus's parse-time checks. Lezer's tree is made for editors and does not encode the
 * precedence of postfix modifiers (`[5m]`, `offset`, `@`), so each expression is flattened into
 * its operand/operator sequence and re-associated by precedence climbing with Prometheus's
 * precedence table (`or` < `and unless` < comparisons < `+ -` < `* / % atan2` < `^` < unary <
 * postfix).
 * @see https://github.com/prometheus/prometheus/blob/main/promql/parser/generated_parser.y
 * @see https://github.com/prometheus/prometheus/blob/main/promql/parser/parse.go (checkAST)
 */
import { parser as lezerParser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import { RegexSyntaxError } from '../regex/re2';
import { anchoredRegex, MatchOp, type LabelMatcher, matchesValue } from '../series/matchers';
import type {
  AggregateOp,
  AtModifier,
  BinaryOp,
  Expr,
  MatchCardinality,
  PositionRange,
  ValueType,
  VectorMatching,
  VectorSelector,
} from './ast';
import { PromqlParseError, positionOf } from './errors';
import { findNestingViolation } from './nesting-limits';
import { FUNCTION_SIGNATURES } from './function-signatures';
import { typeOf } from './type-of';
import { durationInRange, parseDurationMs, parseNumberLiteral, unquoteString } from './lexical';

const EXPR_NODES = new Set([
  'AggregateExpr',
  'BinaryExpr',
  'FunctionCall',
  'MatrixSelector',
  'NumberDurationLiteral',
  'OffsetExpr',
  'AnchoredExpr',
  'SmoothedExpr',
  'ParenExpr',
  'StringLiteral',
  'SubqueryExpr',
  'UnaryExpr',
  'VectorSelector',
  'StepInvariantExpr',
]);

const BINARY_OPS: Readonly<Record<string, BinaryOp>> = {
  Pow: '^',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Atan2: 'atan2',
  Add: '+',
  Sub: '-',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Unless: 'unless',
  Or: 'or',
};

const PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '>': 3,
  '<': 3,
  '>=': 3,
  '<=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  atan2: 5,
  '^': 6,
};

const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS: ReadonlySet<BinaryOp> = new Set(['and', 'or', 'unless']);
const PARAM_AGGREGATIONS: ReadonlySet<AggregateOp> = new Set([
  'bottomk',
  'count_values',
  'limit_ratio',
  'limitk',
  'quantile',
  'topk',
]);

/** How Prometheus names value types in messages. */
const documentedType = (t: ValueType): string =>
  t === 'vector' ? 'instant vector' : t === 'matrix' ? 'range vector' : t;

type Postfix =
  | { readonly k: 'range'; readonly rangeMs: number; readonly pos: PositionRange }
  | {
      readonly k: 'subquery';
      readonly rangeMs: number;
      readonly stepMs: number;
      readonly pos: PositionRange;
    }
  | { readonly k: 'offset'; readonly ms: number; readonly pos: PositionRange }
  | { readonly k: 'at'; readonly at: AtModifier; readonly pos: PositionRange };

type Token =
  | { readonly kind: 'atom'; readonly expr: Expr }
  | {
      readonly kind: 'binop';
      readonly op: BinaryOp;
      readonly returnBool: boolean;
      readonly matching?: VectorMatching;
      readonly pos: PositionRange;
    }
  | { readonly kind: 'unary'; readonly op: '+' | '-'; readonly pos: PositionRange }
  | { readonly kind: 'postfix'; readonly post: Postfix };

/** One parse of one query string. */
class Parse {
  constructor(private readonly q: string) {}

  fail(pos: number, reason: string): never {
    const { line, column } = positionOf(this.q, pos);
    throw new PromqlParseError(reason, { line, column, query: this.q });
  }

  text(n: SyntaxNode): string {
    return this.q.slice(n.from, n.to);
  }

  /** The node's children, without `#` comments (skipped like blanks, as Prometheus's lexer does). */
  children(n: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name !== 'LineComment') out.push(c);
      // Prometheus's lexer reads no comment between braces (lex.go lexInsideBraces).
      else if (n.name === 'LabelMatchers' || n.parent?.name === 'LabelMatchers')
        this.fail(c.from, "unexpected character inside braces: '#'");
    }
    return out;
  }

  child(n: SyntaxNode, name: string): SyntaxNode | undefined {
    return this.children(n).find((c) => c.name === name);
  }

  exprChildren(n: SyntaxNode): SyntaxNode[] {
    return this.children(n).filter((c) => EXPR_NODES.has(c.name));
  }

  /** Builds the AST of an expression node. */
  expr(n: SyntaxNode): Expr {
    const toks: Token[] = [];
    this.flatten(n, toks);
    const state = { i: 0 };
    const e = this.climb(toks, state, 0);
    if (state.i !== toks.length) this.fail(n.from, 'unexpected token');
    return e;
  }

  flatten(n: SyntaxNode, out: Token[]): void {
    switch (n.name) {
      case 'BinaryExpr':
        this.flattenBinary(n, out);
        return;
      case 'UnaryExpr': {
        const [opNode, operand] = this.children(n);
        if (!opNode || !operand) this.fail(n.from, 'unexpected end of input');
        out.push({
          kind: 'unary',
          op: this.text(opNode) === '-' ? '-' : '+',
          pos: { start: opNode.from, end: opNode.to },
        });
        this.flatten(operand, out);
        return;
      }
      case 'MatrixSelector': {
        const [operand, dur] = this.children(n);
        if (!operand || !dur) this.fail(n.from, 'unexpected end of input');
        this.flatten(operand, out);
        const rangeMs = this.durationExpr(dur);
        out.push({
          kind: 'postfix',
          post: { k: 'range', rangeMs, pos: { start: dur.from - 1, end: n.to } },
        });
        return;
      }
      case 'SubqueryExpr': {
        const [operand, rangeNode, stepNode] = this.children(n);
        if (!operand || !rangeNode) this.fail(n.from, 'unexpected end of input');
        this.flatten(operand, out);
        const rangeMs = this.durationExpr(rangeNode);
        const stepMs = stepNode ? this.durationExpr(stepNode) : 0;
        if (stepNode && stepMs <= 0) this.fail(stepNode.from, 'step must be greater than 0');
        out.push({
          kind: 'postfix',
          post: { k: 'subquery', rangeMs, stepMs, pos: { start: rangeNode.from - 1, end: n.to } },
        });
        return;
      }
      case 'OffsetExpr': {
        const [operand, kw, dur] = this.children(n);
        if (!operand || !kw || !dur) this.fail(n.from, 'unexpected end of input');
        this.flatten(operand, out);
        out.push({
          kind: 'postfix',
          post: { k: 'offset', ms: this.offsetDuration(dur), pos: { start: kw.from, end: n.to } },
        });
        return;
      }
      case 'StepInvariantExpr': {
        const [operand, kw, value] = this.children(n);
        if (!operand || !kw || !value) this.fail(n.from, 'unexpected end of input');
        this.flatten(operand, out);
        out.push({
          kind: 'postfix',
          post: { k: 'at', at: this.atValue(value), pos: { start: kw.from, end: n.to } },
        });
        return;
      }
      case 'AnchoredExpr':
      case 'SmoothedExpr':
        this.fail(n.from, 'the experimental "anchored" and "smoothed" modifiers are not supported');
        return;
      case 'NumberDurationLiteral': {
        const t = this.text(n);
        if (t.startsWith('-') || t.startsWith('+')) {
          out.push({
            kind: 'unary',
            op: t[0] === '-' ? '-' : '+',
            pos: { start: n.from, end: n.from + 1 },
          });
          let start = n.from + 1;
          while (/\s/.test(this.q[start] ?? '')) start++;
          out.push({ kind: 'atom', expr: this.number(this.q.slice(start, n.to), start, n.to) });
          return;
        }
        out.push({ kind: 'atom', expr: this.number(t, n.from, n.to) });
        return;
      }
      default:
        out.push({ kind: 'atom', expr: this.atom(n) });
    }
  }

  flattenBinary(n: SyntaxNode, out: Token[]): void {
    const kids = this.children(n);
    const [lhs, opNode] = kids;
    const rhs = kids[kids.length - 1];
    if (!lhs || !opNode || !rhs || kids.length < 3) this.fail(n.to, 'unexpected end of input');
    const op = BINARY_OPS[opNode.name];
    if (!op) this.fail(opNode.from, `unexpected ${this.text(opNode)}`);
    let returnBool = false;
    let matching: VectorMatching | undefined;
    for (const m of kids.slice(2, -1)) {
      if (m.name === 'BoolModifier') returnBool = true;
      else if (m.name === 'MatchingModifierClause') matching = this.matching(m);
      else if (m.name === 'FillModifier') {
        this.fail(m.from, 'the experimental fill modifiers are not supported');
      }
    }
    this.flatten(lhs, out);
    out.push({
      kind: 'binop',
      op,
      returnBool,
      matching,
      pos: { start: opNode.from, end: opNode.to },
    });
    this.flatten(rhs, out);
  }

  matching(n: SyntaxNode): VectorMatching {
    const kids = this.children(n);
    const on = kids[0]?.name === 'On';
    const labelNodes = kids.filter((k) => k.name === 'GroupingLabels');
    const labels = labelNodes[0] ? this.groupingLabels(labelNodes[0]) : [];
    const groupNode = kids.find((k) => k.name === 'GroupLeft' || k.name === 'GroupRight');
    let card: MatchCardinality = 'one-to-one';
    if (groupNode) card = groupNode.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
    const include = labelNodes[1] ? this.groupingLabels(labelNodes[1]) : [];
    return { card, on, labels, include };
  }

  groupingLabels(n: SyntaxNode): string[] {
    return this.children(n).map((c) => {
      if (c.name === 'LabelName') return this.text(c);
      const s = c.firstChild;
      if (!s) this.fail(c.from, 'unexpected label name');
      return this.string(s).value;
    });
  }

  climb(toks: Token[], st: { i: number }, minPrec: number): Expr {
    let lhs = this.unary(toks, st);
    for (;;) {
      const t = toks[st.i];
      if (t?.kind !== 'binop') break;
      const p = PRECEDENCE[t.op];
      if (p < minPrec) break;
      st.i++;
      const rhs = this.climb(toks, st, t.op === '^' ? p : p + 1);
      lhs = {
        type: 'BinaryExpr',
        op: t.op,
        lhs,
        rhs,
        returnBool: t.returnBool,
        matching: t.matching,
        pos: { start: lhs.pos.start, end: rhs.pos.end },
      };
    }
    return lhs;
  }

  unary(toks: Token[], st: { i: number }): Expr {
    const t = toks[st.i];
    if (t?.kind === 'unary') {
      st.i++;
      const operand = this.climb(toks, st, PRECEDENCE['^']);
      const pos = { start: t.pos.start, end: operand.pos.end };
      if (operand.type === 'NumberLiteral') {
        return { ...operand, value: t.op === '-' ? -operand.value : operand.value, pos };
      }
      return { type: 'UnaryExpr', op: t.op, expr: operand, pos };
    }
    if (t?.kind !== 'atom') this.fail(this.q.length, 'unexpected end of input');
    st.i++;
    let e = t.expr;
    for (let p = toks[st.i]; p?.kind === 'postfix'; p = toks[st.i]) {
      st.i++;
      e = this.applyPostfix(e, p.post);
    }
    return e;
  }

  applyPostfix(e: Expr, p: Postfix): Expr {
    const pos = { start: e.pos.start, end: p.pos.end };
    switch (p.k) {
      case 'range':
        if (e.type !== 'VectorSelector')
          this.fail(e.pos.start, 'ranges only allowed for vector selectors');
        if (e.offsetMs !== 0 || e.at)
          this.fail(p.pos.start, 'no offset modifiers allowed before range');
        if (p.rangeMs <= 0) this.fail(p.pos.start, 'range must be greater than 0');
        return { type: 'MatrixSelector', vectorSelector: e, rangeMs: p.rangeMs, pos };
      case 'subquery':
        if (p.rangeMs <= 0) this.fail(p.pos.start, 'range must be greater than 0');
        return {
          type: 'SubqueryExpr',
          expr: e,
          rangeMs: p.rangeMs,
          stepMs: p.stepMs,
          offsetMs: 0,
          pos,
        };
      case 'offset':
      case 'at': {
        const what = p.k === 'offset' ? 'offset' : '@';
        if (
          e.type !== 'VectorSelector' &&
          e.type !== 'MatrixSelector' &&
          e.type !== 'SubqueryExpr'
        ) {
          this.fail(
            p.pos.start,
            `${what} modifier must be preceded by an instant vector selector or range vector selector or a subquery`,
          );
        }
        const target = e.type === 'MatrixSelector' ? e.vectorSelector : e;
        if (p.k === 'offset') {
          if (target.offsetMs !== 0) this.fail(p.pos.start, 'offset may not be set multiple times');
        } else if (target.at) {
          this.fail(p.pos.start, '@ <timestamp> may not be set multiple times');
        }
        const mod = p.k === 'offset' ? { offsetMs: p.ms } : { at: p.at };
        if (e.type === 'MatrixSelector') {
          return { ...e, vectorSelector: { ...e.vectorSelector, ...mod }, pos };
        }
        return { ...e, ...mod, pos };
      }
      default: {
        const never: never = p;
        return never;
      }
    }
  }

  atom(n: SyntaxNode): Expr {
    const pos = { start: n.from, end: n.to };
    switch (n.name) {
      case 'ParenExpr': {
        const inner = this.exprChildren(n)[0];
        if (!inner) this.fail(n.to, 'unexpected end of input');
        return { type: 'ParenExpr', expr: this.expr(inner), pos };
      }
      case 'StringLiteral': {
        const s = this.string(n);
        return {
          type: 'StringLiteral',
          value: s.value,
          invalidUtf8Quoted: s.invalidUtf8Quoted,
          pos,
        };
      }
      case 'VectorSelector':
        return this.vectorSelector(n);
      case 'FunctionCall':
        return this.call(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      default:
        return this.fail(n.from, `unexpected ${JSON.stringify(this.text(n))}`);
    }
  }

  number(text: string, start: number, end: number): Expr {
    const v = parseNumberLiteral(text);
    if (v === undefined) this.fail(start, `bad number or duration syntax: "${text}"`);
    return { type: 'NumberLiteral', value: v, pos: { start, end } };
  }

  string(n: SyntaxNode): { value: string; invalidUtf8Quoted?: string } {
    try {
      return unquoteString(this.text(n));
    } catch (err) {
      return this.fail(n.from, (err as Error).message);
    }
  }

  call(n: SyntaxNode): Expr {
    const idNode = this.child(n, 'FunctionIdentifier');
    const body = this.child(n, 'FunctionCallBody');
    if (!idNode || !body) this.fail(n.from, 'unexpected end of input');
    const func = this.text(idNode);
    const sig = FUNCTION_SIGNATURES[func];
    if (!sig) {
      const reason =
        func === 'info'
          ? 'function "info" is experimental and not supported'
          : `unknown function with name "${func}"`;
      this.fail(n.from, reason);
    }
    const args = this.exprChildren(body).map((a) => this.expr(a));
    return { type: 'Call', func, args, pos: { start: n.from, end: n.to } };
  }

  aggregate(n: SyntaxNode): Expr {
    const opNode = this.child(n, 'AggregateOp');
    const body = this.child(n, 'FunctionCallBody');
    if (!opNode || !body) this.fail(n.from, 'unexpected end of input');
    const op = this.text(opNode).toLowerCase() as AggregateOp;
    const mod = this.child(n, 'AggregateModifier');
    let grouping: string[] = [];
    let without = false;
    if (mod) {
      without = mod.firstChild?.name === 'Without';
      const gl = this.child(mod, 'GroupingLabels');
      grouping = gl ? this.groupingLabels(gl) : [];
    }
    const args = this.exprChildren(body).map((a) => this.expr(a));
    const wanted = PARAM_AGGREGATIONS.has(op) ? 2 : 1;
    if (args.length !== wanted) {
      this.fail(
        n.from,
        `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`,
      );
    }
    const expr = args[args.length - 1] as Expr;
    const param = wanted === 2 ? args[0] : undefined;
    return {
      type: 'AggregateExpr',
      op,
      expr,
      param,
      grouping,
      without,
      pos: { start: n.from, end: n.to },
    };
  }

  vectorSelector(n: SyntaxNode): VectorSelector {
    const idNode = this.child(n, 'Identifier');
    const name = idNode ? this.text(idNode) : '';
    const matchers: LabelMatcher[] = [];
    const lm = this.child(n, 'LabelMatchers');
    for (const m of lm ? this.children(lm) : []) {
      if (m.name === 'QuotedLabelName') {
        const s = m.firstChild;
        if (!s) this.fail(m.from, 'unexpected label matcher');
        matchers.push({ name: '__name__', op: MatchOp.Equal, value: this.string(s).value });
        continue;
      }
      const [nameNode, opNode, valueNode] = this.children(m);
      if (!nameNode || !opNode || !valueNode)
        this.fail(m.from, 'unexpected end of input inside braces');
      const label =
        nameNode.name === 'LabelName'
          ? this.text(nameNode)
          : this.string(nameNode.firstChild ?? nameNode).value;
      const op = this.text(opNode) as MatchOp;
      const value = this.string(valueNode).value;
      if (op === MatchOp.RegexMatch || op === MatchOp.RegexNoMatch) {
        // Prometheus's parser compiles the matcher (labels.NewMatcher) and reports Go's error
        // at the matcher's start (parser/parse.go newLabelMatcher).
        try {
          anchoredRegex(value);
        } catch (e) {
          if (!(e instanceof RegexSyntaxError)) throw e;
          this.fail(nameNode.from, e.message);
        }
      }
      matchers.push({ name: label, op, value });
    }
    if (name !== '') {
      const dup = matchers.find((m) => m.name === '__name__');
      if (dup) this.fail(n.from, `metric name must not be set twice: "${name}" or "${dup.value}"`);
      matchers.unshift({ name: '__name__', op: MatchOp.Equal, value: name });
    }
    if (matchers.every((m) => matchesValue(m, ''))) {
      this.fail(n.from, 'vector selector must contain at least one non-empty matcher');
    }
    return {
      type: 'VectorSelector',
      name,
      matchers,
      offsetMs: 0,
      pos: { start: n.from, end: n.to },
    };
  }

  /** Evaluates a duration expression (`5m`, `300`, `1h+5m`, `(2*1m)`) to milliseconds. */
  durationExpr(n: SyntaxNode): number {
    const kids = this.children(n);
    if (n.name === 'NumberDurationLiteralInDurationContext') {
      const t = this.text(n);
      const d = parseDurationMs(t);
      if (d !== undefined && !durationInRange(t)) this.fail(n.from, 'duration out of range');
      if (d !== undefined) return d;
      const v = parseNumberLiteral(t);
      if (v === undefined || !Number.isFinite(v)) this.fail(n.from, `bad duration syntax: "${t}"`);
      return Math.round(v * 1000);
    }
    if (kids.length === 1 && kids[0]) return this.durationExpr(kids[0]);
    const [a, b, c] = kids;
    if (a?.name === 'UnaryOp' && b)
      return this.text(a) === '-' ? -this.durationExpr(b) : this.durationExpr(b);
    if (a && b && c && b.name in BINARY_OPS) {
      const x = this.durationExpr(a) / 1000;
      const y = this.durationExpr(c) / 1000;
      const ops: Record<string, number> = {
        Add: x + y,
        Sub: x - y,
        Mul: x * y,
        Div: x / y,
        Mod: x % y,
        Pow: x ** y,
      };
      const r = ops[b.name];
      if (r === undefined || !Number.isFinite(r)) this.fail(n.from, 'invalid duration expression');
      return Math.round(r * 1000);
    }
    if (a && (a.name === 'DurationMinOf' || a.name === 'DurationMaxOf')) {
      const args = kids.filter((k) => k.name === 'DurationExpr').map((k) => this.durationExpr(k));
      return a.name === 'DurationMinOf' ? Math.min(...args) : Math.max(...args);
    }
    return this.fail(n.from, 'step() and range() are not supported in durations');
  }

  offsetDuration(n: SyntaxNode): number {
    const [a, b] = this.children(n);
    if (a?.name === 'UnaryOp' && b) {
      return this.text(a) === '-' ? -this.offsetDuration(b) : this.offsetDuration(b);
    }
    return this.durationExpr(n.name === 'OffsetDurationExpr' && a ? a : n);
  }

  atValue(n: SyntaxNode): AtModifier {
    if (n.name === 'AtModifierPreprocessors') {
      return n.firstChild?.name === 'AtEnd' ? { kind: 'end' } : { kind: 'start' };
    }
    const v = parseNumberLiteral(this.text(n).replace(/^\+/, ''));
    if (v === undefined || !Number.isFinite(v)) {
      this.fail(n.from, `timestamp out of bounds for @ modifier: ${this.text(n)}`);
    }
    return { kind: 'time', ms: Math.round(v * 1000) };
  }
}

/** The value type of an expression (after a successful parse). */
/** Prometheus's checkAST: type checks, returning the (possibly normalized) expression. */
const check = (p: Parse, e: Expr): Expr => {
  switch (e.type) {
    case 'AggregateExpr': {
      const expr = check(p, e.expr);
      if (typeOf(expr) !== 'vector') {
        p.fail(
          e.pos.start,
          `expected type instant vector in aggregation expression, got ${documentedType(typeOf(expr))}`,
        );
      }
      const param = e.param ? check(p, e.param) : undefined;
      if (param) {
        const want: ValueType = e.op === 'count_values' ? 'string' : 'scalar';
        if (typeOf(param) !== want) {
          p.fail(
            param.pos.start,
            `expected type ${want} in aggregation parameter, got ${documentedType(typeOf(param))}`,
          );
        }
      }
      return { ...e, expr, param };
    }
    case 'BinaryExpr':
      return checkBinary(p, e);
    case 'Call': {
      const sig = FUNCTION_SIGNATURES[e.func];
      if (!sig) return p.fail(e.pos.start, `unknown function with name "${e.func}"`);
      const n = sig.argTypes.length;
      const got = e.args.length;
      if (sig.variadic === 0 && got !== n) {
        p.fail(e.pos.end, `expected ${n} argument(s) in call to "${e.func}", got ${got}`);
      }
      if (sig.variadic !== 0 && got < n - 1) {
        p.fail(
          e.pos.end,
          `expected at least ${n - 1} argument(s) in call to "${e.func}", got ${got}`,
        );
      }
      if (sig.variadic > 0 && got > n - 1 + sig.variadic) {
        p.fail(
          e.pos.end,
          `expected at most ${n - 1 + sig.variadic} argument(s) in call to "${e.func}", got ${got}`,
        );
      }
      const args = e.args.map((a, i) => {
        const c = check(p, a);
        const want = sig.argTypes[Math.min(i, n - 1)] as ValueType;
        if (typeOf(c) !== want) {
          p.fail(
            a.pos.start,
            `expected type ${documentedType(want)} in call to function "${e.func}", got ${documentedType(typeOf(c))}`,
          );
        }
        return c;
      });
      return { ...e, args };
    }
    case 'ParenExpr':
      return { ...e, expr: check(p, e.expr) };
    case 'SubqueryExpr': {
      const expr = check(p, e.expr);
      if (typeOf(expr) !== 'vector') {
        p.fail(
          e.pos.start,
          `subquery is only allowed on instant vector, got ${typeOf(expr)} instead`,
        );
      }
      return { ...e, expr };
    }
    case 'UnaryExpr': {
      const expr = check(p, e.expr);
      const t = typeOf(expr);
      if (t !== 'scalar' && t !== 'vector') {
        p.fail(
          e.pos.start,
          `unary expression only allowed on expressions of type scalar or instant vector, got "${documentedType(t)}"`,
        );
      }
      return { ...e, expr };
    }
    case 'MatrixSelector':
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'VectorSelector':
      return e;
    default: {
      const never: never = e;
      return never;
    }
  }
};

const checkBinary = (p: Parse, e: Extract<Expr, { type: 'BinaryExpr' }>): Expr => {
  const lhs = check(p, e.lhs);
  const rhs = check(p, e.rhs);
  const lt = typeOf(lhs);
  const rt = typeOf(rhs);
  const isCmp = COMPARISON_OPS.has(e.op);
  const isSet = SET_OPS.has(e.op);
  if (e.returnBool && !isCmp)
    p.fail(e.pos.start, 'bool modifier can only be used on comparison operators');
  if (isCmp && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
    p.fail(e.pos.start, 'comparisons between scalars must use BOOL modifier');
  }
  let matching = e.matching;
  if (isSet && (!matching || matching.card === 'one-to-one')) {
    matching = {
      card: 'many-to-many',
      on: matching?.on ?? false,
      labels: matching?.labels ?? [],
      include: [],
    };
  }
  if (matching?.on) {
    for (const l of matching.labels) {
      if (matching.include.includes(l)) {
        p.fail(e.pos.start, `label "${l}" must not occur in ON and GROUP clause at once`);
      }
    }
  }
  if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) {
    p.fail(e.pos.start, 'binary expression must contain only scalar and instant vector types');
  }
  if (lt !== 'vector' || rt !== 'vector') {
    if (matching && (matching.labels.length > 0 || matching.on)) {
      p.fail(e.pos.start, 'vector matching only allowed between instant vectors');
    }
    if (matching && (matching.card === 'many-to-one' || matching.card === 'one-to-many')) {
      p.fail(e.pos.start, 'vector matching only allowed between instant vectors');
    }
    matching = undefined;
  } else {
    if (isSet && (matching?.card === 'one-to-many' || matching?.card === 'many-to-one')) {
      p.fail(e.pos.start, `no grouping allowed for "${e.op}" operation`);
    }
    matching ??= { card: 'one-to-one', on: false, labels: [], include: [] };
  }
  if ((lt === 'scalar' || rt === 'scalar') && isSet) {
    p.fail(e.pos.start, `set operator "${e.op}" not allowed in binary scalar expression`);
  }
  return { ...e, lhs, rhs, matching };
};

const describeAt = (q: string, pos: number): string => {
  const rest = q.slice(pos).replace(/^\s+/, '');
  if (rest === '') return 'unexpected end of input';
  const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest);
  if (ident) return `unexpected identifier "${ident[0]}"`;
  const num = /^[0-9.][0-9a-zA-Z_.]*/.exec(rest);
  if (num) return `unexpected number "${num[0]}"`;
  return `unexpected character: '${rest[0]}'`;
};

/**
 * Prometheus's lexer reads `2.` and `1./6.` as numbers (a digit run, a point, no fraction);
 * lezer-promql's grammar does not. Blanks such points outside strings and comments, keeping every
 * offset, so the grammar sees `2 ` (same value) and positions in errors stay right.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/parser/lex.go (acceptRun(digits); accept("."))
 */
const blankTrailingPoints = (q: string): string => {
  let out = '';
  let quote = '';
  for (let i = 0; i < q.length; i++) {
    const c = q[i] as string;
    if (quote) {
      if (c === '\\' && quote !== '`') {
        out += c + (q[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
    } else if (c === '#') {
      const nl = q.indexOf('\n', i);
      const end = nl < 0 ? q.length : nl;
      out += q.slice(i, end);
      i = end - 1;
      continue;
    } else if (c === '.' && /\d/.test(q[i - 1] ?? '') && !/[\w.]/.test(q[i + 1] ?? '')) {
      const run = /[\w.:]*$/.exec(q.slice(0, i))?.[0] ?? '';
      // Only a plain decimal number: not an identifier, hex literal or duration ending in a digit.
      if (/^\d+$/.test(run)) {
        out += ' ';
        continue;
      }
    }
    out += c;
  }
  return out;
};

/** Parses with lezer, then builds and type-checks the AST. */
const parseChecked = (p: Parse, query: string): Expr => {
  const tree = lezerParser.parse(blankTrailingPoints(query));
  let errorAt = -1;
  tree.iterate({
    enter: (n) => {
      if (errorAt >= 0) return false;
      if (n.type.isError) errorAt = n.from;
      return undefined;
    },
  });
  if (errorAt >= 0) {
    const before = query.slice(0, errorAt);
    const fn = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*$/.exec(before);
    if (
      fn &&
      query.slice(errorAt).trimStart().startsWith('(') &&
      !FUNCTION_SIGNATURES[fn[1] as string]
    ) {
      p.fail(errorAt - (fn[0]?.length ?? 0), `unknown function with name "${fn[1]}"`);
    }
    p.fail(errorAt, describeAt(query, errorAt));
  }
  const [top] = p.children(tree.topNode);
  if (!top) return p.fail(0, 'no expression found in input');
  return check(p, p.expr(top));
};

/** Blanks and `#` comments only: no string can hide a `#` when there is nothing else. */
const ONLY_COMMENTS = /^(?:\s|#[^\n]*)*$/;

/**
 * Parses a PromQL expression into a type-checked AST.
 * @throws PromqlParseError with line, column and a Prometheus-like message.
 * @example parseExpr('sum by (job) (rate(http_requests_total[5m]))')
 */
const parseExpr = (query: string): Expr => {
  const p = new Parse(query);
  if (ONLY_COMMENTS.test(query)) p.fail(0, 'no expression found in input');
  const tooDeep = findNestingViolation(query);
  if (tooDeep) p.fail(tooDeep.pos, tooDeep.reason);
  try {
    return parseChecked(p, query);
  } catch (e) {
    // The limits above keep the recursion well inside the stack; this is the backstop for a
    // shape they do not foresee, so it still ends as a parse error and never as a RangeError.
    if (e instanceof RangeError && /call stack/i.test(e.message))
      return p.fail(0, 'expression too deeply nested to parse');
    throw e;
  }
};

export { documentedType, parseExpr, typeOf };
