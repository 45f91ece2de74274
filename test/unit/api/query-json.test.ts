import fc from 'fast-check';
import {
  formatSampleValue,
  formatTimestamp,
  goEscapeHtml,
  queryDataJson,
} from '../../../lambdas/api/query-json';

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
