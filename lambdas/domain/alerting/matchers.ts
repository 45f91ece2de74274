/**
 * Alertmanager's label matchers: `severity="critical"`, `alertname=~"Foo|Bar"`, `x!=y`, as
 * written in `inhibit_rules` (`source_matchers`, `target_matchers`) and `amtool`.
 * @see https://prometheus.io/docs/alerting/latest/configuration/#matcher
 * @see https://github.com/prometheus/alertmanager/blob/main/pkg/labels/parse.go (classic parser)
 */
import type { Labels } from '../series/labels';
import { GO_SYNTAX, RegexSyntaxError } from '../regex/re2';
import {
  anchoredRegex,
  type LabelMatcher,
  MatchOp,
  matchesAll as matchesAllWith,
} from '../series/matchers';
import { goQuote } from './label-set';

/** A matcher string that is not valid Alertmanager syntax. */
class AlertMatcherParseError extends Error {
  override readonly name = 'AlertMatcherParseError';
  /** The offending input. */
  readonly input: string;
  constructor(message: string, input: string, options?: ErrorOptions) {
    super(message, options);
    this.input = input;
  }
}

/** `pkg/labels/parse.go`: name, operator, then the raw (possibly quoted) value. */
const MATCHER_RE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*(.*?)\s*$/s;

/**
 * Compiles a regex matcher value the way Alertmanager does: RE2, the whole value, `.` not
 * matching newlines (`^(?:re)$`, pkg/labels/matcher.go `NewMatcher`); throws on bad syntax.
 */
const checkRegex = (pattern: string, input: string): void => {
  try {
    anchoredRegex(pattern, GO_SYNTAX);
  } catch (e) {
    if (!(e instanceof RegexSyntaxError)) throw e;
    throw new AlertMatcherParseError(
      `invalid regular expression ${JSON.stringify(pattern)} in matcher: ${input}: ${e.message}`,
      input,
      { cause: e },
    );
  }
};

/**
 * Parses one matcher. A value may be double-quoted (`\"`, `\\`, `\n` escapes) or bare.
 * Regexes are RE2 (`(?P<n>…)`, `\z`, `[[:alpha:]]` work; lookaround and backreferences do not).
 * @throws AlertMatcherParseError
 * @example parseAlertMatcher('severity="critical"') // { name: 'severity', op: '=', value: 'critical' }
 */
const parseAlertMatcher = (input: string): LabelMatcher => {
  const m = MATCHER_RE.exec(input);
  if (!m) throw new AlertMatcherParseError(`bad matcher format: ${input}`, input);
  const name = m[1] ?? '';
  const op = m[2] as LabelMatcher['op'];
  let raw = m[3] ?? '';
  let expectTrailingQuote = false;
  if (raw.startsWith('"')) {
    raw = raw.slice(1);
    expectTrailingQuote = true;
  }
  let value = '';
  let escaped = false;
  const chars = [...raw];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (escaped) {
      escaped = false;
      if (c === 'n') value += '\n';
      else if (c === '"' || c === '\\') value += c;
      else value += `\\${c}`;
      continue;
    }
    if (c === '\\') {
      // A backslash as the last character is kept as a literal, as upstream does.
      if (i < chars.length - 1) escaped = true;
      else value += '\\';
    } else if (c === '"') {
      if (!expectTrailingQuote || i < chars.length - 1) {
        throw new AlertMatcherParseError(
          `matcher value contains unescaped double quote: ${m[3]}`,
          input,
        );
      }
      expectTrailingQuote = false;
    } else value += c;
  }
  if (expectTrailingQuote) {
    throw new AlertMatcherParseError(
      `matcher value contains unescaped double quote: ${m[3]}`,
      input,
    );
  }
  if (op === MatchOp.RegexMatch || op === MatchOp.RegexNoMatch) checkRegex(value, input);
  return { name, op, value };
};

/** Splits `a="x,y", b=c` on commas outside double quotes. */
const splitTopLevel = (s: string): string[] => {
  const parts: string[] = [];
  let cur = '';
  let inQuote = false;
  let escaped = false;
  for (const c of s) {
    if (escaped) escaped = false;
    else if (c === '\\') escaped = true;
    else if (c === '"') inQuote = !inQuote;
    else if (c === ',' && !inQuote) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  return parts;
};

/**
 * Parses one config line, which may hold several comma-separated matchers, optionally in
 * braces (`{a="1", b=~"2"}`), as Alertmanager's `Matchers.UnmarshalYAML` accepts.
 * @throws AlertMatcherParseError
 */
const parseAlertMatchers = (input: string): LabelMatcher[] => {
  let s = input.trim();
  if (s.startsWith('{')) {
    if (!s.endsWith('}'))
      throw new AlertMatcherParseError(`missing closing brace: ${input}`, input);
    s = s.slice(1, -1);
  }
  const parts = splitTopLevel(s);
  // A trailing comma is allowed; an empty line or braces are an empty list.
  if (parts.length > 0 && (parts[parts.length - 1] ?? '').trim() === '') parts.pop();
  return parts.map((p) => parseAlertMatcher(p));
};

/**
 * True when a label set satisfies every Alertmanager matcher (an absent label has the value
 * `""`); regexes as Alertmanager compiles them (`.` does not match a newline).
 */
const matchesAll = (matchers: readonly LabelMatcher[], labels: Labels): boolean =>
  matchesAllWith(matchers, labels, GO_SYNTAX);

/** Renders a matcher as Alertmanager does (`name="value"`, value Go-quoted). */
const formatAlertMatcher = (m: LabelMatcher): string => `${m.name}${m.op}${goQuote(m.value)}`;

export {
  AlertMatcherParseError,
  formatAlertMatcher,
  matchesAll,
  parseAlertMatcher,
  parseAlertMatchers,
};
