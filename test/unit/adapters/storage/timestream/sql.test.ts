import fc from 'fast-check';
import {
  anchoredJavaPattern,
  re2ToJava,
} from '../../../../../lambdas/adapters/storage/timestream/regex';
import {
  matchersPredicate,
  pushedDownExactly,
  sqlIdentifier,
  sqlString,
} from '../../../../../lambdas/adapters/storage/timestream/sql';
import { MatchOp } from '../../../../../lambdas/domain/series/matchers';

describe('Feature: RE2 to Java regex translation', () => {
  it.each([
    ['5..', '5..'],
    ['(?P<code>5)\\d\\d', '(?:5)\\d\\d'],
    ['(?<status_code>5)..', '(?:5)..'],
    ['[[:alpha:]_]+', '[\\p{Alpha}_]+'],
    ['[[:^digit:]]', '[\\P{Digit}]'],
    ['[a[b]', '[a\\[b]'],
    ['[a&&b]', '[a&\\&b]'],
    ['[]a]', '[\\]a]'],
    ['a{', 'a\\{'],
    ['a{2,3}b{1}', 'a{2,3}b{1}'],
    ['\\Q[a{\\E', '\\Q[a{\\E'],
    ['(?i)foo|bar', '(?iu)foo|bar'],
    ['(?i:a)(?-i:b)(?s:.)', '(?iu:a)(?-i:b)(?s:.)'],
    ['[[:word:]-]', '[\\w-]'],
    ['a\\sb[\\s,]', 'a[\\t\\n\\f\\r ]b[\\t\\n\\f\\r ,]'],
    ['\\S+\\v', '[^\\t\\n\\f\\r ]+\\x0B'],
    ['foo$|bar', 'foo\\z|bar'],
    ['\\pL\\p{Lu}\\PN', '\\pL\\p{Lu}\\PN'],
  ])('rewrites %s as %s', (re2, java) => {
    // Act
    const out = re2ToJava(re2);

    // Assess
    expect(out).toBe(java);
  });

  it.each([
    ['(?m)^a$', 'line anchors: Java has more line terminators than \\n'],
    ['(?U)a+', 'ungreedy in RE2, UNICODE_CHARACTER_CLASS in Java'],
    ['(?-s:.)', 'Java excludes \\r and U+2028 from . as well'],
    ['\\bword\\b', 'word boundaries are Unicode-aware in some Java versions'],
    ['\\12', 'an octal escape in RE2, a backreference in Java'],
    ['[\\S,]', 'a negated class inside a class'],
    ['\\p{Greek}', 'script names are spelt IsGreek in Java'],
  ])('does not push %s down (%s)', (re2) => {
    // Act
    const out = re2ToJava(re2);

    // Assess
    expect(out).toBeUndefined();
  });

  it('anchors at the very end with \\z, since Java $ also matches before a final newline', () => {
    // Act
    const pattern = anchoredJavaPattern('a.b');

    // Assess
    expect(pattern).toBe('^(?s:a.b)\\z');
  });
});

describe('Feature: SQL quoting and matcher predicates', () => {
  it('doubles quotes in literals and identifiers', () => {
    // Act & Assess
    expect(sqlString("it's")).toBe("'it''s'");
    expect(sqlIdentifier('a"b')).toBe('"a""b"');
  });

  it('never lets a literal end early', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        // Act
        const inner = sqlString(s).slice(1, -1);

        // Assess: every quote inside comes in pairs
        expect(inner.replaceAll("''", '')).not.toContain("'");
      }),
    );
  });

  it.each([
    [MatchOp.Equal, '0', 'FALSE'],
    [MatchOp.Equal, '', 'TRUE'],
    [MatchOp.NotEqual, '0', 'TRUE'],
    [MatchOp.NotEqual, '', 'FALSE'],
    [MatchOp.RegexMatch, '.+', 'FALSE'],
    [MatchOp.RegexMatch, 'a|', 'TRUE'],
    [MatchOp.RegexNoMatch, '.*', 'FALSE'],
    [MatchOp.RegexNoMatch, 'a', 'TRUE'],
  ] as const)('decides %s "%s" on a label with no column as %s', (op, value, expected) => {
    // Act
    const sql = matchersPredicate([{ name: 'gpu', op, value }], () => false);

    // Assess
    expect(sql).toBe(expected);
  });

  it('pushes (?i) down as Unicode case folding and decides an absent label with RE2', () => {
    // Act
    const known = matchersPredicate(
      [{ name: 'env', op: MatchOp.RegexMatch, value: '(?i)prod' }],
      () => true,
    );
    const unknown = matchersPredicate(
      [{ name: 'env', op: MatchOp.RegexNoMatch, value: '(?i)prod' }],
      () => false,
    );

    // Assess
    expect(known).toBe(`regexp_like("env", '^(?s:(?iu)prod)\\z')`);
    expect(unknown).toBe('TRUE');
  });

  it('leaves a pattern Java reads differently to the in-memory RE2 filter', () => {
    // Act
    const sql = matchersPredicate(
      [
        { name: '__name__', op: MatchOp.RegexMatch, value: 'node_.*' },
        { name: 'env', op: MatchOp.RegexNoMatch, value: '\\bdev\\b' },
      ],
      () => true,
    );

    // Assess
    expect(sql).toBe(`regexp_like(measure_name, '^(?s:node_.*)\\z')`);
    expect(pushedDownExactly([[{ name: 'env', op: MatchOp.RegexMatch, value: 'a\\b' }]])).toBe(
      false,
    );
    expect(pushedDownExactly([[{ name: 'env', op: MatchOp.RegexMatch, value: 'a.b' }]])).toBe(true);
  });
});
