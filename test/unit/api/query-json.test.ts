import fc from 'fast-check';
import {
  formatSampleValue,
  formatTimestamp,
  goEscapeHtml,
  queryDataJson,
  queryResponseJson,
  successJson,
} from '../../../lambdas/api/query-json';
import {
  jsonStringBytes,
  ResponseBudget,
  ResponseHint,
} from '../../../lambdas/api/response-budget';
import { DEFAULT_LIMITS } from '../../../lambdas/domain/config/defaults';
import type { QueryValue } from '../../../lambdas/domain/promql';
import { ResponseTooLargeError } from '../../../lambdas/domain/errors';
import { columnRangeSeries } from '../../../lambdas/domain/promql/values';

describe('Function: formatSampleValue', () => {
  it.each([
    [1, '1'],
    [0.1, '0.1'],
    [-2.5, '-2.5'],
    [-0, '-0'],
    [1e21, '1000000000000000000000'],
    [1.5e22, '15000000000000000000000'],
    [1e-7, '0.0000001'],
    [-1.25e-10, '-0.000000000125'],
    [123456789012345680000, '123456789012345680000'],
    [Number.MAX_VALUE, `17976931348623157${'0'.repeat(292)}`],
    [5e-324, `0.${'0'.repeat(323)}5`],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
  ])('formats %p as Go strconv.FormatFloat(v, f, -1, 64): %s', (v, text) => {
    // Act & Assess
    expect(formatSampleValue(v)).toBe(text);
  });

  it('round-trips every finite double without an exponent', () => {
    // Assess
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const text = formatSampleValue(v);
        expect(text).not.toMatch(/e/i);
        expect(Object.is(Number(text), v)).toBe(true);
      }),
    );
  });
});

describe('Function: formatTimestamp', () => {
  it.each([
    [0, '0'],
    [1_000, '1'],
    [1_500, '1.500'],
    [1_435_781_451_781, '1435781451.781'],
    [1_050, '1.050'],
    [1_001, '1.001'],
    [-1, '-0.001'],
    [-1_500, '-1.500'],
  ])('formats %i ms as %s', (ms, text) => {
    // Act & Assess
    expect(formatTimestamp(ms)).toBe(text);
  });
});

describe('Function: queryDataJson', () => {
  it('sorts label names and keeps the result type', () => {
    // Act
    const json = queryDataJson({
      type: 'vector',
      samples: [{ labels: { z: '1', __name__: 'm', a: '2' }, t: 1_000, v: 3 }],
    });

    // Assess
    expect(json).toBe(
      '{"resultType":"vector","result":[{"metric":{"__name__":"m","a":"2","z":"1"},"value":[1,"3"]}]}',
    );
  });

  it('writes a matrix the engine built from columns as the same points written as objects', () => {
    // Prepare
    const ts = [1_000, 61_500, 122_001, 182_999];
    const vs = [-0, Number.NaN, 1e21, Number.NEGATIVE_INFINITY];
    const fromColumns = columnRangeSeries({ __name__: 'm', job: 'a<b' }, ts, vs);
    const fromObjects = { labels: fromColumns.labels, points: [...fromColumns.points] };

    // Act
    const json = queryDataJson({ type: 'matrix', series: [fromColumns] });

    // Assess
    expect(json).toBe(queryDataJson({ type: 'matrix', series: [fromObjects] }));
    expect(json).toBe(
      '{"resultType":"matrix","result":[{"metric":{"__name__":"m","job":"a\\u003cb"},"values":[[1,"-0"],[61.500,"NaN"],[122.001,"1000000000000000000000"],[182.999,"-Inf"]]}]}',
    );
  });

  it('writes an empty matrix as an empty list', () => {
    // Act & Assess
    expect(queryDataJson({ type: 'matrix', series: [] })).toBe(
      '{"resultType":"matrix","result":[]}',
    );
  });
});

describe('Function: goEscapeHtml', () => {
  it('escapes <, >, &, U+2028 and U+2029 as Go encoding/json does', () => {
    // Act & Assess
    expect(goEscapeHtml(JSON.stringify('a<b>&\u2028\u2029'))).toBe(
      '"a\\u003cb\\u003e\\u0026\\u2028\\u2029"',
    );
  });
});

describe('Function: queryResponseJson', () => {
  const unlimited = () => new ResponseBudget(Number.MAX_SAFE_INTEGER, ResponseHint.Query);

  it.each<[string, QueryValue]>([
    [
      'vector',
      {
        type: 'vector',
        samples: [
          { labels: { __name__: 'm', path: '/a?b=<c>&d' }, t: 1_500, v: Number.NaN },
          { labels: { __name__: 'm', note: 'x\u2028y"z' }, t: 2_000, v: 1e21 },
        ],
      },
    ],
    [
      'matrix',
      {
        type: 'matrix',
        series: [
          {
            labels: { job: 'a&b' },
            points: [
              { t: 0, v: 1 },
              { t: 15_000, v: -0 },
            ],
          },
          { labels: { job: 'c' }, points: [{ t: 1, v: Number.POSITIVE_INFINITY }] },
        ],
      },
    ],
    ['series-less matrix', { type: 'matrix', series: [] }],
    ['scalar', { type: 'scalar', t: 1_000, v: 0.1 }],
    ['string', { type: 'string', t: 1_000, v: '<b>&' }],
  ])('writes a %s response as successJson(queryDataJson(...)) does', (_what, value) => {
    // Prepare
    const warnings = ['PromQL warning: <possible> & "quoted"'];
    const infos = ['PromQL info: metric might not be a counter'];

    // Act
    const json = queryResponseJson(value, warnings, infos, unlimited());

    // Assess
    expect(json).toBe(successJson(queryDataJson(value), warnings, infos));
    expect(() => JSON.parse(json)).not.toThrow();
  });

  it('writes any vector as Prometheus JSON: sorted labels, seconds, string values, no raw <>&', () => {
    // Assess
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            labels: fc.dictionary(
              // Label names: a letter, then letters, digits, `_` (never integer-like keys).
              fc
                .string({ unit: fc.constantFrom(...'aZ_09'), maxLength: 8 })
                .map((rest) => `l${rest}`),
              fc.string({ unit: 'binary', maxLength: 20 }),
            ),
            t: fc.integer({ min: 0, max: 4_102_444_800_000 }),
            v: fc.double(),
          }),
          { maxLength: 5 },
        ),
        (samples) => {
          const json = queryResponseJson({ type: 'vector', samples }, [], [], unlimited());
          const parsed = JSON.parse(json) as {
            data: { result: { metric: Record<string, string> }[] };
          };
          expect(parsed).toEqual({
            status: 'success',
            data: {
              resultType: 'vector',
              result: samples.map((s) => ({
                metric: s.labels,
                value: [s.t / 1000, formatSampleValue(s.v)],
              })),
            },
          });
          for (const r of parsed.data.result)
            expect(Object.keys(r.metric)).toEqual(Object.keys(r.metric).sort());
          expect(json).not.toMatch(/[<>&\u2028\u2029]/);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a matrix as soon as the budget is spent, within one series of the limit', () => {
    // Prepare: 10,000 series of 60 points, about 2.2 kB each: a 22 MB body.
    const value: QueryValue = {
      type: 'matrix',
      series: Array.from({ length: 10_000 }, (_, i) => ({
        labels: { __name__: 'http_requests_total', pod: `pod-${String(i).padStart(5, '0')}` },
        points: Array.from({ length: 60 }, (_, j) => ({
          t: 1_764_086_400_000 + j * 60_000,
          v: 1000 + j,
        })),
      })),
    };
    const sizeWith = (n: number) =>
      jsonStringBytes(
        successJson(queryDataJson({ type: 'matrix', series: value.series.slice(0, n) })),
      );
    const perSeries = sizeWith(2) - sizeWith(1);
    const limit = 100_000;
    const budget = new ResponseBudget(limit, ResponseHint.QueryRange);

    // Act
    let error: unknown;
    try {
      queryResponseJson(value, [], [], budget);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    const done = Number(/after (\d+) of 10000 series/.exec((error as Error).message)?.[1]);
    expect(sizeWith(done)).toBeLessThanOrEqual(limit);
    expect(sizeWith(done + 1)).toBeGreaterThan(limit);
    expect(budget.usedBytes).toBeGreaterThan(limit);
    expect(budget.usedBytes).toBeLessThanOrEqual(limit + perSeries);
  });

  it('refuses a 15 MB matrix at the default limit having encoded only the limit and one series', () => {
    // Prepare: 300 series × 1,441 points (24 h at 1 m), values as rate() gives them.
    const value: QueryValue = {
      type: 'matrix',
      series: Array.from({ length: 300 }, (_, i) => ({
        labels: { __name__: 'http_requests_total', instance: `10.0.${i >> 8}.${i & 255}:9100` },
        points: Array.from({ length: 1_441 }, (_, j) => ({
          t: 1_764_000_000_000 + j * 60_000,
          v: (i + 1) / 3 + j / 7,
        })),
      })),
    };
    const oneSeries = jsonStringBytes(
      queryDataJson({ type: 'matrix', series: value.series.slice(0, 1) }),
    );
    const budget = new ResponseBudget(DEFAULT_LIMITS.maxResponseBytes, ResponseHint.QueryRange);

    // Act & Assess
    expect(() => queryResponseJson(value, [], [], budget)).toThrow(
      /^response larger than the limit of 5242880 bytes \(limits\.maxResponseBytes\) after \d+ of 300 series: /,
    );
    expect(budget.usedBytes).toBeGreaterThan(DEFAULT_LIMITS.maxResponseBytes);
    expect(budget.usedBytes).toBeLessThan(DEFAULT_LIMITS.maxResponseBytes + oneSeries);
  });
});
