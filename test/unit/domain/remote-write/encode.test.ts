import fc from 'fast-check';
import {
  decodeWriteRequest,
  decodeWriteRequestProto,
  encodeWriteRequest,
  type RemoteWriteMetadata,
  type RemoteWriteSeriesInput,
  snappyCompress,
} from '../../../../lambdas/domain/remote-write';
import { normalizeLabels } from '../../../../lambdas/domain/series/labels';
import { buildRemoteWriteRequest } from '../../../helpers/remote-write-client';
import { bitsOf, hex } from './wire';

const OPTS = { maxDecompressedBytes: 32 * 1024 * 1024 };

/** Series as arbitrary as remote_write allows: valid names, any UTF-8 values, any float64. */
const seriesArb: fc.Arbitrary<RemoteWriteSeriesInput> = fc.record({
  labels: fc
    .tuple(
      fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/),
      fc.dictionary(
        fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,15}$/).filter((n) => n !== '__name__'),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        { maxKeys: 6 },
      ),
    )
    .map(([name, rest]) => ({ ...rest, __name__: name })),
  samples: fc.array(
    fc.record({
      t: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      v: fc.oneof(fc.double(), fc.constant(Number.NaN), fc.constant(-0)),
    }),
    { maxLength: 8 },
  ),
});

const metadataArb: fc.Arbitrary<RemoteWriteMetadata> = fc.record({
  metricFamilyName: fc.string({ maxLength: 20 }),
  type: fc.constantFrom(
    'unknown',
    'counter',
    'gauge',
    'histogram',
    'gaugehistogram',
    'summary',
    'info',
    'stateset',
  ),
  help: fc.string({ unit: 'grapheme', maxLength: 40 }),
  unit: fc.string({ maxLength: 10 }),
});

/** Comparable form: labels normalized, values as bit patterns so NaN payloads and -0 count. */
const comparable = (series: readonly RemoteWriteSeriesInput[]) =>
  series.map((s) => ({
    labels: normalizeLabels(s.labels),
    samples: s.samples.map((x) => ({ t: x.t, bits: bitsOf(x.v) })),
  }));

describe('Function: encodeWriteRequest', () => {
  it('writes the bytes Prometheus writes for one series (fields in order, defaults omitted)', () => {
    // Prepare
    const series = [
      { labels: { job: 'api', __name__: 'up', env: '' }, samples: [{ t: 1000, v: 1 }] },
    ];

    // Act
    const proto = encodeWriteRequest(series);

    // Assess: the same 44 bytes as the hand-assembled request in decode.test.ts
    expect(hex(proto)).toBe(
      '0a2a' +
        '0a0e0a085f5f6e616d655f5f12027570' +
        '0a0a0a036a6f621203617069' +
        '120c09000000000000f03f10e807',
    );
  });

  it('omits a zero value and a zero timestamp, and writes negative timestamps in 10 bytes', () => {
    // Act
    const zero = encodeWriteRequest([{ labels: { __name__: 'a' }, samples: [{ t: 0, v: 0 }] }]);
    const negative = encodeWriteRequest([
      { labels: { __name__: 'a' }, samples: [{ t: -1, v: 0 }] },
    ]);

    // Assess: label __name__="a" is 0a 0d <0a 08 "__name__" 12 01 "a">; an empty Sample is 12 00;
    // timestamp -1 is 10 ff ff ff ff ff ff ff ff ff 01 (two's complement, 64 bits)
    expect(hex(zero)).toBe('0a11' + '0a0d0a085f5f6e616d655f5f120161' + '1200');
    expect(hex(negative)).toBe(
      '0a1c' + '0a0d0a085f5f6e616d655f5f120161' + '120b10ffffffffffffffffff01',
    );
  });

  it('writes metadata (field 3) with the enum number of its type', () => {
    // Act
    const proto = encodeWriteRequest(
      [],
      [{ metricFamilyName: 'x', type: 'summary', help: '', unit: 's' }],
    );

    // Assess: 1a len | 08 05 (SUMMARY = 5) | 12 01 "x" | 2a 01 "s"
    expect(hex(proto)).toBe('1a0808051201782a0173');
  });

  it('writes what it is given, invalid labels included, so decoder errors can be tested', () => {
    // Prepare
    const proto = encodeWriteRequest([{ labels: { '': 'x', __name__: 'up' }, samples: [] }]);

    // Act & Assess
    expect(() => decodeWriteRequestProto(proto)).toThrow(
      'series 0 {="x", __name__="up"}: empty label name',
    );
  });

  it('round-trips through decodeWriteRequest (snappy included), bit-exact', () => {
    fc.assert(
      fc.property(
        fc.array(seriesArb, { maxLength: 10 }),
        fc.array(metadataArb, { maxLength: 3 }),
        (series, metadata) => {
          // Act
          const decoded = decodeWriteRequest(
            snappyCompress(encodeWriteRequest(series, metadata)),
            OPTS,
          );

          // Assess
          expect(comparable(decoded.series)).toEqual(comparable(series));
          expect(decoded.metadata).toEqual(metadata);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips a large request through the test client helper', () => {
    // Prepare
    const series = Array.from({ length: 1000 }, (_, i) => ({
      labels: { __name__: 'gpu_utilization', gpu: String(i % 8), instance: `node-${i}` },
      samples: [{ t: 1_700_000_000_000 + i, v: i / 7 }],
    }));

    // Act
    const { body, headers } = buildRemoteWriteRequest(series);
    const decoded = decodeWriteRequestProto(encodeWriteRequest(series));

    // Assess
    expect(headers['Content-Encoding']).toBe('snappy');
    expect(decodeWriteRequest(body, OPTS).series).toEqual(decoded.series);
    expect(decoded.series).toEqual(
      series.map((s) => ({ ...s, labels: normalizeLabels(s.labels) })),
    );
  });
});
