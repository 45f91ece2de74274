// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${1} and ${name} are Go replacement references, not JavaScript templates
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import {
  AlertMatcherParseError,
  parseAlertMatcher,
} from '../../../../lambdas/domain/alerting/matchers';
import { evaluateInstant } from '../../../../lambdas/domain/promql';
import { PromqlParseError } from '../../../../lambdas/domain/promql/errors';
import { parseExpr } from '../../../../lambdas/domain/promql/parser';
import {
  compileRegex,
  expandReplacement,
  GO_SYNTAX,
  PROMETHEUS_SYNTAX,
  RegexSyntaxError,
} from '../../../../lambdas/domain/regex/re2';
import { validateRelabelConfigs } from '../../../../lambdas/domain/scrape/relabel-schema';
import { MatchOp, matchesValue } from '../../../../lambdas/domain/series/matchers';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';
import { expand } from '../templates/expand-helper';

describe('Feature: RE2 syntax where JavaScript differs, as Prometheus 3 matches label values', () => {
  // Each row: the matcher's regex, a label value, Prometheus's answer (`{l=~"re"}` selects it).
  // The answers follow RE2's syntax (https://github.com/google/re2/wiki/Syntax) compiled as
  // `^(?s:re)$` (prometheus model/labels/regexp.go).
  it.each([
    ['\\d+', '123', true],
    ['\\d+', '\u0661\u0662', false], // Arabic-Indic digits: RE2's \d is ASCII
    ['\\w+', 'héllo', false], // \w is ASCII too
    ['\\pL+', 'héllo', true], // Unicode classes need no flag
    ['\\s', '\v', false], // RE2's \s is [\t\n\f\r ], JavaScript's also has \v
    ['(?i)prod', 'PROD', true], // inline flags: a syntax error for JavaScript before ES2025
    ['(?i:PRO).*', 'production', true],
    ['.*(?i:DUC).*', 'PRODUCTION', true],
    ['\\Qa.b\\E', 'a.b', true], // \Q…\E quotes: JavaScript reads "Qa", any char, "bE"
    ['\\Qa.b\\E', 'axb', false],
    ['[[:alpha:]]+', 'abc', true], // POSIX classes: JavaScript reads a class of ":ahlp["
    ['[[:alpha:]]+', 'ab1', false],
    ['[[:^digit:]]x', 'ax', true],
    ['(?P<code>5)\\d\\d', '503', true], // Python/RE2 named groups
    ['(?<code>5)\\d\\d', '503', true],
    ['\\x{41}', 'A', true], // \x{…} code points
    ['a\\z', 'a', true], // \z ends the text
    ['.', '\n', true], // Prometheus 3: . matches a newline in matchers
    ['(?-s:.)', '\n', false], // …unless the pattern turns it off
    ['[^a]', '\n', true],
    ['.', '😀', true], // one character even outside the BMP (JavaScript sees two code units)
    ['..', '😀', false],
    ['a|b', 'ab', false], // the whole alternation is anchored, not its first branch
    ['a{,2}', 'a{,2}', true], // {,n} is not a repetition in RE2: literal text
    ['(a|ab)(c|bcd)(d*)', 'abcd', true],
  ] as const)('%s against %j is %s', (re, value, expected) => {
    // Act
    const matched = matchesValue({ name: 'l', op: MatchOp.RegexMatch, value: re }, value);

    // Assess
    expect(matched).toBe(expected);
  });

  it.each([
    ['(?=a)', 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`'],
    ['(?!a)b', 'error parsing regexp: invalid or unsupported Perl syntax: `(?!`'],
    ['(?<=a)b', 'error parsing regexp: invalid named capture: `(?<=a)b`'],
    ['(a)\\1', 'error parsing regexp: invalid escape sequence: `\\1`'],
    ['a++', 'error parsing regexp: invalid nested repetition operator: `++`'],
    ['a)|(b', 'error parsing regexp: unexpected ): `a)|(b`'],
    ['(', 'error parsing regexp: missing closing ): `(`'],
    ['x{1001}', 'error parsing regexp: invalid repeat count: `{1001}`'],
  ])('refuses %s with Go’s message', (re, message) => {
    // Act
    const compile = (): unknown => compileRegex(re);

    // Assess
    expect(compile).toThrow(RegexSyntaxError);
    expect(compile).toThrow(message);
  });

  it('reports a refused matcher regex as a parse error naming the pattern (HTTP 400)', () => {
    // Act
    const parse = (): unknown => parseExpr('up{job=~"(?!api).*"}');

    // Assess
    expect(parse).toThrow(PromqlParseError);
    expect(parse).toThrow(
      '1:4: parse error: error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
    );
  });

  it('reports a refused relabel regex as a config issue naming the pattern', () => {
    // Act
    const { configs, issues } = validateRelabelConfigs(
      [{ source_labels: ['job'], regex: '(a)\\1', action: 'keep' }],
      'scrape_configs[0].relabel_configs',
    );

    // Assess
    expect(configs).toEqual([]);
    expect(issues).toEqual([
      {
        path: 'scrape_configs[0].relabel_configs[0].regex',
        message:
          'invalid regular expression "(a)\\\\1": error parsing regexp: invalid escape sequence: `\\1`',
      },
    ]);
  });

  it('reports a refused Alertmanager matcher regex with the matcher and the reason', () => {
    // Act
    const parse = (): unknown => parseAlertMatcher('job=~"(?=api)"');

    // Assess
    expect(parse).toThrow(AlertMatcherParseError);
    expect(parse).toThrow(
      'invalid regular expression "(?=api)" in matcher: job=~"(?=api)": error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    );
  });

  it('keeps . from matching a newline in Alertmanager matchers, which compile ^(?:re)$', () => {
    // Act
    const prometheus = compileRegex('a.b', PROMETHEUS_SYNTAX).matchesFully('a\nb');
    const alertmanager = compileRegex('a.b', GO_SYNTAX).matchesFully('a\nb');

    // Assess
    expect(prometheus).toBe(true);
    expect(alertmanager).toBe(false);
  });
});

describe('Feature: replacement templates and Go replace semantics', () => {
  const m = compileRegex('(?P<host>[a-z]+)-(\\d+)(x)?').execFully('api-42');

  it.each([
    ['$1', 'api'],
    ['${1}x', 'apix'],
    ['$1x', ''], // the group named "1x", which does not exist
    ['$host:$2', 'api:42'],
    ['${host}_$2', 'api_42'],
    ['$host_$2', '42'], // the group named "host_", empty
    ['$$1', '$1'],
    ['$3', ''], // a group that did not take part
    ['$9', ''],
    ['cost: $', 'cost: $'],
    ['${', '${'],
  ])('expands %s to %j', (template, expected) => {
    // Act
    const out = expandReplacement(template, m ?? { groups: [], named: {}, index: 0 });

    // Assess
    expect(m).toBeDefined();
    expect(out).toBe(expected);
  });

  it('label_replace fills the destination from a named group, as Prometheus does', async () => {
    // Prepare
    const store = new InMemorySeriesStore();
    await store.write([
      { labels: { __name__: 'up', instance: 'api-1:9090' }, samples: [{ t: 0, v: 1 }] },
    ]);

    // Act
    const res = await evaluateInstant(
      store,
      'label_replace(up, "host", "${h}", "instance", "(?P<h>[^:]+):\\\\d+")',
      0,
    );

    // Assess
    expect(res.value).toEqual({
      type: 'vector',
      samples: [{ labels: { __name__: 'up', host: 'api-1', instance: 'api-1:9090' }, t: 0, v: 1 }],
    });
  });

  it('reReplaceAll skips an empty match right after a match, as Go does', async () => {
    // Act
    const out = await expand('{{ reReplaceAll "a*" "X" "baaac" }}');

    // Assess: JavaScript's replace would give XbXXcX
    expect(out).toEqual({ output: 'XbXcX' });
  });

  it('reReplaceAll with an empty pattern inserts between characters, never inside one', async () => {
    // Act
    const out = await expand('{{ reReplaceAll "" "-" "a😀" }}');

    // Assess
    expect(out).toEqual({ output: '-a-😀-' });
  });

  it('match is an unanchored search where . stops at a newline', async () => {
    // Act
    const found = await expand('{{ match "b.c" "ab\\nc abxc" }}');
    const notAcross = await expand('{{ match "b.c" "ab\\nc" }}');

    // Assess
    expect(found).toEqual({ output: 'true' });
    expect(notAcross).toEqual({ output: 'false' });
  });
});

describe('Feature: whole-value fast paths agree with the automaton', () => {
  const literal = fc.stringMatching(/^[abé]{0,3}$/);
  const shape = fc.oneof(
    literal,
    fc.array(literal, { minLength: 2, maxLength: 4 }).map((ls) => ls.join('|')),
    literal.map((l) => `${l}.*`),
    literal.map((l) => `.*${l}.*`),
    fc.constantFrom('.*', '.+', '\\.a.*', 'a\\.b[ab]*'),
    fc
      .tuple(
        fc.stringMatching(/^[abé]{1,3}$/),
        fc.constantFrom('*', '+', '?', '{2}', '[ab]*', '\\.', 'a.'),
        literal,
      )
      .map(([a, op, b]) => `${a}${op}${b}`),
  );

  it('gives the answer of RE2 without fast paths for every pattern and value', () => {
    fc.assert(
      fc.property(shape, fc.stringMatching(/^[abé.\n]{0,5}$/), (pattern, value) => {
        // Act
        const prometheus = compileRegex(pattern, PROMETHEUS_SYNTAX).matchesFully(value);
        const go = compileRegex(pattern, GO_SYNTAX).matchesFully(value);

        // Assess
        expect(prometheus).toBe(RE2JS.compile(pattern, RE2JS.DOTALL).testExact(value));
        expect(go).toBe(RE2JS.compile(pattern).testExact(value));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('Feature: no other regex engine for user patterns', () => {
  /** Files that build a JavaScript RegExp from text, and why that text is not a user's regex. */
  const ALLOWED: Readonly<Record<string, string>> = {
    'lambdas/api/routes.ts': "the route table's own resource paths",
    'lambdas/shared/rules-loader.ts': 'a rule-file glob, every metacharacter escaped',
    'lambdas/domain/promql/lexical.ts': 'a fixed-length hex-digit check',
    'lambdas/domain/promql/series-notation.ts': 'constant number patterns of the test notation',
  };
  const root = fileURLToPath(new URL('../../../..', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });

  it('finds new RegExp( only in the allowed files under lambdas/', () => {
    // Act
    const offenders = files(join(root, 'lambdas'))
      .filter((f) => /\bnew RegExp\(|\bRegExp\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(root, f))
      .filter((f) => !(f in ALLOWED));

    // Assess
    expect(offenders).toEqual([]);
  });
});
