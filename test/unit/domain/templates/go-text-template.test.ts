import fc from 'fast-check';
import { TemplateError } from '../../../../lambdas/domain/templates/errors';
import { parseTemplate } from '../../../../lambdas/domain/templates/parser';
import { GoMap, GoSlice, stringMap } from '../../../../lambdas/domain/templates/values';
import { expand, slice } from './expand-helper';

const labels = stringMap({ job: 'api', instance: 'host-1:9100', severity: 'page' });

describe('Feature: Go text/template syntax', () => {
  it.each([
    ['trims spaces around {{- and -}}', 'a  \n {{- "b" -}} \n  c', 'abc'],
    ['keeps a minus that is not a trim marker', '{{-3}}', '-3'],
    ['drops comments, trimming around them', 'x {{- /* note */ -}} y', 'xy'],
    ['prints a pipeline through functions', '{{ "abc" | printf "%s-%s" "x" }}', 'x-abc'],
    ['declares and reassigns variables', '{{ $x := 1 }}{{ $x = 2 }}{{ $x }}', '2'],
    [
      'scopes variables to their control block',
      '{{ $x := "o" }}{{ if true }}{{ $x := "i" }}{{ $x }}{{ end }}{{ $x }}',
      'io',
    ],
    [
      'assigns to an outer variable inside a block',
      '{{ $x := "o" }}{{ if true }}{{ $x = "i" }}{{ end }}{{ $x }}',
      'i',
    ],
    ['chains else if', '{{ if false }}a{{ else if true }}b{{ else }}c{{ end }}', 'b'],
    [
      'runs with and its else',
      '{{ with "" }}x{{ else }}empty{{ end }}{{ with "v" }}[{{ . }}]{{ end }}',
      'empty[v]',
    ],
    ['chains else with', '{{ with "" }}a{{ else with "b" }}{{ . }}{{ end }}', 'b'],
    ['ranges over an int', '{{ range 3 }}{{ . }}{{ end }}', '012'],
    [
      'ranges with break and continue',
      '{{ range $i := 5 }}{{ if eq $i 1 }}{{ continue }}{{ end }}{{ if eq $i 3 }}{{ break }}{{ end }}{{ $i }}{{ end }}',
      '02',
    ],
    ['uses range else on empty input', '{{ range $.Labels }}x{{ else }}none{{ end }}', 'none'],
    ['parses raw strings and escapes', '{{ `a\\n` }}|{{ "t\\u00e9\\x41\\n" }}', 'a\\n|téA\n'],
    ['parses char constants as ints', "{{ 'a' }} {{ printf \"%c\" 'b' }}", '97 b'],
    [
      'parses hex, octal and float literals',
      '{{ 0x1F }} {{ 010 }} {{ 1e3 }} {{ 1_000 }} {{ 2. }}',
      '31 8 1000 1000 2',
    ],
    ['prints nil as <no value> and booleans', '{{ .Missing }} {{ true }}', '<no value> true'],
    [
      'defines and calls templates with a dot',
      '{{ define "t" }}<{{ . }}>{{ end }}{{ template "t" "x" }}{{ template "t" }}',
      '<x><<no value>>',
    ],
    ['defines block templates', '{{ block "b" "y" }}[{{ . }}]{{ end }}', '[y]'],
    [
      'does not pass variables into templates',
      '{{ define "t" }}{{ $ }}{{ end }}{{ $x := 1 }}{{ template "t" 2 }}',
      '2',
    ],
  ])('%s', async (_name, text, output) => {
    // Act
    const result = await expand(
      text,
      new GoMap(
        'map[string]interface {}',
        new Map([['Labels', new GoMap('map[string]string', new Map(), '')]]),
        undefined,
      ),
    );

    // Assess
    expect(result).toEqual({ output });
  });

  it('ranges over a map in key order with $k, $v', async () => {
    // Act
    const result = await expand('{{ range $k, $v := . }}{{ $k }}={{ $v }},{{ end }}', labels);

    // Assess
    expect(result).toEqual({ output: 'instance=host-1:9100,job=api,severity=page,' });
  });

  it('reads map keys by field syntax and index, missing keys as zero values', async () => {
    // Act
    const result = await expand(
      '{{ .job }}|{{ index . "instance" }}|{{ .nope }}|{{ index . "nope" }}',
      labels,
    );

    // Assess
    expect(result).toEqual({ output: 'api|host-1:9100||' });
  });

  it('ranges over slices with the index first', async () => {
    // Act
    const result = await expand(
      '{{ range $i, $e := . }}{{ $i }}:{{ $e }} {{ end }}',
      slice('[]string', ['a', 'b']),
    );

    // Assess
    expect(result).toEqual({ output: '0:a 1:b ' });
  });
});

describe('Feature: Go builtin functions', () => {
  it.each([
    ['{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 "" "x" }} {{ or 0 "" }}', '0 2 x '],
    ['{{ not 0 }} {{ not "x" }}', 'true false'],
    ['{{ len "héllo" }} {{ len . }}', '6 3'],
    ['{{ index "abc" 1 }} {{ slice "abcdef" 1 3 }} {{ slice "abc" 1 }}', '98 bc bc'],
    [
      '{{ eq 1 1 }} {{ eq "a" "b" "a" }} {{ ne 1.5 2.5 }} {{ lt 1 2 }} {{ le "b" "a" }} {{ gt 2.5 1.5 }} {{ ge 2 2 }}',
      'true true true true false true true',
    ],
    ['{{ eq .nope "x" }}', 'false'],
    ['{{ print 1 2 "a" "b" 3 }}|{{ println 1 "a" }}|', '1 2ab3|1 a\n|'],
    ['{{ html "<a href=\'x\'>&\\"" }}', '&lt;a href=&#39;x&#39;&gt;&amp;&#34;'],
    ['{{ js "it\'s <b>\\"=&" }}', 'it\\\'s \\u003Cb\\u003E\\"\\u003D\\u0026'],
    ['{{ urlquery "a b&c=d/é" }}', 'a+b%26c%3Dd%2F%C3%A9'],
    ['{{ and (eq 1 1) (eq 2 2) }}', 'true'],
    ['{{ 0 | or 1 }} {{ 2 | and 1 }}', '1 2'],
  ])('%s', async (text, output) => {
    // Act
    const result = await expand(text, labels);

    // Assess
    expect(result).toEqual({ output });
  });

  it.each([
    ['{{ lt 1 1.5 }}', 'at <lt 1 1.5>: error calling lt: incompatible types for comparison'],
    ['{{ eq 1 "1" }}', 'error calling eq: incompatible types for comparison'],
    ['{{ lt true false }}', 'error calling lt: invalid type for comparison'],
    ['{{ index "abc" 5 }}', 'error calling index: index out of range: 5'],
    ['{{ len 3 }}', 'error calling len: len of type int'],
    ['{{ toUpper 1.5 }}', 'at <1.5>: expected string; found 1.5'],
    ['{{ 1.5 | toUpper }}', 'at <toUpper>: wrong type for value; expected string; got float64'],
    ['{{ printf }}', 'at <printf>: wrong number of args for printf: want at least 1 got 0'],
    ['{{ toUpper "a" "b" }}', 'wrong number of args for toUpper: want 1 got 2'],
    ['{{ .job.x }}', "can't evaluate field x in type string"],
    ['{{ range 1.5 }}{{ end }}', "range can't iterate over 1.5"],
    ['{{ template "nope" }}', 'template "nope" not defined'],
    ['{{ "x" 1 }}', 'can\'t give argument to non-function "x"'],
  ])("fails %s with Go's message", async (text, message) => {
    // Act
    const result = await expand(text, labels);

    // Assess
    expect(result.error).toContain(message);
  });

  it('reports the line and byte column of execution errors on later lines', async () => {
    // Act
    const result = await expand('line one\né {{ humanize "x" }}', labels);

    // Assess
    expect(result.error).toMatch(
      /^error executing template test: template: test:2:6: executing "test" at <humanize "x">/,
    );
  });
});

describe('Feature: printf verbs', () => {
  it.each([
    ['%s|%v|%q', ['a', 'b', 'c"d'], 'a|b|"c\\"d"'],
    [
      '%d|%5d|%-5d|%05d|%+d|%x|%X|%o|%b|%c|%U',
      [42n, 42n, 42n, -42n, 42n, 255n, 255n, 8n, 5n, 65n, 65n],
      '42|   42|42   |-0042|+42|ff|FF|10|101|A|U+0041',
    ],
    [
      '%f|%.2f|%8.3f|%-8.1f|%08.2f|%+.1f',
      [3.14169, 3.14169, 3.14169, 3.14169, -3.14169, 2.0],
      '3.141690|3.14|   3.142|3.1     |-0003.14|+2.0',
    ],
    [
      '%e|%.2e|%E|%g|%.3g|%G|%v',
      [123456.789, 0.000123, 1e21, 1e-7, 1234.5678, 1e21, 1e6],
      '1.234568e+05|1.23e-04|1.000000E+21|1e-07|1.23e+03|1E+21|1e+06',
    ],
    ['%.0f %.0f %.1f %.2f', [0.5, 1.5, 0.25, 1.005], '0 2 0.2 1.00'],
    [
      '%v %v %v %v',
      [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0],
      'NaN +Inf -Inf -0',
    ],
    ['%5.1f|%x|%t|%%', [Number.NaN, 'hi', true], '  NaN|6869|true|%'],
    ['%d %s', ['x', 1.5], '%!d(string=x) %!s(float64=1.5)'],
    ['%d %d', [1n], '1 %!d(MISSING)'],
    ['%d', [1n, 'x'], '1%!(EXTRA string=x)'],
    ['%*d|%.*f', [4n, 7n, 1n, 2.25], '   7|2.2'],
  ])('formats %p', async (format, args, output) => {
    // Prepare
    const text = `{{ printf ${JSON.stringify(format)} ${args.map((_a, i) => `(index . ${i})`).join(' ')} }}`;

    // Act
    const result = await expand(text, slice('[]interface {}', args));

    // Assess
    expect(result).toEqual({ output });
  });

  it('prints float64 values with the shortest representation, like Go %v', async () => {
    // Prepare
    const values = [
      1e6, 123456, 1234567, 0.1, 3.14169, 1e-5, 0.0001, 1e21, 100, 2.5e-10, 5e-324,
      1.7976931348623157e308,
    ];

    // Act
    const result = await expand('{{ range . }}{{ . }} {{ end }}', slice('[]float64', values));

    // Assess
    expect(result).toEqual({
      output:
        '1e+06 123456 1.234567e+06 0.1 3.14169 1e-05 0.0001 1e+21 100 2.5e-10 5e-324 1.7976931348623157e+308 ',
    });
  });

  it('prints maps and slices as Go does', async () => {
    // Act
    const result = await expand(
      '{{ . }} {{ print (slice .) }}',
      new GoSlice('[]float64', [1, 2.5]),
    );

    // Assess
    expect(result).toEqual({ output: '[1 2.5] [1 2.5]' });
  });
});

describe('Feature: parse errors', () => {
  it.each([
    ['{{ foo }}', 'template: t:1: function "foo" not defined'],
    ['{{ $x }}', 'template: t:1: undefined variable "$x"'],
    ['{{ if true }}', 'template: t:1: unexpected EOF'],
    ['{{ end }}', 'template: t:1: unexpected {{end}}'],
    ['{{ else }}', 'template: t:1: unexpected {{else}}'],
    ['a\n{{ "x }}', 'template: t:2: unterminated quoted string'],
    ['{{ `x }}', 'template: t:1: unterminated raw quoted string'],
    ['{{ /* x */ }}', 'template: t:1: unexpected "/" in command'],
    ['{{/* x }}', 'template: t:1: unclosed comment'],
    ['{{/* x */ 1 }}', 'template: t:1: comment ends before closing delimiter'],
    ['{{ ( 1 }}', 'template: t:1: unclosed left paren'],
    ['{{ 1 ) }}', 'template: t:1: unexpected right paren'],
    ['{{ }}', 'template: t:1: missing value for command'],
    ['{{ 1 | 2 }}', 'template: t:1: non executable command in pipeline stage 2'],
    ['{{ 3x }}', 'template: t:1: bad number syntax: "3x"'],
    ['{{ break }}', 'template: t:1: {{break}} outside {{range}}'],
    ['{{ "a".b }}', 'template: t:1: unexpected . after term "\\"a\\""'],
    ['{{ range $a, $b, $c := . }}{{ end }}', 'template: t:1: too many declarations in range'],
    ['{{ if 1 }}{{ else }}{{ else }}{{ end }}', 'template: t:1: expected end; found {{else}}'],
    ['{{ template x }}', 'template: t:1: unexpected "x" in template clause'],
  ])('rejects %p', (text, message) => {
    // Act
    const act = (): unknown => parseTemplate('t', text, new Set(['printf']));

    // Assess
    expect(act).toThrow(TemplateError);
    expect(act).toThrow(message);
  });

  it('throws only TemplateError on random input', () => {
    // Prepare
    const alphabet = fc.constantFrom(
      '{{',
      '}}',
      '{{-',
      ' -}}',
      ' ',
      '$x',
      ':=',
      '=',
      '|',
      '(',
      ')',
      '"a"',
      '`b`',
      "'c'",
      '.F',
      '.',
      '1',
      '-2.5',
      'if',
      'else',
      'end',
      'range',
      'with',
      'define',
      'template',
      'printf',
      'nil',
      'true',
      ',',
      '/*',
      '*/',
      '\n',
      'x',
      '\u00a0',
      '\\',
    );
    const input = fc.oneof(
      fc.string(),
      fc.array(alphabet, { maxLength: 30 }).map((a) => a.join('')),
    );

    // Act & Assess
    fc.assert(
      fc.property(input, (text) => {
        try {
          parseTemplate('t', text, new Set(['printf']));
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
