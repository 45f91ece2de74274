import {
  formatGoFloat,
  formatOpenMetricsFloat,
  formatSampleValue,
  parseGoInt64,
} from '../../../../lambdas/domain/exposition';

describe('Go number formatting', () => {
  it.each([
    [1, '1'],
    [-1, '-1'],
    [0.1, '0.1'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [123456, '123456'],
    [999999.5, '999999.5'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [8589934592, '8.589934592e+09'],
    [1722333000.123, '1.722333000123e+09'],
    [1e100, '1e+100'],
    [-2.5e-300, '-2.5e-300'],
    [5e-324, '5e-324'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [-0, '-0'],
  ])('formats %p as strconv.FormatFloat(v, g, -1, 64): %s', (v, expected) => {
    // Act & Assess
    expect(formatGoFloat(v)).toBe(expected);
  });

  it('writes -0 as 0 in sample values, as expfmt writeFloat does', () => {
    // Act & Assess
    expect(formatSampleValue(-0)).toBe('0');
  });

  it.each([
    [1, '1.0'],
    [0, '0.0'],
    [64, '64.0'],
    [0.005, '0.005'],
    [1e6, '1e+06'],
    [Number.POSITIVE_INFINITY, '+Inf'],
  ])('formats %p as Prometheus FormatOpenMetricsFloat: %s', (v, expected) => {
    // Act & Assess
    expect(formatOpenMetricsFloat(v)).toBe(expected);
  });

  it.each([
    ['9223372036854775807', 2 ** 63],
    ['-9223372036854775808', -(2 ** 63)],
    ['9223372036854775808', undefined],
    ['', undefined],
    ['-', undefined],
    ['1e3', undefined],
  ])('parses %j as strconv.ParseInt(s, 10, 64)', (s, expected) => {
    // Act & Assess
    expect(parseGoInt64(s)).toBe(expected);
  });
});
