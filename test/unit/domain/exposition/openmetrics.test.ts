import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ExpositionParseError,
  familiesToSeries,
  parseOpenMetrics,
} from '../../../../lambdas/domain/exposition';

/** `name{labels}` → value (timestamp when the line has one), as Prometheus would append them. */
const stored = (text: string): Record<string, number | [number, number]> =>
  Object.fromEntries(
    familiesToSeries(parseOpenMetrics(text), { defaultTimestampMs: -1 }).map((s) => {
      const { __name__, ...rest } = s.labels;
      const labels = Object.entries(rest)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      const key = labels ? `${__name__}{${labels}}` : String(__name__);
      return [key, s.timestampMs === -1 ? s.value : [s.value, s.timestampMs]];
    }),
  );

const parseError = (text: string): ExpositionParseError => {
  try {
    parseOpenMetrics(text);
  } catch (e) {
    if (e instanceof ExpositionParseError) return e;
    throw e;
  }
  throw new Error('expected an ExpositionParseError');
};

describe('parseOpenMetrics', () => {
  it('reads every OpenMetrics type into the series Prometheus stores', () => {
    // Prepare: what prometheus_client 0.16 serves for one metric of each type.
    const text = [
      '# HELP requests Requests.',
      '# TYPE requests counter',
      'requests_total{code="200"} 5.0',
      'requests_created{code="200"} 1.7640864e+09',
      '# HELP latency_seconds Latency.',
      '# TYPE latency_seconds histogram',
      '# UNIT latency_seconds seconds',
      'latency_seconds_bucket{le="0.1"} 1.0',
      'latency_seconds_bucket{le="1.0"} 2.0',
      'latency_seconds_bucket{le="+Inf"} 2.0',
      'latency_seconds_count 2.0',
      'latency_seconds_sum 0.55',
      'latency_seconds_created 1.7640864e+09',
      '# TYPE queue gaugehistogram',
      'queue_bucket{le="5.0"} 3.0',
      'queue_bucket{le="+Inf"} 4.0',
      'queue_gcount 4.0',
      'queue_gsum 12.0',
      '# HELP build Build.',
      '# TYPE build info',
      'build_info{version="1.2"} 1.0',
      '# TYPE state stateset',
      'state{state="a"} 0.0',
      'state{state="b"} 1.0',
      '# TYPE rows summary',
      'rows{quantile="0.5"} 3.0',
      'rows_count 1.0',
      'rows_sum 3.0',
      'rows_created 1.7640864e+09',
      '# TYPE temperature gauge',
      'temperature -2.5',
      '# TYPE other unknown',
      'other 7',
      '# EOF',
      '',
    ].join('\n');

    // Act
    const result = stored(text);

    // Assess
    expect(result).toEqual({
      'requests_total{code="200"}': 5,
      'requests_created{code="200"}': 1764086400,
      'latency_seconds_bucket{le="0.1"}': 1,
      'latency_seconds_bucket{le="1.0"}': 2,
      'latency_seconds_bucket{le="+Inf"}': 2,
      latency_seconds_count: 2,
      latency_seconds_sum: 0.55,
      latency_seconds_created: 1764086400,
      'queue_bucket{le="5.0"}': 3,
      'queue_bucket{le="+Inf"}': 4,
      queue_gcount: 4,
      queue_gsum: 12,
      'build_info{version="1.2"}': 1,
      'state{state="a"}': 0,
      'state{state="b"}': 1,
      'rows{quantile="0.5"}': 3,
      rows_count: 1,
      rows_sum: 3,
      rows_created: 1764086400,
      temperature: -2.5,
      other: 7,
    });
    expect(parseOpenMetrics(text).map((f) => [f.name, f.type])).toEqual([
      ['requests', 'counter'],
      ['latency_seconds', 'histogram'],
      ['queue', 'histogram'],
      ['build', 'gauge'],
      ['state', 'gauge'],
      ['rows', 'summary'],
      ['temperature', 'gauge'],
      ['other', 'untyped'],
    ]);
  });

  it('reads timestamps as float seconds, truncated to milliseconds, and ignores exemplars', () => {
    // Act
    const result = stored(
      [
        '# TYPE a counter',
        'a_total 1 # {trace_id="x"} 0.5',
        'a_total{k="v"} 2 1764086400.1239 # {trace_id="y"} 1.0 1764086399',
        '# TYPE b gauge',
        'b 3 1764086400',
        'b{k="neg"} 4 -1.5',
        '# EOF',
      ].join('\n'),
    );

    // Assess
    expect(result).toEqual({
      a_total: 1,
      'a_total{k="v"}': [2, 1_764_086_400_123],
      b: [3, 1_764_086_400_000],
      'b{k="neg"}': [4, -1500],
    });
  });

  it('keeps _created series with the family they belong to, as Prometheus stores them by default', () => {
    // Act
    const families = parseOpenMetrics(
      '# TYPE jobs counter\njobs_total 3\njobs_created 1.5e+09\n# TYPE x_created gauge\nx_created 12\n# EOF\n',
    );

    // Assess
    expect(families.map((f) => [f.name, f.samples.map((x) => [x.name, x.value])])).toEqual([
      [
        'jobs',
        [
          ['jobs_total', 3],
          ['jobs_created', 1.5e9],
        ],
      ],
      ['x_created', [['x_created', 12]]],
    ]);
  });

  it.each([
    ['no # EOF', 'a 1\n', 'data does not end with # EOF', 2],
    ['data after # EOF', 'a 1\n# EOF\nb 2\n', 'unexpected data after # EOF', 3],
    ['an unknown type', '# TYPE a widget\na 1\n# EOF\n', 'invalid metric type "widget"', 1],
    ['a timestamp that is not a number', 'a 1 soon\n# EOF\n', 'invalid timestamp "soon"', 1],
    ['a text-format type name', '# TYPE a UNTYPED\na 1\n# EOF\n', 'invalid metric type', 1],
  ])('refuses %s with the line', (_what, text, reason, line) => {
    // Act
    const e = parseError(text);

    // Assess
    expect(e.message).toContain(reason);
    expect(e.line).toBe(line);
  });

  it('accepts # EOF without a final newline and an empty exposition', () => {
    // Act & Assess
    expect(stored('a 1\n# EOF')).toEqual({ a: 1 });
    expect(parseOpenMetrics('# EOF\n')).toEqual([]);
  });
});

describe('parseOpenMetrics on what prometheus_client serves', () => {
  it('stores the fixture with its _created series and without the exemplar', () => {
    // Prepare
    const text = readFileSync(
      fileURLToPath(
        new URL(
          '../../../fixtures/exposition/python-prometheus-client.openmetrics.txt',
          import.meta.url,
        ),
      ),
      'utf8',
    );

    // Act
    const result = stored(text);

    // Assess
    expect(result).toEqual({
      'model_predictions_total{model_version="v1.2.0",result="success"}': 42,
      'model_predictions_total{model_version="v1.2.0",result="error"}': 1,
      'model_predictions_created{model_version="v1.2.0",result="success"}': 1764086400,
      'model_predictions_created{model_version="v1.2.0",result="error"}': 1764086400,
      batch_size_distribution_created: 1764086400,
      inference_latency_seconds_created: 1764086400,
      training_loss: 0.42,
      'batch_size_distribution_bucket{le="1.0"}': 1,
      'batch_size_distribution_bucket{le="2.0"}': 1,
      'batch_size_distribution_bucket{le="4.0"}': 2,
      'batch_size_distribution_bucket{le="8.0"}': 3,
      'batch_size_distribution_bucket{le="+Inf"}': 4,
      batch_size_distribution_count: 4,
      batch_size_distribution_sum: 32,
      inference_latency_seconds_count: 1,
      inference_latency_seconds_sum: 0.05,
      'model_build_info{commit="a"b\\c",version="1.2"}': 1,
      'serving_state{serving_state="loading"}': 0,
      'serving_state{serving_state="ready"}': 1,
      'rpc_total{method="get"}': [7, 1_764_086_400_250],
    });
  });
});
