import {
  compileRegex,
  needsRegexEngine,
  PROMETHEUS_SYNTAX,
  type Re2Regex,
  type RegexSyntax,
} from '../regex/re2';
import type { Labels } from './labels';

/** Label matcher operators, as in PromQL selectors. */
export const MatchOp = {
  Equal: '=',
  NotEqual: '!=',
  RegexMatch: '=~',
  RegexNoMatch: '!~',
} as const;
export type MatchOp = (typeof MatchOp)[keyof typeof MatchOp];

/** One label matcher. Regex matchers are fully anchored RE2 patterns, as in Prometheus. */
export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
}

/**
 * Compiles a regex matcher value as Prometheus does: RE2, the whole value, `.` matching newlines
 * (`^(?s:re)$`). `syntax` is `GO_SYNTAX` for Alertmanager's matchers (`^(?:re)$`).
 * @throws RegexSyntaxError when RE2 rejects the pattern
 */
const anchoredRegex = (pattern: string, syntax: RegexSyntax = PROMETHEUS_SYNTAX): Re2Regex =>
  compileRegex(pattern, syntax);

/** True when `value` (`''` for an absent label) satisfies the matcher. */
const matchesValue = (
  m: LabelMatcher,
  value: string,
  syntax: RegexSyntax = PROMETHEUS_SYNTAX,
): boolean => {
  switch (m.op) {
    case MatchOp.Equal:
      return value === m.value;
    case MatchOp.NotEqual:
      return value !== m.value;
    case MatchOp.RegexMatch:
      return anchoredRegex(m.value, syntax).matchesFully(value);
    case MatchOp.RegexNoMatch:
      return !anchoredRegex(m.value, syntax).matchesFully(value);
    default: {
      const never: never = m.op;
      throw new Error(`unknown match operator ${String(never)}`);
    }
  }
};

/** True when a label set satisfies every matcher (an absent label has the value `''`). */
const matchesAll = (
  matchers: readonly LabelMatcher[],
  labels: Labels,
  syntax: RegexSyntax = PROMETHEUS_SYNTAX,
): boolean => matchers.every((m) => matchesValue(m, labels[m.name] ?? '', syntax));

/** True when matching one of the regex matchers needs the RE2 engine loaded. */
const matchersNeedRegexEngine = (
  matchers: readonly LabelMatcher[],
  syntax: RegexSyntax = PROMETHEUS_SYNTAX,
): boolean =>
  matchers.some(
    (m) =>
      (m.op === MatchOp.RegexMatch || m.op === MatchOp.RegexNoMatch) &&
      needsRegexEngine(m.value, syntax),
  );

export { anchoredRegex, matchersNeedRegexEngine, matchesAll, matchesValue };
