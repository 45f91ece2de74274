/**
 * Prometheus' own template expansion cases, ported from prometheus/prometheus
 * template/template_test.go (TestTemplateExpansion) and prometheus/common
 * helpers/templates/time_test.go, Copyright The Prometheus Authors, Apache License 2.0.
 * Only the HTML-mode cases (ExpandHTML, `tmpl`) are left out: alert templates use text mode.
 */
import type { TemplateQuerySample } from '../../../../lambdas/domain/templates/prometheus-functions';
import type { GoValue } from '../../../../lambdas/domain/templates/values';
import { expand, slice } from './expand-helper';

interface Scenario {
  text: string;
  output?: string;
  input?: GoValue;
  queryResult?: readonly TemplateQuerySample[];
  errorMsg?: string;
}

const MAX_INT64 = 9223372036854775807n;
const MIN_INT64 = -9223372036854775808n;
const MAX_UINT64 = 18446744073709551615n;
const metricA = { labels: { __name__: 'metric', instance: 'a' }, value: 11 };

const SCENARIOS: readonly Scenario[] = [
  { text: 'plain text', output: 'plain text' },
  { text: '{{ 1 }}', output: '1' },
  {
    text: '{{\u00a0}}',
    errorMsg:
      'error parsing template test: template: test:1: unrecognized character in action: U+00A0',
  },
  { text: '{{ "<b>" }}', output: '<b>' },
  { text: '{{define "x"}}{{.arg0}} {{.arg1}}{{end}}{{template "x" (args 1 "2")}}', output: '1 2' },
  {
    text: '{{ query "1.5" | first | value }}',
    output: '1.5',
    queryResult: [{ labels: {}, value: 1.5 }],
  },
  {
    text: '{{ query "metric{instance=\'a\'}" | first | value }}',
    output: '11',
    queryResult: [metricA],
  },
  {
    text: '{{ query "metric{instance=\'a\'}" | first | label "instance" }}',
    output: 'a',
    queryResult: [metricA],
  },
  {
    text: '{{ query "metric{__value__=\'a\'}" | first | strvalue }}',
    output: 'a',
    queryResult: [{ labels: { __name__: 'metric', __value__: 'a' }, value: 11 }],
  },
  {
    text: '{{ query "metric{instance=\'a\'}" | first | label "foo" }}',
    output: '',
    queryResult: [metricA],
  },
  {
    text: '{{ $x := query "metric" | first }}{{ $x.Labels.foo }}',
    output: '',
    queryResult: [metricA],
  },
  {
    text: '{{ range query "metric" | sortByLabel "instance" }}{{.Labels.instance}}:{{.Value}}: {{end}}',
    output: 'a:11: b:21: ',
    queryResult: [{ labels: { __name__: 'metric', instance: 'b' }, value: 21 }, metricA],
  },
  { text: '{{ "foo.example.com" | stripPort }}', output: 'foo.example.com' },
  { text: '{{ "foo.example.com:12345" | stripPort }}', output: 'foo.example.com' },
  { text: '{{ "192.0.2.1" | stripPort }}', output: '192.0.2.1' },
  { text: '{{ "192.0.2.1:12345" | stripPort }}', output: '192.0.2.1' },
  { text: '{{ "2001:0DB8::1" | stripPort }}', output: '2001:0DB8::1' },
  { text: '{{ "[2001:0DB8::1]:12345" | stripPort }}', output: '2001:0DB8::1' },
  { text: '{{ "[2001:0DB8::1]::12345" | stripPort }}', output: '[2001:0DB8::1]::12345' },
  { text: '{{ .Foo }}', output: '<no value>' },
  { text: '{{', errorMsg: 'error parsing template test: template: test:1: unclosed action' },
  {
    text: '{{ query "missing" | first }}',
    errorMsg:
      'error executing template test: template: test:1:21: executing "test" at <first>: error calling first: first() called on vector with no elements',
  },
  {
    text: '{{ (query "missing").banana }}',
    errorMsg:
      'error executing template test: template: test:1:10: executing "test" at <"missing">: can\'t evaluate field banana in type template.queryResult',
  },
  { text: '{{ reReplaceAll "(a)b" "x$1" "ab" }}', output: 'xa' },
  {
    text: '{{ range . }}{{ humanize . }}:{{ end }}',
    input: slice('[]float64', [0, 1, 1234567, 0.12]),
    output: '0:1:1.235M:120m:',
  },
  {
    text: '{{ range . }}{{ humanize . }}:{{ end }}',
    input: slice('[]string', ['0.0', '1.0', '1234567.0', '.12']),
    output: '0:1:1.235M:120m:',
  },
  {
    text: '{{ humanize "one" }}',
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <humanize "one">: error calling humanize: strconv.ParseFloat: parsing "one": invalid syntax',
  },
  {
    text: '{{ range . }}{{ humanize . }}:{{ end }}',
    input: slice('[]int64', [0n, -1n, 1n, 1234567n, MAX_INT64]),
    output: '0:-1:1:1.235M:9.223E:',
  },
  {
    text: '{{ range . }}{{ humanize . }}:{{ end }}',
    input: slice('[]uint64', [0n, 1n, 1234567n, MAX_UINT64]),
    output: '0:1:1.235M:18.45E:',
  },
  {
    text: '{{ range . }}{{ humanize1024 . }}:{{ end }}',
    input: slice('[]float64', [0, 1, 1048576, 0.12]),
    output: '0:1:1Mi:0.12:',
  },
  {
    text: '{{ range . }}{{ humanize1024 . }}:{{ end }}',
    input: slice('[]string', ['0.0', '1.0', '1048576.0', '.12']),
    output: '0:1:1Mi:0.12:',
  },
  {
    text: '{{ humanize1024 "one" }}',
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <humanize1024 "one">: error calling humanize1024: strconv.ParseFloat: parsing "one": invalid syntax',
  },
  {
    text: '{{ range . }}{{ humanize1024 . }}:{{ end }}',
    input: slice('[]int64', [0n, -1n, 1n, 1234567n, MAX_INT64]),
    output: '0:-1:1:1.177Mi:8Ei:',
  },
  {
    text: '{{ range . }}{{ humanize1024 . }}:{{ end }}',
    input: slice('[]uint64', [0n, 1n, 1234567n, MAX_UINT64]),
    output: '0:1:1.177Mi:16Ei:',
  },
  {
    text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
    input: slice('[]float64', [
      0,
      1,
      60,
      3600,
      86400,
      86400 + 3600,
      -(86400 * 2 + 3600 * 3 + 60 * 4 + 5),
      899.99,
    ]),
    output: '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:',
  },
  {
    text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
    input: slice('[]string', ['0', '1', '60', '3600', '86400']),
    output: '0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:',
  },
  {
    text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
    input: slice('[]float64', [0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345]),
    output: '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:',
  },
  {
    text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
    input: slice('[]string', ['.1', '.0001', '.12345', '60.1', '60.5', '1.2345', '12.345']),
    output: '100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:',
  },
  {
    text: '{{ humanizeDuration "one" }}',
    errorMsg:
      'error executing template test: template: test:1:3: executing "test" at <humanizeDuration "one">: error calling humanizeDuration: strconv.ParseFloat: parsing "one": invalid syntax',
  },
  {
    text: '{{ range . }}{{ humanizeDuration . }}:{{ end }}',
    input: slice('[]int', [0n, -1n, 1n, 1234567n]),
    output: '0s:-1s:1s:14d 6h 56m 7s:',
  },
  {
    text: '{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}',
    input: slice('[]float64', [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]),
    output: '+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:',
  },
  {
    text: '{{ range . }}{{ humanize . }}:{{ humanize1024 . }}:{{ humanizeDuration . }}:{{humanizeTimestamp .}}:{{ end }}',
    input: slice('[]string', ['+Inf', '-Inf', 'NaN']),
    output: '+Inf:+Inf:+Inf:+Inf:-Inf:-Inf:-Inf:-Inf:NaN:NaN:NaN:NaN:',
  },
  {
    text: '{{ -0.22222 | humanizePercentage }}:{{ 0.0 | humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 1.23456 | humanizePercentage }}',
    output: '-22.22%:0%:12.35%:123.5%',
  },
  {
    text: '{{ range . }}{{ humanizePercentage . }}:{{ end }}',
    input: slice('[]int64', [0n, -1n, 1n, 1234567n, MAX_INT64]),
    output: '0%:-100%:100%:1.235e+08%:9.223e+20%:',
  },
  {
    text: '{{ range . }}{{ humanizePercentage . }}:{{ end }}',
    input: slice('[]uint64', [0n, 1n, 1234567n, MAX_UINT64]),
    output: '0%:100%:1.235e+08%:1.845e+21%:',
  },
  {
    text: '{{ "-0.22222" | humanizePercentage }}:{{ "0.0" | humanizePercentage }}:{{ "0.1234567" | humanizePercentage }}:{{ "1.23456" | humanizePercentage }}',
    output: '-22.22%:0%:12.35%:123.5%',
  },
  {
    text: '{{ "one" | humanizePercentage }}',
    errorMsg:
      'error executing template test: template: test:1:11: executing "test" at <humanizePercentage>: error calling humanizePercentage: strconv.ParseFloat: parsing "one": invalid syntax',
  },
  {
    text: '{{ range . }}{{ humanizeTimestamp . }}:{{ end }}',
    input: slice('[]int64', [0n, -1n, 1n, 1234567n, 9223372036n]),
    output:
      '1970-01-01 00:00:00 +0000 UTC:1969-12-31 23:59:59 +0000 UTC:1970-01-01 00:00:01 +0000 UTC:1970-01-15 06:56:07 +0000 UTC:2262-04-11 23:47:16 +0000 UTC:',
  },
  {
    text: '{{ range . }}{{ humanizeTimestamp . }}:{{ end }}',
    input: slice('[]int64', [MIN_INT64, MAX_INT64]),
    errorMsg:
      'error executing template test: template: test:1:16: executing "test" at <humanizeTimestamp .>: error calling humanizeTimestamp: -9.223372036854776e+18 cannot be represented as a nanoseconds timestamp since it overflows int64',
  },
  {
    text: '{{ range . }}{{ humanizeTimestamp . }}:{{ end }}',
    input: slice('[]uint64', [MAX_UINT64]),
    errorMsg:
      'error executing template test: template: test:1:16: executing "test" at <humanizeTimestamp .>: error calling humanizeTimestamp: 1.8446744073709552e+19 cannot be represented as a nanoseconds timestamp since it overflows int64',
  },
  { text: '{{ 1435065584.128 | humanizeTimestamp }}', output: '2015-06-23 13:19:44.128 +0000 UTC' },
  {
    text: '{{ "1435065584.128" | humanizeTimestamp }}',
    output: '2015-06-23 13:19:44.128 +0000 UTC',
  },
  { text: '{{ (1435065584.128 | toTime).Format "2006" }}', output: '2015' },
  { text: '{{ ("1435065584.128" | toTime).Format "2006" }}', output: '2015' },
  { text: '{{ "aa bb CC" | title }}', output: 'Aa Bb CC' },
  { text: '{{ "aa bb CC" | toUpper }}', output: 'AA BB CC' },
  { text: '{{ "aA bB CC" | toLower }}', output: 'aa bb cc' },
  { text: '{{ match "a+" "aa" }} {{ match "a+" "b" }}', output: 'true false' },
  { text: '{{ graphLink "up" }}', output: '/graph?g0.expr=up&g0.tab=0' },
  { text: '{{ tableLink "up" }}', output: '/graph?g0.expr=up&g0.tab=1' },
  { text: '{{ pathPrefix }}', output: '/path/prefix' },
  { text: '{{ externalURL }}', output: 'http://testhost:9090/path/prefix' },
  { text: '{{ printf "%0.2f" (parseDuration "1h2m10ms") }}', output: '3720.01' },
  { text: '{{ "foo.example.com" | stripDomain }}', output: 'foo' },
  { text: '{{ "foo.example.com:12345" | stripDomain }}', output: 'foo:12345' },
  { text: '{{ "192.0.2.1" | stripDomain }}', output: '192.0.2.1' },
  { text: '{{ "192.0.2.1:12345" | stripDomain }}', output: '192.0.2.1:12345' },
  { text: '{{ "2001:0DB8::1" | stripDomain }}', output: '2001:0DB8::1' },
  { text: '{{ "[2001:0DB8::1]:12345" | stripDomain }}', output: '[2001:0DB8::1]:12345' },
  { text: '{{ "[2001:0DB8::1]::12345" | stripDomain }}', output: '[2001:0DB8::1]::12345' },
];

describe('Feature: Prometheus template expansion (template_test.go)', () => {
  it.each(SCENARIOS.map((s) => [s.text, s] as const))(
    'expands %s like Prometheus',
    async (_t, s) => {
      // Act
      const result = await expand(s.text, s.input, s.queryResult);

      // Assess
      if (s.errorMsg !== undefined) expect(result).toEqual({ error: s.errorMsg });
      else expect(result).toEqual({ output: s.output });
    },
  );
});

// prometheus/common helpers/templates/time_test.go
const DURATIONS: ReadonlyArray<readonly [GoValue, string]> = [
  [0n, '0s'],
  [1n, '1s'],
  [60n, '1m 0s'],
  [3600n, '1h 0m 0s'],
  [86400n, '1d 0h 0m 0s'],
  [86400n + 3600n, '1d 1h 0m 0s'],
  [-(86400n * 2n + 3600n * 3n + 60n * 4n + 5n), '-2d 3h 4m 5s'],
  [899.99, '14m 59s'],
  [0.1, '100ms'],
  [0.0001, '100us'],
  [0.12345, '123.5ms'],
  [60.1, '1m 0s'],
  [60.5, '1m 0s'],
  [1.2345, '1.234s'],
  [12.345, '12.35s'],
  ['0', '0s'],
  ['86400', '1d 0h 0m 0s'],
  ['.12345', '123.5ms'],
  ['12.345', '12.35s'],
  [-1n, '-1s'],
  [1234567n, '14d 6h 56m 7s'],
];

const TIMESTAMPS: ReadonlyArray<readonly [GoValue, string]> = [
  [0n, '1970-01-01 00:00:00 +0000 UTC'],
  [-1n, '1969-12-31 23:59:59 +0000 UTC'],
  [1n, '1970-01-01 00:00:01 +0000 UTC'],
  [1234567n, '1970-01-15 06:56:07 +0000 UTC'],
  [9223372036n, '2262-04-11 23:47:16 +0000 UTC'],
  ['+Inf', '+Inf'],
  ['-Inf', '-Inf'],
  ['NaN', 'NaN'],
  [Number.POSITIVE_INFINITY, '+Inf'],
  [1435065584.128, '2015-06-23 13:19:44.128 +0000 UTC'],
  ['1435065584.128', '2015-06-23 13:19:44.128 +0000 UTC'],
];

describe('Feature: prometheus/common humanize helpers (time_test.go)', () => {
  it.each(DURATIONS)('humanizeDuration %p is %p', async (input, expected) => {
    // Act
    const result = await expand('{{ humanizeDuration . }}', input);

    // Assess
    expect(result).toEqual({ output: expected });
  });

  it.each(TIMESTAMPS)('humanizeTimestamp %p is %p', async (input, expected) => {
    // Act
    const result = await expand('{{ humanizeTimestamp . }}', input);

    // Assess
    expect(result).toEqual({ output: expected });
  });

  it('fails humanizeDuration of a non-number string', async () => {
    // Act
    const result = await expand('{{ humanizeDuration . }}', 'one');

    // Assess
    expect(result.error).toContain('strconv.ParseFloat: parsing "one": invalid syntax');
  });
});
