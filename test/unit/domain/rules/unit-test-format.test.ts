import {
  formatFloatE,
  formatGoDuration,
  formatLabels,
  formatModelDuration,
  goQuote,
} from '../../../../lambdas/domain/rules/unit-test-format';

describe('Feature: Go text forms in promtool reports', () => {
  it.each([
    [1, '1E+00'],
    [0.3, '3E-01'],
    [0.1 + 0.2, '3.0000000000000004E-01'],
    [120, '1.2E+02'],
    [1e-300, '1E-300'],
    [0, '0E+00'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [-2.5, '-2.5E+00'],
  ])('formats %p like strconv.FormatFloat(v, E, -1, 64) as %s', (v, want) => {
    // Act & Assess
    expect(formatFloatE(v)).toBe(want);
  });

  it.each([
    [0, '0s'],
    [5 * 60_000, '5m'],
    [90 * 60_000, '1h30m'],
    [24 * 3_600_000, '1d'],
    [14 * 24 * 3_600_000, '2w'],
    [90_500, '1m30s500ms'],
  ])('formats %p ms like model.Duration as %s', (ms, want) => {
    // Act & Assess
    expect(formatModelDuration(ms)).toBe(want);
  });

  it.each([
    [0, '0s'],
    [500, '500ms'],
    [300_000, '5m0s'],
    [3_600_000, '1h0m0s'],
    [1500, '1.5s'],
  ])('formats %p ms like time.Duration as %s', (ms, want) => {
    // Act & Assess
    expect(formatGoDuration(ms)).toBe(want);
  });

  it('formats labels like labels.Labels.String, sorted and Go-quoted', () => {
    // Act
    const text = formatLabels({ b: 'x"y', a: 'tab\there', __name__: 'm' });

    // Assess
    expect(text).toBe('{__name__="m", a="tab\\there", b="x\\"y"}');
    expect(formatLabels({})).toBe('{}');
  });

  it('quotes like strconv.Quote: printable unicode kept, control characters escaped', () => {
    // Act & Assess
    expect(goQuote('é\u0001\u007f\\')).toBe('"é\\x01\\x7f\\\\"');
  });
});
