/**
 * Bounds on how deeply a PromQL expression may nest, checked on the text before it is parsed.
 *
 * The parser, the type checks and the evaluator walk the syntax tree recursively, and the
 * underlying LR parser gives up on very deep input with a misleading "unexpected …" error. So
 * instead of a stack overflow (a 500) or that misleading message, an expression past these limits
 * is refused with a parse error at the place it crossed the limit:
 * - {@link MAX_NESTING_DEPTH} levels of parentheses, function calls, brackets and braces, plus
 *   unary signs in a row (`- - -x`);
 * - {@link MAX_OPERATORS_PER_LEVEL} operators between one pair of parentheses (`a + b + …`:
 *   each one nests the tree one level deeper);
 * - {@link MAX_TREE_DEPTH} for both together: the brackets around a place plus the operators
 *   before it at each of those levels, an upper bound of the syntax tree's depth there.
 * Prometheus has no such limits (Go stacks grow); real queries stay far below them.
 */

/** Parentheses, function calls, brackets, braces and unary signs around one place. */
const MAX_NESTING_DEPTH = 256;
/** Binary or unary operators between one pair of parentheses (or at the top level). */
const MAX_OPERATORS_PER_LEVEL = 300;
/** Brackets plus the operators that precede a place on each enclosing level. */
const MAX_TREE_DEPTH = 1000;

/** Where and why an expression is over a limit. */
interface NestingViolation {
  readonly pos: number;
  readonly reason: string;
}

const KEYWORD_OPERATORS = new Set(['and', 'or', 'unless', 'atan2']);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isWordStart = (c: string): boolean => /[A-Za-z_:]/.test(c);
const isWord = (c: string | undefined): boolean => c !== undefined && /[\w:.]/.test(c);

/**
 * Scans `query` (skipping string literals and `#` comments) and returns the first place it is
 * over a nesting limit, or `undefined`. Counting errs on the side of more operators (an exponent
 * sign inside a number is not counted; a negative offset is), which only matters at the limits.
 */
const findNestingViolation = (query: string): NestingViolation | undefined => {
  const opens: string[] = [];
  // Operators seen so far on each open level; index 0 is the top level.
  const ops: number[] = [0];
  let opsAbove = 0; // sum of ops[] of the enclosing levels
  let signRun = 0; // unary-looking signs in a row (only whitespace between)
  const operator = (pos: number): NestingViolation | undefined => {
    const level = ops.length - 1;
    ops[level] = (ops[level] ?? 0) + 1;
    const here = ops[level] ?? 0;
    if (here > MAX_OPERATORS_PER_LEVEL)
      return {
        pos,
        reason: `more than ${MAX_OPERATORS_PER_LEVEL} operators between one pair of parentheses`,
      };
    if (opens.length + opsAbove + here > MAX_TREE_DEPTH)
      return {
        pos,
        reason: `expression nested more than ${MAX_TREE_DEPTH} levels deep (parentheses and operators)`,
      };
    return undefined;
  };
  let i = 0;
  while (i < query.length) {
    const c = query[i] as string;
    if (c === '#') {
      while (i < query.length && query[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      i++;
      while (i < query.length && query[i] !== c) i += c !== '`' && query[i] === '\\' ? 2 : 1;
      i++;
      signRun = 0;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const inBraces = opens[opens.length - 1] === '{';
    if (c === '(' || c === '[' || c === '{') {
      opens.push(c);
      opsAbove += ops[ops.length - 1] ?? 0;
      ops.push(0);
      if (opens.length + signRun > MAX_NESTING_DEPTH)
        return {
          pos: i,
          reason: `expression nested more than ${MAX_NESTING_DEPTH} levels deep (parentheses, function calls, brackets, braces, unary signs)`,
        };
      signRun = 0;
      i++;
      continue;
    }
    if (c === ')' || c === ']' || c === '}') {
      if (opens.length > 0) {
        opens.pop();
        ops.pop();
        opsAbove -= ops[ops.length - 1] ?? 0;
      }
      signRun = 0;
      i++;
      continue;
    }
    if (inBraces) {
      signRun = 0;
      i++;
      continue;
    }
    if (isWordStart(c) || isDigit(c) || c === '.') {
      let j = i + 1;
      while (j < query.length) {
        const d = query[j];
        // 1e-5, 0x1p+3: a sign after an exponent letter inside a number is part of the number.
        if (
          (d === '+' || d === '-') &&
          /^[\d.]/.test(query.slice(i, j)) &&
          /[eEpP]/.test(query[j - 1] ?? '')
        )
          j++;
        else if (isWord(d)) j++;
        else break;
      }
      const word = query.slice(i, j).toLowerCase();
      if (KEYWORD_OPERATORS.has(word)) {
        const v = operator(i);
        if (v) return v;
      }
      signRun = 0;
      i = j;
      continue;
    }
    const two = query.slice(i, i + 2);
    const width = ['==', '!=', '>=', '<=', '=~', '!~'].includes(two) ? 2 : 1;
    if ('+-*/%^=!<>'.includes(c)) {
      const v = operator(i);
      if (v) return v;
      if (c === '+' || c === '-') {
        signRun++;
        if (opens.length + signRun > MAX_NESTING_DEPTH)
          return {
            pos: i,
            reason: `expression nested more than ${MAX_NESTING_DEPTH} levels deep (parentheses, function calls, brackets, braces, unary signs)`,
          };
      } else signRun = 0;
      i += width;
      continue;
    }
    signRun = 0;
    i++;
  }
  return undefined;
};

export type { NestingViolation };
export { findNestingViolation, MAX_NESTING_DEPTH, MAX_OPERATORS_PER_LEVEL, MAX_TREE_DEPTH };
