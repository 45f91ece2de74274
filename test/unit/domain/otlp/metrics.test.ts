import { translateMetrics } from '../../../../lambdas/domain/otlp/metrics';
import { DEFAULT_OTLP_CONFIG } from '../../../../lambdas/domain/otlp/otlp-settings';
import type {
  ExportMetricsServiceRequest,
  KeyValue,
  Metric,
} from '../../../../lambdas/domain/otlp/types';
import { isStaleNaN } from '../../../../lambdas/domain/series/sample';

const T_NS = '1764000000123456789';
const T_MS = 1764000000123;
const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });
const RESOURCE = [
  str('service.name', 'inference'),
  str('service.namespace', 'ml'),
  str('service.instance.id', 'pod-1'),
  str('k8s.cluster.name', 'prod'),
];

const request = (metrics: Metric[], resource = RESOURCE): ExportMetricsServiceRequest => ({
  resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ metrics }] }],
});

/** `name{labels} value` lines of the translated series, sorted, target_info left out. */
const lines = (req: ExportMetricsServiceRequest, config = DEFAULT_OTLP_CONFIG) =>
  translateMetrics(req, config)
    .series.filter((s) => (s.labels as Record<string, string>).__name__ !== 'target_info')
    .flatMap((s) => {
      const { __name__, ...rest } = s.labels as Record<string, string>;
      const labels = Object.entries(rest)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      return s.samples.map((p) => `${__name__}{${labels}} ${p.v} @${p.t}`);
    })
    .sort();

describe('Function: translateMetrics', () => {
  it('turns a cumulative histogram into classic buckets, sum and count', () => {
    // Prepare
    const req = request([
      {
        name: 'http.server.request.duration',
        unit: 's',
        histogram: {
          aggregationTemporality: 2,
          dataPoints: [
            {
              attributes: [str('http.route', '/predict')],
              timeUnixNano: T_NS,
              count: 4,
              sum: 2.65,
              bucketCounts: [1, 2, 0, 1],
              explicitBounds: [0.1, 0.5, 1],
            },
          ],
        },
      },
    ]);

    // Act
    const out = lines(req);

    // Assess
    const l = 'http_route="/predict",instance="pod-1",job="ml/inference"';
    expect(out).toEqual(
      [
        `http_server_request_duration_seconds_bucket{${l},le="+Inf"} 4 @${T_MS}`,
        `http_server_request_duration_seconds_bucket{${l},le="0.1"} 1 @${T_MS}`,
        `http_server_request_duration_seconds_bucket{${l},le="0.5"} 3 @${T_MS}`,
        `http_server_request_duration_seconds_bucket{${l},le="1"} 3 @${T_MS}`,
        `http_server_request_duration_seconds_count{${l}} 4 @${T_MS}`,
        `http_server_request_duration_seconds_sum{${l}} 2.65 @${T_MS}`,
      ].sort(),
    );
  });

  it('turns a summary into quantiles, sum and count, quantiles written as Go writes them', () => {
    // Prepare
    const req = request([
      {
        name: 'rpc.latency',
        unit: 'ms',
        summary: {
          dataPoints: [
            {
              timeUnixNano: T_NS,
              count: 10,
              sum: 120,
              quantileValues: [
                { quantile: 0.5, value: 11 },
                { quantile: 0.99, value: 40 },
                { quantile: 1e-7, value: 1 },
              ],
            },
          ],
        },
      },
    ]);

    // Act
    const out = lines(req);

    // Assess
    const l = 'instance="pod-1",job="ml/inference"';
    expect(out).toEqual(
      [
        `rpc_latency_milliseconds{${l},quantile="0.0000001"} 1 @${T_MS}`,
        `rpc_latency_milliseconds{${l},quantile="0.5"} 11 @${T_MS}`,
        `rpc_latency_milliseconds{${l},quantile="0.99"} 40 @${T_MS}`,
        `rpc_latency_milliseconds_count{${l}} 10 @${T_MS}`,
        `rpc_latency_milliseconds_sum{${l}} 120 @${T_MS}`,
      ].sort(),
    );
  });

  it('refuses delta sums and histograms and exponential histograms by name, keeping the rest', () => {
    // Prepare
    const req = request([
      {
        name: 'requests',
        sum: {
          aggregationTemporality: 1,
          isMonotonic: true,
          dataPoints: [{ asInt: 3 }, { asInt: 4 }],
        },
      },
      { name: 'latency', histogram: { aggregationTemporality: 1, dataPoints: [{ count: 1 }] } },
      { name: 'sizes', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{}] } },
      { name: 'up', gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: T_NS }] } },
    ]);

    // Act
    const out = translateMetrics(req, DEFAULT_OTLP_CONFIG);

    // Assess
    expect(out.points).toBe(5);
    expect(out.rejected).toBe(4);
    expect(out.reasons).toEqual([
      `metric "requests" has delta temporality: Vigil stores cumulative series only (set the exporter's temporality preference to cumulative)`,
      `metric "latency" has delta temporality: Vigil stores cumulative series only (set the exporter's temporality preference to cumulative)`,
      'metric "sizes" is an exponential histogram: native histograms are not stored (configure the SDK to aggregate it as an explicit-bucket histogram)',
    ]);
    expect(lines(req)).toEqual([`up{instance="pod-1",job="ml/inference"} 1 @${T_MS}`]);
  });

  it('joins the values of attributes whose names collide, and lets a point attribute win over a promoted one', () => {
    // Prepare
    const req = request(
      [
        {
          name: 'q',
          gauge: {
            dataPoints: [
              {
                asInt: 7,
                timeUnixNano: T_NS,
                attributes: [str('a.b', 'x'), str('a_b', 'y'), str('k8s.cluster.name', 'mine')],
              },
            ],
          },
        },
      ],
      [str('service.name', 'svc'), str('k8s.cluster.name', 'prod'), str('region', 'eu')],
    );

    // Act
    const out = lines(req, {
      promoteResourceAttributes: ['k8s.cluster.name', 'region', 'absent'],
      keepIdentifyingResourceAttributes: false,
    });

    // Assess
    expect(out).toEqual([`q{a_b="x;y",job="svc",k8s_cluster_name="mine",region="eu"} 7 @${T_MS}`]);
  });

  it('writes target_info with the non-identifying resource attributes at the newest point', () => {
    // Prepare
    const req = request([
      { name: 'a', gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: '1764000000000000000' }] } },
      { name: 'b', gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: T_NS }] } },
    ]);

    // Act
    const info = translateMetrics(req, DEFAULT_OTLP_CONFIG).series.filter(
      (s) => (s.labels as Record<string, string>).__name__ === 'target_info',
    );

    // Assess
    expect(info).toEqual([
      {
        labels: {
          __name__: 'target_info',
          job: 'ml/inference',
          instance: 'pod-1',
          k8s_cluster_name: 'prod',
        },
        samples: [{ t: T_MS, v: 1 }],
      },
    ]);
  });

  it('writes no target_info for a resource of identifying attributes only, or without service', () => {
    // Prepare
    const gauge: Metric = {
      name: 'a',
      gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: T_NS }] },
    };

    // Act
    const names = [
      request([gauge], [str('service.name', 'svc'), str('service.instance.id', 'i')]),
      request([gauge], [str('host.name', 'h')]),
    ].map((r) =>
      translateMetrics(r, DEFAULT_OTLP_CONFIG).series.map(
        (s) => (s.labels as Record<string, string>).__name__,
      ),
    );

    // Assess
    expect(names).toEqual([['a'], ['a']]);
  });

  it('writes a staleness marker for a point flagged as having no recorded value', () => {
    // Prepare
    const req = request([
      { name: 'g', gauge: { dataPoints: [{ asDouble: 5, flags: 1, timeUnixNano: T_NS }] } },
    ]);

    // Act
    const [series] = translateMetrics(req, DEFAULT_OTLP_CONFIG).series;

    // Assess
    expect(isStaleNaN(series?.samples[0]?.v as number)).toBe(true);
  });

  it('names a non-monotonic sum without _total and a gauge of unit 1 with _ratio', () => {
    // Prepare
    const req = request([
      {
        name: 'queue.size',
        unit: '1',
        sum: {
          aggregationTemporality: 2,
          isMonotonic: false,
          dataPoints: [{ asInt: -2, timeUnixNano: T_NS }],
        },
      },
      {
        name: 'hit.rate',
        unit: '1',
        gauge: { dataPoints: [{ asDouble: 0.5, timeUnixNano: T_NS }] },
      },
      {
        name: 'bytes.sent',
        unit: 'By',
        sum: {
          aggregationTemporality: 2,
          isMonotonic: true,
          dataPoints: [{ asDouble: 10, timeUnixNano: T_NS }],
        },
      },
    ]);

    // Act
    const out = lines(req).map((l) => l.split('{')[0]);

    // Assess
    expect(out).toEqual(['bytes_sent_total', 'hit_rate_ratio', 'queue_size']);
  });
});
