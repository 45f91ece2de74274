import Long from 'long';
import { anyValueString, nanosToMs } from '../../../../lambdas/domain/otlp/attributes';

describe('Function: nanosToMs', () => {
  it.each([
    ['1764000000123999999', 1764000000123],
    ['1764000000124000000', 1764000000124],
    ['999999', 0],
    ['18446744073709551615', 18446744073709],
  ])('truncates %s ns to %d ms from a Long, a string and a number alike', (ns, ms) => {
    // Act
    const out = [
      nanosToMs(Long.fromString(ns, true)),
      nanosToMs(ns),
      nanosToMs(Number(ns) < 2 ** 53 ? Number(ns) : ns),
    ];

    // Assess
    expect(out).toEqual([ms, ms, ms]);
  });
});

describe('Function: anyValueString', () => {
  it('writes values as pdata AsString does', () => {
    // Act
    const out = [
      anyValueString({ stringValue: 'x' }),
      anyValueString({ boolValue: false }),
      anyValueString({ intValue: Long.fromString('-9007199254740993') }),
      anyValueString({ doubleValue: 1e21 }),
      anyValueString({ arrayValue: { values: [{ intValue: 1 }, { stringValue: 'a' }] } }),
      anyValueString({ kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }),
      anyValueString({ bytesValue: new Uint8Array([1, 2]) }),
      anyValueString({}),
    ];

    // Assess
    expect(out).toEqual([
      'x',
      'false',
      '-9007199254740993',
      '1000000000000000000000',
      '[1,"a"]',
      '{"k":true}',
      'AQI=',
      '',
    ]);
  });
});
