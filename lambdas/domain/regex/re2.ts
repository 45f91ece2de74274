/**
 * The one place a user's regular expression is compiled: RE2 syntax and linear-time matching
 * (re2js, a port of RE2/J), as Prometheus and Alertmanager compile them with Go's `regexp`.
 *
 * - Label matchers, `label_replace` and relabelling match the whole value with `.` matching
 *   newlines: Prometheus compiles `^(?s:re)$` (model/labels/regexp.go `NewFastRegexMatcher`,
 *   promql/functions.go `funcLabelReplace`, model/relabel/relabel.go `NewRegexp`).
 * - Alertmanager matchers (inhibition, silences, routes) match the whole value as `^(?:re)$`,
 *   without `(?s)` (alertmanager pkg/labels/matcher.go `NewMatcher`).
 * - Template functions `match` and `reReplaceAll` search unanchored, without `(?s)` (Go's
 *   `regexp.MatchString`, `Regexp.ReplaceAllString`).
 *
 * The pattern is compiled on its own and matched with the engine's anchored entry points, so a
 * pattern cannot close the wrapping group (`a)|(b` is an error, as in Prometheus's parser).
 * RE2 has no backreferences nor lookaround: such patterns are a {@link RegexSyntaxError} with
 * Go's wording (`error parsing regexp: invalid escape sequence: \`\1\``).
 * @see https://github.com/google/re2/wiki/Syntax
 * @see https://github.com/prometheus/prometheus/blob/main/model/labels/regexp.go
 */
import { RE2JS, RE2JSException } from 're2js';

/** How a pattern is compiled and matched. */
interface RegexSyntax {
  /** `.` matches `\n` unless the pattern says `(?-s)` (Go's `syntax.DotNL`). */
  readonly dotMatchesNewline: boolean;
}

/** Prometheus label matchers, `label_replace`, relabelling: `^(?s:re)$`. */
const PROMETHEUS_SYNTAX: RegexSyntax = { dotMatchesNewline: true };
/** Alertmanager matchers and Go's plain `regexp.Compile` (templates): `.` stops at `\n`. */
const GO_SYNTAX: RegexSyntax = { dotMatchesNewline: false };

/** A pattern RE2 does not accept. The message is Go's `regexp.Compile` error text. */
class RegexSyntaxError extends Error {
  override readonly name = 'RegexSyntaxError';
  /** The pattern as the user wrote it. */
  readonly pattern: string;
  constructor(message: string, pattern: string, options?: ErrorOptions) {
    super(message, options);
    this.pattern = pattern;
  }
}

/** The groups of one match: `[0]` is the whole match; unmatched groups are `undefined`. */
interface Submatch {
  readonly groups: readonly (string | undefined)[];
  /** Named groups (`(?P<name>re)`, `(?<name>re)`) by name. */
  readonly named: Readonly<Record<string, string | undefined>>;
  /** Offset of the match in the input (UTF-16 code units). */
  readonly index: number;
}

/** RE2 metacharacters: a pattern without them is a literal (Go's `regexp.QuoteMeta(s) == s`). */
const META = /[\\.+*?()|[\]{}^$]/;

/**
 * The literal text every full match starts with (Prometheus's `prefix` check before the
 * automaton), for patterns without alternation: letters up to the first metacharacter, with
 * escaped punctuation (`\.`) read as itself; a character a quantifier applies to is not part of it.
 */
const literalPrefix = (pattern: string): string => {
  if (pattern.includes('|')) return '';
  let prefix = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    let lit = c;
    let width = 1;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!/^[!-/:-@[-`{-~]$/.test(next)) break;
      lit = next;
      width = 2;
    } else if (META.test(c)) break;
    const after = pattern[i + width] ?? '';
    if (after === '*' || after === '+' || after === '?' || after === '{') break;
    prefix += lit;
    i += width - 1;
  }
  return prefix;
};

/**
 * How a whole value is tested: a plain comparison for the shapes Prometheus also short-cuts
 * (`optimizeAlternatingLiterals`; the prefix/contains checks of `NewFastRegexMatcher`), else
 * the automaton, after a literal-prefix check when the pattern has one.
 */
type FullMatchPlan =
  | { readonly kind: 'equal'; readonly text: string }
  | { readonly kind: 'oneOf'; readonly set: ReadonlySet<string> }
  | { readonly kind: 'any' }
  | { readonly kind: 'nonEmpty' }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'contains'; readonly text: string }
  | { readonly kind: 'automaton'; readonly prefix: string };

const planFullMatch = (pattern: string, syntax: RegexSyntax): FullMatchPlan => {
  if (!META.test(pattern)) return { kind: 'equal', text: pattern };
  if (!pattern.includes('(') && !pattern.includes('\\')) {
    const alts = pattern.split('|');
    if (alts.length > 1 && alts.every((a) => !META.test(a)))
      return { kind: 'oneOf', set: new Set(alts) };
  }
  if (syntax.dotMatchesNewline) {
    if (pattern === '.*') return { kind: 'any' };
    if (pattern === '.+') return { kind: 'nonEmpty' };
    if (pattern.endsWith('.*')) {
      const head = pattern.slice(0, -2);
      if (!META.test(head)) return { kind: 'prefix', text: head };
      if (head.startsWith('.*') && !META.test(head.slice(2)))
        return { kind: 'contains', text: head.slice(2) };
    }
  }
  return { kind: 'automaton', prefix: literalPrefix(pattern) };
};

/** A compiled RE2 pattern. Matching takes time linear in the input's length. */
class Re2Regex {
  /** The pattern as written. */
  readonly source: string;
  private readonly re: RE2JS;
  private readonly plan: FullMatchPlan;

  constructor(source: string, re: RE2JS, plan: FullMatchPlan) {
    this.source = source;
    this.re = re;
    this.plan = plan;
  }

  /** True when the whole of `s` matches (the anchored `^(?:re)$` of Prometheus/Alertmanager). */
  matchesFully(s: string): boolean {
    const plan = this.plan;
    switch (plan.kind) {
      case 'equal':
        return s === plan.text;
      case 'oneOf':
        return plan.set.has(s);
      case 'any':
        return true;
      case 'nonEmpty':
        return s.length > 0;
      case 'prefix':
        return s.startsWith(plan.text);
      case 'contains':
        return s.includes(plan.text);
      case 'automaton':
        return s.startsWith(plan.prefix) && this.re.testExact(s);
    }
  }

  /** True when some part of `s` matches (Go's `MatchString`). */
  test(s: string): boolean {
    return this.re.test(s);
  }

  /** The groups of the whole-value match, or `undefined` when `s` does not match fully. */
  execFully(s: string): Submatch | undefined {
    if (this.plan.kind !== 'automaton' && !this.matchesFully(s)) return undefined;
    const m = this.re.matcher(s);
    if (!m.matches()) return undefined;
    const groups: (string | undefined)[] = [];
    for (let i = 0; i <= m.groupCount(); i++) groups.push(m.group(i) ?? undefined);
    const named: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(m.getNamedGroups()))
      named[name] = value ?? undefined;
    return { groups, named, index: 0 };
  }

  /**
   * Go's `Regexp.ReplaceAllString`: every non-overlapping match replaced by `template` expanded
   * with {@link expandReplacement}; an empty match right after the previous match is skipped.
   */
  replaceAll(text: string, template: string): string {
    let out = '';
    let last = 0;
    let prevEnd = -1;
    for (const m of this.re.matchAll(text)) {
      const start = m.index ?? 0;
      const whole = m[0] ?? '';
      if (whole === '' && start === prevEnd) continue;
      const groups = Array.from(m, (g) => g ?? undefined);
      const named: Record<string, string | undefined> = { ...(m.groups ?? {}) };
      out += text.slice(last, start) + expandReplacement(template, { groups, named, index: start });
      last = start + whole.length;
      prevEnd = last;
    }
    return out + text.slice(last);
  }
}

/**
 * Go's error text for a refused pattern, quoting the pattern as written: the engine applies the
 * DotNL flag as a `(?s)` prefix, which Go's `syntax.Parse(re, Perl|DotNL)` does not show.
 */
const messageOf = (pattern: string, e: RE2JSException): string => {
  try {
    RE2JS.compile(pattern);
  } catch (plain) {
    if (plain instanceof RE2JSException) return plain.message;
  }
  return e.message;
};

const CACHE_LIMIT = 2000;
/** One cache per syntax, keyed by the pattern: the hot path is a single `Map.get`. */
const dotNlCache = new Map<string, Re2Regex>();
const plainCache = new Map<string, Re2Regex>();

/**
 * Compiles `pattern` with RE2 syntax, cached (the least recently compiled entries go first when
 * the cache is full).
 * @throws RegexSyntaxError with Go's message when RE2 rejects the pattern
 * @example compileRegex('(a+)+$').matchesFully('a'.repeat(10_000) + '!') // false, in microseconds
 */
const compileRegex = (pattern: string, syntax: RegexSyntax = PROMETHEUS_SYNTAX): Re2Regex => {
  const cache = syntax.dotMatchesNewline ? dotNlCache : plainCache;
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, syntax.dotMatchesNewline ? RE2JS.DOTALL : 0);
  } catch (e) {
    if (!(e instanceof RE2JSException)) throw e;
    throw new RegexSyntaxError(messageOf(pattern, e), pattern, { cause: e });
  }
  const compiled = new Re2Regex(pattern, re, planFullMatch(pattern, syntax));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, compiled);
  return compiled;
};

/**
 * Go's `Regexp.Expand` of a replacement template (`label_replace`, relabel `replacement` and
 * `target_label`, `reReplaceAll`): `$1`, `${1}`, `$name`, `${name}`; `$$` is `$`. A name is the
 * longest run of letters, digits and `_`, so `$1x` is the group named `1x` (empty when there is
 * none); a group that did not take part is empty; a `$` not followed by a name is kept.
 * @see https://pkg.go.dev/regexp#Regexp.Expand
 */
const expandReplacement = (template: string, match: Submatch): string => {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i++;
      continue;
    }
    const m = /^\{(\w+)\}/.exec(rest) ?? /^(\w+)/.exec(rest);
    if (!m) {
      out += '$';
      continue;
    }
    const name = m[1] as string;
    i += m[0].length;
    const value = /^\d+$/.test(name) ? match.groups[Number(name)] : match.named[name];
    out += value ?? '';
  }
  return out;
};

export type { RegexSyntax, Submatch };
export {
  compileRegex,
  expandReplacement,
  GO_SYNTAX,
  PROMETHEUS_SYNTAX,
  Re2Regex,
  RegexSyntaxError,
};
