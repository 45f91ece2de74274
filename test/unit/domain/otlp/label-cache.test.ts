import fc from 'fast-check';
import { OtlpLabelCache } from '../../../../lambdas/domain/otlp/label-cache';
import { translateMetrics } from '../../../../lambdas/domain/otlp/metrics';
import {
  DEFAULT_OTLP_CONFIG,
  type OtlpConfig,
} from '../../../../lambdas/domain/otlp/otlp-settings';
import type {
  AnyValue,
  ExportMetricsServiceRequest,
  KeyValue,
  Metric,
} from '../../../../lambdas/domain/otlp/types';
import { internedFacts } from '../../../../lambdas/domain/series/interned-labels';
import { seriesKey } from '../../../../lambdas/domain/series/labels';

const T_NS = '1764000000123456789';
const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

/** Keys and values that escape to the same label, look like cache-key syntax, or are empty. */
const KEYS = ['http.route', 'http_route', 'a', '1:a', 'a:1', '-', '', 'le', 'quantile', '\u0000x'];
const TEXTS = ['', '/r1', '1:', ':1', '-', 'x', '2:ab', '\u0000'];
const value: fc.Arbitrary<AnyValue> = fc.oneof(
  fc.constantFrom(...TEXTS).map((s) => ({ stringValue: s })),
  fc.integer({ min: -3, max: 3 }).map((n) => ({ intValue: n })),
  fc.boolean().map((b) => ({ boolValue: b })),
);
const attributes = fc.array(
  fc.record({ key: fc.constantFrom(...KEYS), value }).map((kv) => kv as KeyValue),
  { maxLength: 3 },
);
const resource = fc.array(
  fc
    .record({
      key: fc.constantFrom('service.name', 'service.instance.id', 'host.name'),
      value: fc.constantFrom(...TEXTS).map((s) => ({ stringValue: s })),
    })
    .map((kv) => kv as KeyValue),
  { maxLength: 2 },
);
const points = fc.array(attributes, { minLength: 1, maxLength: 1 });
const metric: fc.Arbitrary<Metric> = fc
  .record({
    kind: fc.constantFrom('gauge', 'counter', 'updown', 'histogram', 'summary'),
    name: fc.constantFrom('m', 'm_bucket', 'm.count', 'm_sum', 'm_total'),
    unit: fc.constantFrom('', 's', '1'),
    points,
  })
  .map(({ kind, name, unit, points: attrs }): Metric => {
    const base = { timeUnixNano: T_NS };
    if (kind === 'gauge')
      return {
        name,
        unit,
        gauge: { dataPoints: attrs.map((a, i) => ({ ...base, attributes: a, asDouble: i })) },
      };
    if (kind === 'counter' || kind === 'updown')
      return {
        name,
        unit,
        sum: {
          aggregationTemporality: 2,
          isMonotonic: kind === 'counter',
          dataPoints: attrs.map((a, i) => ({ ...base, attributes: a, asInt: i })),
        },
      };
    if (kind === 'histogram')
      return {
        name,
        unit,
        histogram: {
          aggregationTemporality: 2,
          dataPoints: attrs.map((a) => ({
            ...base,
            attributes: a,
            count: 3,
            sum: 1.5,
            bucketCounts: [1, 1, 1],
            explicitBounds: [0.5, 1],
          })),
        },
      };
    return {
      name,
      unit,
      summary: {
        dataPoints: attrs.map((a) => ({
          ...base,
          attributes: a,
          count: 2,
          sum: 3,
          quantileValues: [
            { quantile: 0.5, value: 1 },
            { quantile: 0.99, value: 2 },
          ],
        })),
      },
    };
  });
const request: fc.Arbitrary<ExportMetricsServiceRequest> = fc
  .record({ resource, metric })
  .map((rm) => ({
    resourceMetrics: [
      { resource: { attributes: rm.resource }, scopeMetrics: [{ metrics: [rm.metric] }] },
    ],
  }));
const config: fc.Arbitrary<OtlpConfig> = fc.constantFrom(DEFAULT_OTLP_CONFIG, {
  promoteResourceAttributes: ['host.name', 'service.name'],
  keepIdentifyingResourceAttributes: false,
});

/**
 * Labels as `[name, value]` pairs in their own order, with the samples, for an exact compare. A
 * request of one data point shares nothing within itself, so a fresh cache is as none.
 */
const exact = (req: ExportMetricsServiceRequest, cfg: OtlpConfig, cache: OtlpLabelCache) =>
  translateMetrics(req, cfg, cache).series.map((s) => [Object.entries(s.labels), s.samples]);

describe('Class: OtlpLabelCache', () => {
  it('translates requests exactly as without a cache, also when it starts over', () => {
    // Prepare
    const sizes = [2, 1_000];

    // Act & Assess
    fc.assert(
      fc.property(fc.array(fc.tuple(request, config), { minLength: 1, maxLength: 12 }), (reqs) => {
        for (const max of sizes) {
          const shared = new OtlpLabelCache(max);
          for (const [req, cfg] of reqs) {
            expect(exact(req, cfg, shared)).toEqual(exact(req, cfg, new OtlpLabelCache(1_000)));
            expect(shared.size).toBeLessThanOrEqual(max);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('hands out the same interned, sorted labels for a series the next request repeats', () => {
    // Prepare
    const cache = new OtlpLabelCache(100);
    const req = (v: number): ExportMetricsServiceRequest => ({
      resourceMetrics: [
        {
          resource: { attributes: [str('service.name', 'api'), str('host.name', 'gpu-1')] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'queue.depth',
                  gauge: {
                    dataPoints: [
                      {
                        attributes: [str('zone', 'a'), str('az', 'b')],
                        timeUnixNano: T_NS,
                        asInt: v,
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });

    // Act
    const first = translateMetrics(req(1), DEFAULT_OTLP_CONFIG, cache).series[0];
    const second = translateMetrics(req(2), DEFAULT_OTLP_CONFIG, cache).series[0];

    // Assess
    expect(second?.labels).toBe(first?.labels);
    expect(Object.keys(second?.labels ?? {})).toEqual(['__name__', 'az', 'job', 'zone']);
    expect(second?.samples).toEqual([{ t: 1764000000123, v: 2 }]);
    expect(internedFacts(second?.labels as Record<string, string>)?.key).toBe(
      seriesKey({ __name__: 'queue_depth', az: 'b', job: 'api', zone: 'a' }),
    );
  });

  it('tells apart attributes whose keys and values only split differently', () => {
    // Prepare
    const cache = new OtlpLabelCache(100);
    const gauge = (attrs: KeyValue[]): ExportMetricsServiceRequest => ({
      resourceMetrics: [
        {
          resource: { attributes: [str('service.name', 'api')] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'up',
                  gauge: { dataPoints: [{ attributes: attrs, timeUnixNano: T_NS, asInt: 1 }] },
                },
              ],
            },
          ],
        },
      ],
    });
    const splits = [
      [str('ab', 'c')],
      [str('a', 'bc')],
      [str('a', 'b'), str('c', 'd')],
      [str('a', 'bc'), str('d', '')],
      [str('a1', '1:x')],
    ];

    // Act
    const labels = splits.map(
      (attrs) => translateMetrics(gauge(attrs), DEFAULT_OTLP_CONFIG, cache).series[0]?.labels,
    );

    // Assess
    expect(labels).toEqual([
      { __name__: 'up', ab: 'c', job: 'api' },
      { __name__: 'up', a: 'bc', job: 'api' },
      { __name__: 'up', a: 'b', c: 'd', job: 'api' },
      { __name__: 'up', a: 'bc', d: '', job: 'api' },
      { __name__: 'up', a1: '1:x', job: 'api' },
    ]);
  });

  it('keeps labels with an empty value as translated, not interned', () => {
    // Prepare
    const cache = new OtlpLabelCache(100);
    const req: ExportMetricsServiceRequest = {
      resourceMetrics: [
        {
          resource: { attributes: [str('service.name', 'api')] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'up',
                  gauge: {
                    dataPoints: [{ attributes: [str('zone', '')], timeUnixNano: T_NS, asInt: 1 }],
                  },
                },
              ],
            },
          ],
        },
      ],
    };

    // Act
    const [series] = translateMetrics(req, DEFAULT_OTLP_CONFIG, cache).series;

    // Assess
    expect(series?.labels).toEqual({ zone: '', job: 'api', __name__: 'up' });
    expect(internedFacts(series?.labels as Record<string, string>)).toBeUndefined();
  });

  it('holds at most its bound of label sets, starting over when full', () => {
    // Prepare
    const cache = new OtlpLabelCache(50);
    const req = (route: number): ExportMetricsServiceRequest => ({
      resourceMetrics: [
        {
          resource: { attributes: [str('service.name', 'api')] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'requests',
                  sum: {
                    aggregationTemporality: 2,
                    isMonotonic: true,
                    dataPoints: [
                      { attributes: [str('route', `/r${route}`)], timeUnixNano: T_NS, asInt: 1 },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });

    // Act
    const sizes = Array.from({ length: 120 }, (_, i) => {
      translateMetrics(req(i), DEFAULT_OTLP_CONFIG, cache);
      return cache.size;
    });

    // Assess
    expect(Math.max(...sizes)).toBe(50);
    expect(sizes[119]).toBe(120 % 50);
  });
});
