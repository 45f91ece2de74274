import type { Labels } from './labels';

/** Label matcher operators, as in PromQL selectors. */
export const MatchOp = {
  Equal: '=',
  NotEqual: '!=',
  RegexMatch: '=~',
  RegexNoMatch: '!~',
} as const;
export type MatchOp = (typeof MatchOp)[keyof typeof MatchOp];

/** One label matcher. Regex matchers are fully anchored RE2-style patterns, as in Prometheus. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

const regexCache = new Map<string, RegExp>();

/** Compiles a PromQL regex matcher value, fully anchored (`^(?:re)$`), with `s` so `.` matches newlines. */
const anchoredRegex = (pattern: string): RegExp => {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 's');
    if (regexCache.size > 10_000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
};

/** True when `value` (`''` for an absent label) satisfies the matcher. */
const matchesValue = (m: LabelMatcher, value: string): boolean => {
  switch (m.op) {
    case MatchOp.Equal:
      return value === m.value;
    case MatchOp.NotEqual:
      return value !== m.value;
    case MatchOp.RegexMatch:
      return anchoredRegex(m.value).test(value);
    case MatchOp.RegexNoMatch:
      return !anchoredRegex(m.value).test(value);
    default: {
      const never: never = m.op;
      throw new Error(`unknown match operator ${String(never)}`);
    }
  }
};

/** True when a label set satisfies every matcher (an absent label has the value `''`). */
const matchesAll = (matchers: readonly LabelMatcher[], labels: Labels): boolean =>
  matchers.every((m) => matchesValue(m, labels[m.name] ?? ''));

export { anchoredRegex, matchesAll, matchesValue };
