import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ExpositionParseError,
  type MetricFamily,
  parseExposition,
} from '../../../../lambdas/domain/exposition';

const fixture = (name: string): string =>
  readFileSync(
    fileURLToPath(new URL(`../../../fixtures/exposition/${name}`, import.meta.url)),
    'utf8',
  );

const catchError = (text: string): ExpositionParseError => {
  try {
    parseExposition(text);
  } catch (e) {
    if (e instanceof ExpositionParseError) return e;
    throw e;
  }
  throw new Error(`expected a parse error for ${JSON.stringify(text)}`);
};

const family = (families: MetricFamily[], name: string): MetricFamily => {
  const f = families.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no family ${name}`);
  return f;
};

describe('Function: parseExposition', () => {
  describe('real client payloads', () => {
    it('parses Python prometheus_client generate_latest output', () => {
      // Prepare
      const text = fixture('python-prometheus-client.txt');

      // Act
      const families = parseExposition(text);

      // Assess
      expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
        ['model_inference_latency_seconds', 'summary', 4],
        ['model_inference_latency_seconds_created', 'gauge', 2],
        ['model_predictions_total', 'counter', 2],
        ['model_predictions_created', 'gauge', 2],
        ['gpu_memory_used_bytes', 'gauge', 2],
        ['batch_size_distribution', 'histogram', 10],
        ['batch_size_distribution_created', 'gauge', 1],
        ['http_requests_total', 'counter', 2],
        ['http_requests_created', 'gauge', 2],
        ['http_request_duration_seconds', 'histogram', 17],
        ['http_request_duration_seconds_created', 'gauge', 1],
        ['training_loss', 'gauge', 1],
        ['ml_model_accuracy', 'gauge', 1],
        ['model_build_info', 'gauge', 1],
        ['model_state', 'gauge', 3],
      ]);
      const batch = family(families, 'batch_size_distribution');
      expect(batch.help).toBe('Distribution of batch sizes');
      expect(batch.samples[0]).toEqual({
        name: 'batch_size_distribution_bucket',
        labels: { le: '1.0' },
        value: 1,
      });
      expect(batch.samples.slice(-2)).toEqual([
        { name: 'batch_size_distribution_count', labels: {}, value: 7 },
        { name: 'batch_size_distribution_sum', labels: {}, value: 168 },
      ]);
      expect(family(families, 'model_predictions_created').samples[0]?.value).toBe(1722333000.123);
      expect(family(families, 'ml_model_accuracy').samples[0]?.value).toBeNaN();
      const info = family(families, 'model_build_info');
      expect(info.help).toBe('Model build "info"\nwith \\ backslash');
      expect(info.samples[0]?.labels).toEqual({ commit: 'abc"123\\x', version: '1.2.0' });
    });

    it("parses prom-client's register.metrics() output", () => {
      // Prepare
      const text = fixture('prom-client.txt');

      // Act
      const families = parseExposition(text);

      // Assess
      expect(families.map((f) => [f.name, f.type, f.samples.length])).toEqual([
        ['model_inference_latency_seconds', 'summary', 5],
        ['model_predictions_total', 'counter', 2],
        ['gpu_memory_used_bytes', 'gauge', 2],
        ['batch_size_distribution', 'histogram', 10],
        ['http_requests_total', 'counter', 2],
        ['http_request_duration_seconds', 'histogram', 14],
        ['training_loss', 'gauge', 1],
        ['ml_model_accuracy', 'gauge', 1],
        ['drift_score', 'gauge', 2],
      ]);
      expect(family(families, 'model_inference_latency_seconds').samples[0]).toEqual({
        name: 'model_inference_latency_seconds',
        labels: { quantile: '0.5', model_version: 'v2.1', service: 'pneumonia-detector' },
        value: 0.255,
      });
      expect(family(families, 'ml_model_accuracy').samples[0]?.value).toBeNaN(); // "Nan"
      const drift = family(families, 'drift_score');
      expect(drift.help).toBe('Drift score per attribute (0-1)\nwith a \\ backslash');
      expect(drift.samples.map((s) => [s.labels.attribute, s.value])).toEqual([
        ['age "years"\nline2 \\ x', 0.25],
        ['gender', Number.POSITIVE_INFINITY],
      ]);
    });

    it('parses a hand-written push with comments, tabs, timestamps and trailing commas', () => {
      // Prepare
      const text = fixture('pushgateway-hand-written.txt');

      // Act
      const families = parseExposition(text);

      // Assess
      expect(family(families, 'training_loss').samples).toEqual([
        {
          name: 'training_loss',
          labels: { run: 'exp-42', epoch: '3' },
          value: 0.0423,
          timestampMs: 1722333000123,
        },
        {
          name: 'training_loss',
          labels: { run: 'exp-42', epoch: '4' },
          value: 0.039,
          timestampMs: 1722333060123,
        },
      ]);
      const accuracy = family(families, 'ml_model_accuracy');
      expect(accuracy.help).toBe('Current model accuracy score\nper "attribute" \\ split');
      expect(accuracy.samples.map((s) => [s.labels, s.value])).toEqual([
        [{ attribute: 'age "years"\nsecond line \\ end' }, 0.91],
        [{ attribute: 'gender' }, Number.NaN],
        [{ attribute: 'smile' }, Number.POSITIVE_INFINITY],
      ]);
      expect(family(families, 'gpu_memory_used_bytes')).toEqual({
        name: 'gpu_memory_used_bytes',
        type: 'untyped',
        samples: [
          { name: 'gpu_memory_used_bytes', labels: { device: 'cuda:0' }, value: 8589934592 },
          {
            name: 'gpu_memory_used_bytes',
            labels: { device: 'cuda:1' },
            value: Number.NEGATIVE_INFINITY,
          },
        ],
      });
    });
  });

  describe('what expfmt accepts', () => {
    it.each([
      ['empty input', '', []],
      ['only blank lines and comments', '\n  \n\t\n# just a comment\n#\n# HELP\n', []],
      ['a family with HELP and TYPE but no samples is dropped', '# HELP a x\n# TYPE a gauge\n', []],
      ['a sample without labels', 'a 1\n', [['a', 'untyped', [['a', {}, 1]]]]],
      ['empty braces', 'a{} 1\n', [['a', 'untyped', [['a', {}, 1]]]]],
      ['no space before the value', 'a{b="c"}1\n', [['a', 'untyped', [['a', { b: 'c' }, 1]]]]],
      ['a sign right after the name', 'a-1\n', [['a', 'untyped', [['a', {}, -1]]]]],
      [
        'colons in names',
        'job:rate:5m 2\n',
        [['job:rate:5m', 'untyped', [['job:rate:5m', {}, 2]]]],
      ],
      ['TYPE is case-insensitive', '# TYPE a COUNTER\na 1\n', [['a', 'counter', [['a', {}, 1]]]]],
      ['#HELP without a space', '#HELP a doc\na 1\n', [['a', 'untyped', [['a', {}, 1]]]]],
      [
        'non-contiguous samples join one family',
        'a 1\nb 2\na{x="y"} 3\n',
        [
          [
            'a',
            'untyped',
            [
              ['a', {}, 1],
              ['a', { x: 'y' }, 3],
            ],
          ],
          ['b', 'untyped', [['b', {}, 2]]],
        ],
      ],
      [
        '_count of a counter is its own family',
        '# TYPE a counter\na 1\na_count 2\n',
        [
          ['a', 'counter', [['a', {}, 1]]],
          ['a_count', 'untyped', [['a_count', {}, 2]]],
        ],
      ],
      [
        'le/quantile are plain labels outside histograms/summaries',
        'a{le="x",quantile="y"} 1\n',
        [['a', 'untyped', [['a', { le: 'x', quantile: 'y' }, 1]]]],
      ],
      [
        'a stray le on a histogram _sum is dropped as expfmt drops it',
        '# TYPE h histogram\nh_sum{le="1",a="b"} 3\n',
        [['h', 'histogram', [['h_sum', { a: 'b' }, 3]]]],
      ],
      [
        'a repeated le keeps the last, as expfmt does',
        '# TYPE h histogram\nh_bucket{le="1",le="2"} 3\n',
        [['h', 'histogram', [['h_bucket', { le: '2' }, 3]]]],
      ],
    ])('accepts %s', (_title, text, expected) => {
      // Act
      const families = parseExposition(text);

      // Assess
      expect(
        families.map((f) => [f.name, f.type, f.samples.map((s) => [s.name, s.labels, s.value])]),
      ).toEqual(expected);
    });

    it.each([
      ['1', 1],
      ['-0.5', -0.5],
      ['.5', 0.5],
      ['5.', 5],
      ['1e3', 1000],
      ['1E+03', 1000],
      ['-1.5e-3', -0.0015],
      ['+Inf', Number.POSITIVE_INFINITY],
      ['inf', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
      ['NaN', Number.NaN],
      ['nan', Number.NaN],
      ['1e-400', 0],
      ['0001', 1],
    ])('reads the value %s as Go ParseFloat does', (token, expected) => {
      // Act
      const [f] = parseExposition(`a ${token}\n`);

      // Assess
      expect(f?.samples[0]?.value).toBe(expected);
    });

    it.each([
      ['0', 0],
      ['-1', -1],
      ['+1700000000000', 1700000000000],
    ])('reads the timestamp %s as an int64', (token, expected) => {
      // Act
      const [f] = parseExposition(`a 1 ${token}\n`);

      // Assess
      expect(f?.samples[0]?.timestampMs).toBe(expected);
    });
  });

  describe('errors, as expfmt words them', () => {
    it.each([
      ['a 1', 1, 'unexpected end of input stream'],
      ['a 1\r\n', 1, 'expected float as value, got "1\\r"'],
      ['a 1\nb', 2, 'unexpected end of input stream'],
      ['# HELP a doc', 1, 'unexpected end of input stream'],
      ['a abc\n', 1, 'expected float as value, got "abc"'],
      ['a\n', 1, 'expected float as value, got ""'],
      ['a 0x1p3\n', 1, 'expected float as value, got "0x1p3"'],
      ['a 1_000\n', 1, 'expected float as value, got "1_000"'],
      ['a 1e400\n', 1, 'expected float as value, got "1e400"'],
      ['a +nan\n', 1, 'expected float as value, got "+nan"'],
      ['a 1 \n', 1, 'expected integer as timestamp, got ""'],
      ['a 1 1.5\n', 1, 'expected integer as timestamp, got "1.5"'],
      ['a 1 9223372036854775808\n', 1, 'expected integer as timestamp, got "9223372036854775808"'],
      ['a 1 2 3\n', 1, 'spurious string after timestamp: " 3"'],
      ['a 1 2 \n', 1, 'spurious string after timestamp: " "'],
      ['1a 1\n', 1, 'invalid metric name'],
      ['{a="b"} 1\n', 1, 'invalid metric name'],
      ['\n\na{1="b"} 1\n', 3, 'invalid label name for metric "a"'],
      ['a{,} 1\n', 1, 'invalid label name for metric "a"'],
      ['a{b} 1\n', 1, "expected '=' after label name, found '}'"],
      ['a{b c="d"} 1\n', 1, "expected '=' after label name, found 'c'"],
      ['a{__name__="x"} 1\n', 1, 'label name "__name__" is reserved'],
      ['a{b="c",b="d"} 1\n', 1, 'duplicate label names for metric "a"'],
      ['a{b=c} 1\n', 1, `expected '"' at start of label value, found 'c'`],
      ['a{b="c" d="e"} 1\n', 1, 'unexpected end of label value "c"'],
      ['a{b="c\nd"} 1\n', 1, 'label value "c" contains unescaped new-line'],
      ['a{b="c\\td"} 1\n', 1, "invalid escape sequence '\\t'"],
      ['# HELP a bad \\t escape\n', 1, "invalid escape sequence '\\t'"],
      ['# HELP a{ x\n', 1, 'invalid metric name in comment'],
      ['# HELP a one\n# HELP a two\n', 2, 'second HELP line for metric name "a"'],
      [
        '# TYPE a gauge\n# TYPE a counter\n',
        2,
        'second TYPE line for metric name "a", or TYPE reported after samples',
      ],
      [
        'a 1\n# TYPE a counter\n',
        2,
        'second TYPE line for metric name "a", or TYPE reported after samples',
      ],
      [
        '# TYPE h histogram\n# TYPE h_sum gauge\n',
        2,
        'second TYPE line for metric name "h", or TYPE reported after samples',
      ],
      ['# TYPE a counter \n', 1, 'unknown metric type "counter "'],
      ['# TYPE a timer\n', 1, 'unknown metric type "timer"'],
      [
        '# TYPE h histogram\nh_bucket{le="x"} 1\n',
        2,
        `expected float as value for 'le' label, got "x"`,
      ],
      [
        '# TYPE s summary\ns{quantile="0x1p-1"} 1\n',
        2,
        `expected float as value for 'quantile' label, got "0x1p-1"`,
      ],
      ['# TYPE h histogram\nh_bucket 1\n', 2, `histogram bucket without 'le' label for metric "h"`],
      ['# TYPE h histogram\nh{a="b"} 1\n', 2, `histogram bucket without 'le' label for metric "h"`],
      [
        '# TYPE s summary\ns{a="b"} 1\n',
        2,
        `summary quantile without 'quantile' label for metric "s"`,
      ],
      [
        '# TYPE h histogram\nh_bucket{le="NaN"} 1\n',
        2,
        `expected float other than NaN for 'le' label, got "NaN"`,
      ],
      ['# TYPE g gauge_histogram\ng{le="1"} 1\n', 2, 'unexpected type for metric name "g"'],
      ['a{b="\uD800"} 1\n', 1, 'invalid label value "\\ud800"'],
    ])('%j fails in line %i: %s', (text, line, reason) => {
      // Act
      const error = catchError(text);

      // Assess
      expect(error).toBeInstanceOf(ExpositionParseError);
      expect(error.name).toBe('ExpositionParseError');
      expect(error.line).toBe(line);
      expect(error.reason).toBe(reason);
      expect(error.message).toBe(`text format parsing error in line ${line}: ${reason}`);
    });

    it('reports the column and the offending line as snippet', () => {
      // Act
      const error = catchError('# TYPE a gauge\na{b="c"} 1\nbad{b=c} 1\nz 1\n');

      // Assess
      expect(error.line).toBe(3);
      expect(error.column).toBe(7);
      expect(error.snippet).toBe('bad{b=c} 1');
      expect(error.details).toEqual(['line 3, column 7: bad{b=c} 1']);
    });

    it('truncates the snippet to 200 characters and long tokens in the message', () => {
      // Prepare
      const token = '9'.repeat(5000);

      // Act
      const error = catchError(`a ${token}x\n`);

      // Assess
      expect(error.snippet).toHaveLength(200);
      expect(error.message).toBe(
        `text format parsing error in line 1: expected float as value, got "${'9'.repeat(128)}"...`,
      );
    });
  });
});
