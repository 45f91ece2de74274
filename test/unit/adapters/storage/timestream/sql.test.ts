import fc from 'fast-check';
import {
  anchoredJavaPattern,
  re2ToJava,
} from '../../../../../lambdas/adapters/storage/timestream/regex';
import {
  matchersPredicate,
  sqlIdentifier,
  sqlString,
} from '../../../../../lambdas/adapters/storage/timestream/sql';
import { MatchOp } from '../../../../../lambdas/domain/series/matchers';

describe('Feature: RE2 to Java regex translation', () => {
  it.each([
    ['5..', '5..'],
    ['(?P<code>5)\\d\\d', '(?<code>5)\\d\\d'],
    ['[[:alpha:]_]+', '[\\p{Alpha}_]+'],
    ['[[:^digit:]]', '[\\P{Digit}]'],
    ['[a[b]', '[a\\[b]'],
    ['[a&&b]', '[a&\\&b]'],
    ['[]a]', '[\\]a]'],
    ['a{', 'a\\{'],
    ['a{2,3}b{1}', 'a{2,3}b{1}'],
    ['\\Q[a{\\E', '\\Q[a{\\E'],
    ['(?i)foo|bar', '(?i)foo|bar'],
  ])('rewrites %s as %s', (re2, java) => {
    // Act
    const out = re2ToJava(re2);

    // Assess
    expect(out).toBe(java);
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

  it('leaves patterns JavaScript cannot compile to SQL, reading an absent label as empty', () => {
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
    expect(known).toBe(`regexp_like(coalesce("env", ''), '^(?s:(?i)prod)\\z')`);
    expect(unknown).toBe(`NOT regexp_like('', '^(?s:(?i)prod)\\z')`);
  });
});
