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
 *
 * The engine (re2js, the largest module a function would load at init) is imported by
 * {@link loadRegexEngine}, not statically: the shapes most matchers take (a literal, literals
 * joined by `|`, `.*`, `.+`, `(.*)`, `lit.*`, `.*lit.*`, literal characters and `.`) are matched
 * exactly without it. A pattern that needs the engine before it is loaded throws
 * {@link RegexEngineNotLoadedError}; whoever runs the synchronous work awaits the load first.
 * @see https://github.com/google/re2/wiki/Syntax
 * @see https://github.com/prometheus/prometheus/blob/main/model/labels/regexp.go
 */
import type { RE2JS } from 're2js';

type Re2Engine = typeof import('re2js');

let engine: Re2Engine | undefined;
let loading: Promise<void> | undefined;

/** Imports the RE2 engine, once; later calls resolve at once. */
const loadRegexEngine = (): Promise<void> => {
  if (engine) return Promise.resolve();
  loading ??= import('re2js').then(
    (m) => {
      engine = m;
    },
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
};

/** Whether the engine is loaded: every pattern compiles synchronously from then on. */
const isRegexEngineLoaded = (): boolean => engine !== undefined;

/**
 * A pattern needed the RE2 engine before {@link loadRegexEngine} finished: a program error of the
 * caller, which must await the load before the synchronous work (never a user's mistake).
 */
class RegexEngineNotLoadedError extends Error {
  override readonly name = 'RegexEngineNotLoadedError';
  constructor(pattern: string) {
    super(`the RE2 engine is not loaded: await loadRegexEngine() before using /${pattern}/`);
  }
}

const loadedEngine = (pattern: string): Re2Engine => {
  if (!engine) throw new RegexEngineNotLoadedError(pattern);
  return engine;
};

/**
 * Runs `work`, pure synchronous work that may compile patterns; when one needed the engine, loads
 * it and runs `work` again.
 */
const withRegexEngine = async <T>(work: () => T): Promise<T> => {
  try {
    return work();
  } catch (e) {
    if (!(e instanceof RegexEngineNotLoadedError)) throw e;
  }
  await loadRegexEngine();
  return work();
};

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
  | { readonly kind: 'anyCaptured' }
  | { readonly kind: 'nonEmpty' }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'contains'; readonly text: string }
  | { readonly kind: 'dots'; readonly chars: readonly (string | undefined)[] }
  | { readonly kind: 'automaton'; readonly prefix: string };

/** Literal characters and unquantified `.`: `5..`, `a.c` (RE2 reads every other character as itself). */
const DOTS = /^(?:[^\\+*?()|[\]{}^$]|\.)+$/;

const planFullMatch = (pattern: string, syntax: RegexSyntax): FullMatchPlan => {
  if (!META.test(pattern)) return { kind: 'equal', text: pattern };
  if (!pattern.includes('(') && !pattern.includes('\\')) {
    const alts = pattern.split('|');
    if (alts.length > 1 && alts.every((a) => !META.test(a)))
      return { kind: 'oneOf', set: new Set(alts) };
  }
  if (syntax.dotMatchesNewline) {
    if (pattern === '.*') return { kind: 'any' };
    // Relabelling's default regex.
    if (pattern === '(.*)') return { kind: 'anyCaptured' };
    if (pattern === '.+') return { kind: 'nonEmpty' };
    if (pattern.endsWith('.*')) {
      const head = pattern.slice(0, -2);
      if (!META.test(head)) return { kind: 'prefix', text: head };
      if (head.startsWith('.*') && !META.test(head.slice(2)))
        return { kind: 'contains', text: head.slice(2) };
    }
  }
  // A lone surrogate is left to the engine, which reads the pattern as code points.
  if (DOTS.test(pattern) && !/\p{Cs}/u.test(pattern))
    return { kind: 'dots', chars: Array.from(pattern, (c) => (c === '.' ? undefined : c)) };
  return { kind: 'automaton', prefix: literalPrefix(pattern) };
};

/**
 * `s` is as many code points as `chars`, each equal to its literal; `undefined` (`.`) takes any
 * code point (but `\n` when `.` does not match newlines), as RE2 reads the input.
 */
const matchesDots = (
  chars: readonly (string | undefined)[],
  s: string,
  dotMatchesNewline: boolean,
): boolean => {
  if (s.length < chars.length || s.length > 2 * chars.length) return false;
  let i = 0;
  for (const c of s) {
    if (i === chars.length) return false;
    const want = chars[i++];
    if (want === undefined ? c === '\n' && !dotMatchesNewline : c !== want) return false;
  }
  return i === chars.length;
};

const engineFlags = (e: Re2Engine, syntax: RegexSyntax): number =>
  syntax.dotMatchesNewline ? e.RE2JS.DOTALL : 0;

/**
 * A compiled RE2 pattern. Matching takes time linear in the input's length. The engine's own
 * object is built on the first call that needs it (`test`, `replaceAll`, or any match of a
 * pattern without a plain plan).
 */
class Re2Regex {
  /** The pattern as written. */
  readonly source: string;
  private readonly syntax: RegexSyntax;
  private compiled: RE2JS | undefined;
  private readonly plan: FullMatchPlan;

  constructor(source: string, syntax: RegexSyntax, re: RE2JS | undefined, plan: FullMatchPlan) {
    this.source = source;
    this.syntax = syntax;
    this.compiled = re;
    this.plan = plan;
  }

  private get re(): RE2JS {
    if (this.compiled === undefined) {
      const e = loadedEngine(this.source);
      this.compiled = e.RE2JS.compile(this.source, engineFlags(e, this.syntax));
    }
    return this.compiled;
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
      case 'anyCaptured':
        return true;
      case 'nonEmpty':
        return s.length > 0;
      case 'prefix':
        return s.startsWith(plan.text);
      case 'contains':
        return s.includes(plan.text);
      case 'dots':
        return matchesDots(plan.chars, s, this.syntax.dotMatchesNewline);
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
    if (this.plan.kind === 'anyCaptured') return { groups: [s, s], named: {}, index: 0 };
    if (this.plan.kind !== 'automaton')
      return this.matchesFully(s) ? { groups: [s], named: {}, index: 0 } : undefined;
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
const messageOf = (engine: Re2Engine, pattern: string, e: Error): string => {
  try {
    engine.RE2JS.compile(pattern);
  } catch (plain) {
    if (plain instanceof engine.RE2JSException) return plain.message;
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
 * A pattern with a plain plan (see {@link needsRegexEngine}) compiles without the engine.
 * @throws RegexSyntaxError with Go's message when RE2 rejects the pattern
 * @throws RegexEngineNotLoadedError when the pattern needs the engine and it is not loaded
 * @example compileRegex('(a+)+$').matchesFully('a'.repeat(10_000) + '!') // false, in microseconds
 */
const compileRegex = (pattern: string, syntax: RegexSyntax = PROMETHEUS_SYNTAX): Re2Regex => {
  const cache = syntax.dotMatchesNewline ? dotNlCache : plainCache;
  const hit = cache.get(pattern);
  if (hit) return hit;
  const plan = planFullMatch(pattern, syntax);
  let re: RE2JS | undefined;
  if (plan.kind === 'automaton') {
    const e = loadedEngine(pattern);
    try {
      re = e.RE2JS.compile(pattern, engineFlags(e, syntax));
    } catch (err) {
      if (!(err instanceof e.RE2JSException)) throw err;
      throw new RegexSyntaxError(messageOf(e, pattern, err), pattern, { cause: err });
    }
  }
  const compiled = new Re2Regex(pattern, syntax, re, plan);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, compiled);
  return compiled;
};

/**
 * True when matching the whole of a value against `pattern` (`matchesFully`, `execFully`) needs
 * the engine; a search (`test`, `replaceAll`) always does.
 */
const needsRegexEngine = (pattern: string, syntax: RegexSyntax = PROMETHEUS_SYNTAX): boolean =>
  planFullMatch(pattern, syntax).kind === 'automaton';

/** Forgets the loaded engine and every compiled pattern, so a test starts as a fresh function. */
const unloadRegexEngineForTests = (): void => {
  engine = undefined;
  loading = undefined;
  dotNlCache.clear();
  plainCache.clear();
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
  isRegexEngineLoaded,
  loadRegexEngine,
  needsRegexEngine,
  PROMETHEUS_SYNTAX,
  Re2Regex,
  RegexEngineNotLoadedError,
  RegexSyntaxError,
  unloadRegexEngineForTests,
  withRegexEngine,
};
