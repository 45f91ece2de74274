import fc from 'fast-check';
import {
  parseMetric,
  parseSeriesDescription,
  parseSeriesValues,
  SeriesNotationError,
} from '../../../../lambdas/domain/promql/series-notation';
import { isStaleNaN } from '../../../../lambdas/domain/series/sample';

describe('Feature: series notation of input_series', () => {
  it('expands a+bxn, a-bxn, axn, _, _xn and stale', () => {
    // Act
    const values = parseSeriesValues('1+2x2 10-1x1 7x2 _ _x2 stale');

    // Assess
    expect(values.slice(0, 10)).toEqual([1, 3, 5, 10, 9, 7, 7, 7, null, null]);
    expect(values[10]).toBeNull();
    expect(isStaleNaN(values[11] as number)).toBe(true);
    expect(values).toHaveLength(12);
  });

  it('reads Inf, NaN, exponents and negative numbers', () => {
    // Act
    const values = parseSeriesValues('Inf -Inf 1e3 -0.5');

    // Assess
    expect(values).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1000, -0.5]);
    expect(Number.isNaN(parseSeriesValues('NaN')[0])).toBe(true);
  });

  it('rejects what is not expanding notation', () => {
    // Act & Assess
    expect(() => parseSeriesValues('1+x3')).toThrow(SeriesNotationError);
    expect(() => parseSeriesValues('abc')).toThrow('invalid value "abc"');
  });

  it('parses a series description and a metric', () => {
    // Act
    const desc = parseSeriesDescription('up{job="a", instance="b:1"} 1 2');

    // Assess
    expect(desc).toEqual({ labels: { __name__: 'up', instance: 'b:1', job: 'a' }, rest: ' 1 2' });
    expect(parseMetric('{}')).toEqual({});
    expect(parseMetric('{__name__="x", a="1"}')).toEqual({ __name__: 'x', a: '1' });
    expect(() => parseMetric('up{a="1"} 3')).toThrow(SeriesNotationError);
    expect(() => parseMetric('up{a="1"')).toThrow(SeriesNotationError);
  });

  it('throws only SeriesNotationError on random input', () => {
    // Assess
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseSeriesValues(text);
          parseMetric(text);
        } catch (err) {
          if (!(err instanceof SeriesNotationError)) throw err;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
