import fc from 'fast-check';
import { RE2JS } from 're2js';
import {
  compileRegex,
  GO_SYNTAX,
  loadRegexEngine,
  needsRegexEngine,
  PROMETHEUS_SYNTAX,
  RegexEngineNotLoadedError,
  RegexSyntaxError,
  unloadRegexEngineForTests,
  withRegexEngine,
} from '../../../../lambdas/domain/regex/re2';

/** RE2 itself: the whole value, `^(?s:re)$` or `^(?:re)$`. */
const re2Matches = (pattern: string, dotNl: boolean, value: string): boolean =>
  RE2JS.compile(pattern, dotNl ? RE2JS.DOTALL : 0).testExact(value);

/** What `f` throws, or `undefined`. */
const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('Feature: the RE2 engine loads only for patterns that need it', () => {
  beforeEach(() => unloadRegexEngineForTests());

  it.each([
    ['5..', '503', true],
    ['5..', '5😀x', true], // one character outside the BMP is one `.`
    ['5..', '5😀', false],
    ['5..', '50\n', true], // Prometheus's (?s)
    ['a.c', 'abc', true],
    ['a.c', 'abcd', false],
    ['a.c', 'ac', false],
    ['api|web', 'web', true],
    ['prod.*', 'production', true],
    ['.*duc.*', 'production', true],
    ['.+', '', false],
    ['', '', true],
  ] as const)('matches %j against %j without the engine: %s', (pattern, value, expected) => {
    // Act
    const matched = compileRegex(pattern).matchesFully(value);

    // Assess
    expect(matched).toBe(expected);
    expect(re2Matches(pattern, true, value)).toBe(expected);
  });

  it('keeps `.` from matching a newline in a fixed sequence for Alertmanager, without the engine', () => {
    // Act
    const matched = compileRegex('a.b', GO_SYNTAX).matchesFully('a\nb');

    // Assess
    expect(matched).toBe(false);
  });

  it('gives the whole value as the only group of a plain pattern, without the engine', () => {
    // Act
    const m = compileRegex('5..').execFully('503');

    // Assess
    expect(m).toEqual({ groups: ['503'], named: {}, index: 0 });
  });

  it.each([
    '\\.',
    'a\\.c',
    '5.+',
    '5.?',
    '5.{2}',
    '(?i)5..',
    'a+b',
    '[ab]c',
    '^5..',
    '5..$',
    '5\\d\\d',
  ])('needs the engine for %j, and says so until it is loaded', async (pattern) => {
    // Act
    const before = caught(() => compileRegex(pattern));
    await loadRegexEngine();
    const after = compileRegex(pattern);

    // Assess
    expect(needsRegexEngine(pattern)).toBe(true);
    expect(before).toBeInstanceOf(RegexEngineNotLoadedError);
    expect(after.source).toBe(pattern);
  });

  it('searches with a plain pattern only once the engine is loaded', async () => {
    // Arrange
    const re = compileRegex('5..', GO_SYNTAX);

    // Act
    const before = caught(() => re.test('x503'));
    await loadRegexEngine();

    // Assess
    expect(before).toBeInstanceOf(RegexEngineNotLoadedError);
    expect(re.test('x503')).toBe(true);
  });

  it('loads the engine and runs the work again when it needed the engine', async () => {
    // Act
    const matched = await withRegexEngine(() => compileRegex('a+b').matchesFully('aab'));

    // Assess
    expect(matched).toBe(true);
  });

  it('still refuses a bad pattern with Go’s message once the engine is loaded', async () => {
    // Act
    const result = withRegexEngine(() => compileRegex('(?=a)'));

    // Assess
    await expect(result).rejects.toThrow(RegexSyntaxError);
    await expect(result).rejects.toThrow('invalid or unsupported Perl syntax: `(?=`');
  });
});

describe('Feature: the plain plans are exactly RE2', () => {
  beforeEach(() => unloadRegexEngineForTests());

  /** Characters RE2 reads as themselves, `.`, and a few that make a pattern need the engine. */
  const unit = fc.constantFrom(
    'a',
    '5',
    'é',
    '😀',
    '\n',
    ' ',
    '-',
    '=',
    '.',
    '.',
    '.',
    '|',
    '*',
    '+',
    '?',
    '\\.',
    '\\d',
    '[a.]',
    '{2}',
    '(?s:.)',
    '\uD83D',
    '\uDE00',
  );
  const pattern = fc.oneof(
    fc.constantFrom('(.*)', '.*', '.+', 'a.*', '.*a.*', 'a|5', 'a|'),
    fc.array(unit, { maxLength: 6 }).map((us) => us.join('')),
    fc
      .array(fc.constantFrom('a', '5', 'é', '😀', '\n', '.'), { maxLength: 5 })
      .map((us) => us.join('')),
  );
  const value = fc
    .array(fc.constantFrom('a', '5', 'é', '😀', '\n', '.', '|', 'x', '\uD83D', '\uDE00', 'ab'), {
      maxLength: 7,
    })
    .map((us) => us.join(''));

  it('answers as RE2 for every pattern the engine is not loaded for, in both syntaxes', () => {
    fc.assert(
      fc.property(pattern, value, fc.boolean(), (p, v, dotNl) => {
        // Arrange
        const syntax = dotNl ? PROMETHEUS_SYNTAX : GO_SYNTAX;
        let valid = true;
        try {
          RE2JS.compile(p);
        } catch {
          valid = false;
        }
        fc.pre(valid && !needsRegexEngine(p, syntax));

        // Act
        const re = compileRegex(p, syntax);
        const groups = re.execFully(v)?.groups;

        // Assess
        const m = RE2JS.compile(p, dotNl ? RE2JS.DOTALL : 0).matcher(v);
        const expected = m.matches()
          ? Array.from({ length: m.groupCount() + 1 }, (_, i) => m.group(i) ?? undefined)
          : undefined;
        expect(re.matchesFully(v)).toBe(re2Matches(p, dotNl, v));
        expect(groups).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('leaves to the engine every pattern it cannot answer exactly', () => {
    fc.assert(
      fc.property(pattern, fc.boolean(), (p, dotNl) => {
        // Arrange
        const syntax = dotNl ? PROMETHEUS_SYNTAX : GO_SYNTAX;

        // Act
        const compile = (): unknown => compileRegex(p, syntax);

        // Assess
        if (needsRegexEngine(p, syntax)) expect(compile).toThrow(RegexEngineNotLoadedError);
        else expect(compile).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});
