/**
 * Whether a PromQL expression needs the RE2 engine (`domain/regex/re2.ts`), for the boundaries
 * that load it before the synchronous parse and evaluation.
 */
import {
  isRegexEngineLoaded,
  loadRegexEngine,
  needsRegexEngine,
  withRegexEngine,
} from '../regex/re2';
import { type LabelMatcher, matchersNeedRegexEngine } from '../series/matchers';
import type { Expr } from './ast';

/** The string a literal argument holds (through parentheses), else `undefined`. */
const literalOf = (e: Expr | undefined): string | undefined => {
  let x = e;
  while (x?.type === 'ParenExpr') x = x.expr;
  return x?.type === 'StringLiteral' ? x.value : undefined;
};

/**
 * True when evaluating a parsed `expr` compiles a pattern that needs the engine: a
 * `label_replace` regex (the parser has already compiled every matcher).
 */
const exprNeedsRegexEngine = (expr: Expr): boolean => {
  switch (expr.type) {
    case 'Call': {
      if (expr.func === 'label_replace') {
        const regex = literalOf(expr.args[4]);
        if (regex === undefined || needsRegexEngine(regex)) return true;
      }
      return expr.args.some(exprNeedsRegexEngine);
    }
    case 'AggregateExpr':
      return (
        exprNeedsRegexEngine(expr.expr) ||
        (expr.param !== undefined && exprNeedsRegexEngine(expr.param))
      );
    case 'BinaryExpr':
      return exprNeedsRegexEngine(expr.lhs) || exprNeedsRegexEngine(expr.rhs);
    case 'ParenExpr':
    case 'SubqueryExpr':
    case 'UnaryExpr':
      return exprNeedsRegexEngine(expr.expr);
    default:
      return false;
  }
};

/**
 * Runs `parse` (pure), with the engine loaded first when a matcher needs it, and loads it after
 * when evaluating the parsed expression will: the evaluation that follows runs without waiting.
 */
const parseWithRegexEngine = async <T>(parse: () => T, exprOf: (parsed: T) => Expr): Promise<T> => {
  const parsed = await withRegexEngine(parse);
  if (!isRegexEngineLoaded() && exprNeedsRegexEngine(exprOf(parsed))) await loadRegexEngine();
  return parsed;
};

/** Every label matcher of `expr`'s selectors. */
const matchersOf = (expr: Expr): LabelMatcher[] => {
  switch (expr.type) {
    case 'VectorSelector':
      return [...expr.matchers];
    case 'MatrixSelector':
      return [...expr.vectorSelector.matchers];
    case 'Call':
      return expr.args.flatMap(matchersOf);
    case 'AggregateExpr':
      return [...matchersOf(expr.expr), ...(expr.param ? matchersOf(expr.param) : [])];
    case 'BinaryExpr':
      return [...matchersOf(expr.lhs), ...matchersOf(expr.rhs)];
    case 'ParenExpr':
    case 'SubqueryExpr':
    case 'UnaryExpr':
      return matchersOf(expr.expr);
    default:
      return [];
  }
};

/**
 * `parsed` once the engine is loaded if evaluating it needs it: for an expression parsed ahead
 * (at synth), whose matchers the parser compiled in another process.
 */
const checkedWithRegexEngine = async <T extends { readonly expr: Expr }>(parsed: T): Promise<T> => {
  if (isRegexEngineLoaded()) return parsed;
  if (matchersNeedRegexEngine(matchersOf(parsed.expr)) || exprNeedsRegexEngine(parsed.expr))
    await loadRegexEngine();
  return parsed;
};

export { checkedWithRegexEngine, exprNeedsRegexEngine, parseWithRegexEngine };
