import fc from 'fast-check';
import {
  AlertMatcherParseError,
  formatAlertMatcher,
  parseAlertMatcher,
  parseAlertMatchers,
} from '../../../../lambdas/domain/alerting/matchers';

describe('Function: parseAlertMatcher', () => {
  it.each([
    ['severity="critical"', { name: 'severity', op: '=', value: 'critical' }],
    ['alertname=~"Foo|Bar"', { name: 'alertname', op: '=~', value: 'Foo|Bar' }],
    ['x!=y', { name: 'x', op: '!=', value: 'y' }],
    ['  job !~ "api.*"  ', { name: 'job', op: '!~', value: 'api.*' }],
    ['a="quote \\" and \\\\ and \\n"', { name: 'a', op: '=', value: 'quote " and \\ and \n' }],
    ['a=', { name: 'a', op: '=', value: '' }],
  ])('parses %s', (input, expected) => {
    // Act & Assess
    expect(parseAlertMatcher(input)).toEqual(expected);
  });

  it.each([
    ['severity', 'bad matcher format: severity'],
    ['1abc="x"', 'bad matcher format: 1abc="x"'],
    ['a="x', 'matcher value contains unescaped double quote: "x'],
    ['a=x"y', 'matcher value contains unescaped double quote: x"y'],
    ['a=~"("', 'invalid regular expression "(" in matcher: a=~"("'],
  ])('rejects %s', (input, message) => {
    // Act
    const act = (): unknown => parseAlertMatcher(input);

    // Assess
    expect(act).toThrow(AlertMatcherParseError);
    expect(act).toThrow(message);
  });

  it('round-trips through formatAlertMatcher', () => {
    // Prepare
    const m = parseAlertMatcher('a=~"x\\"y|z"');

    // Act & Assess
    expect(parseAlertMatcher(formatAlertMatcher(m))).toEqual(m);
  });

  it('throws only AlertMatcherParseError on random input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), (s) => {
        try {
          parseAlertMatchers(s);
        } catch (e) {
          expect(e).toBeInstanceOf(AlertMatcherParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Function: parseAlertMatchers', () => {
  it('parses a braced, comma-separated list, commas inside quotes kept', () => {
    // Act
    const ms = parseAlertMatchers('{a="1,2", b=~"x",}');

    // Assess
    expect(ms).toEqual([
      { name: 'a', op: '=', value: '1,2' },
      { name: 'b', op: '=~', value: 'x' },
    ]);
  });

  it('rejects a missing closing brace', () => {
    // Act & Assess
    expect(() => parseAlertMatchers('{a="1"')).toThrow('missing closing brace');
  });
});
