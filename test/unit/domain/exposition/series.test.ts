import { familiesToSeries, parseExposition } from '../../../../lambdas/domain/exposition';

describe('Function: familiesToSeries', () => {
  it('gives one series sample per line with __name__, default timestamps and extra labels', () => {
    // Prepare
    const families = parseExposition(
      [
        '# TYPE model_predictions_total counter',
        'model_predictions_total{model_version="v2.1",result="normal",job="pushed"} 1337',
        'model_predictions_total{model_version="",result="pneumonia"} 42 1722333000123',
        '',
      ].join('\n'),
    );

    // Act
    const series = familiesToSeries(families, {
      defaultTimestampMs: 1722333060000,
      extraLabels: { job: 'training', instance: '' },
    });

    // Assess
    expect(series).toEqual([
      {
        labels: {
          __name__: 'model_predictions_total',
          job: 'training',
          model_version: 'v2.1',
          result: 'normal',
        },
        value: 1337,
        timestampMs: 1722333060000,
      },
      {
        labels: { __name__: 'model_predictions_total', job: 'training', result: 'pneumonia' },
        value: 42,
        timestampMs: 1722333000123,
      },
    ]);
  });

  it('normalizes le and quantile like Prometheus 3.x, so prom-client and Python agree', () => {
    // Prepare
    const families = parseExposition(
      [
        '# TYPE batch_size_distribution histogram',
        'batch_size_distribution_bucket{le="1"} 1',
        'batch_size_distribution_bucket{le="64.0"} 6',
        'batch_size_distribution_bucket{le="+Inf"} 7',
        '# TYPE model_inference_latency_seconds summary',
        'model_inference_latency_seconds{quantile="1"} 0.5',
        'other{le="1"} 2',
        '',
      ].join('\n'),
    );

    // Act
    const series = familiesToSeries(families, { defaultTimestampMs: 0 });

    // Assess
    expect(series.map((s) => s.labels)).toEqual([
      { __name__: 'batch_size_distribution_bucket', le: '1.0' },
      { __name__: 'batch_size_distribution_bucket', le: '64.0' },
      { __name__: 'batch_size_distribution_bucket', le: '+Inf' },
      { __name__: 'model_inference_latency_seconds', quantile: '1.0' },
      { __name__: 'other', le: '1' },
    ]);
  });
});
