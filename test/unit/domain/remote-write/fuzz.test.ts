import fc from 'fast-check';
import {
  decodeWriteRequest,
  decodeWriteRequestProto,
  encodeWriteRequest,
  RemoteWriteDecodeError,
  snappyCompress,
} from '../../../../lambdas/domain/remote-write';
import { bytes, label, ld, sample, snappyLiterals, timeSeries } from './wire';

const OPTS = { maxDecompressedBytes: 1 << 20, maxSamples: 10_000 };

/** Runs the decoder; anything thrown must be our error class. */
const decodesOrThrowsOurError = (decode: () => unknown): void => {
  try {
    decode();
  } catch (e) {
    if (!(e instanceof RemoteWriteDecodeError)) throw e;
  }
};

/** A valid uncompressed WriteRequest with labels, samples, exemplars, metadata and unknown fields. */
const VALID_PROTO = bytes(
  timeSeries(
    label('__name__', 'http_requests_total'),
    label('code', '200'),
    label('job', 'api'),
    sample(1027, 1_700_000_000_000),
    sample(Number.NaN, 1_700_000_015_000),
    ld(3, label('trace_id', 'abc'), [0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]),
  ),
  timeSeries(label('__name__', 'up'), sample(1, -5), [0x78, 0x01]),
  ld(
    3,
    [0x08, 0x01],
    ld(
      2,
      'http_requests_total'.split('').map((c) => c.charCodeAt(0)),
    ),
  ),
);

const VALID_BODY = snappyCompress(
  encodeWriteRequest(
    Array.from({ length: 20 }, (_, i) => ({
      labels: { __name__: 'model_latency_seconds', model: `m${i % 3}`, le: String(i) },
      samples: [{ t: 1_700_000_000_000 + i, v: i * 0.25 }],
    })),
  ),
);

/** Byte-level edits: overwrite, insert, delete, truncate. */
const mutationArb = fc.oneof(
  fc.record({
    op: fc.constant('set' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), byte: fc.constant(0) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat(), byte: fc.constant(0) }),
);

const mutate = (
  input: Uint8Array,
  edits: readonly { op: 'set' | 'insert' | 'delete' | 'truncate'; at: number; byte: number }[],
): Uint8Array => {
  let out = Array.from(input);
  for (const { op, at, byte } of edits) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (op === 'set') out[i] = byte;
    else if (op === 'insert') out.splice(i, 0, byte);
    else if (op === 'delete') out.splice(i, 1);
    else out = out.slice(0, i);
  }
  return Uint8Array.from(out);
};

describe('Feature: remote write decoding never fails with anything but RemoteWriteDecodeError', () => {
  it('accepts the unmutated fixtures', () => {
    // Act
    const fromProto = decodeWriteRequestProto(VALID_PROTO);
    const fromBody = decodeWriteRequest(VALID_BODY, OPTS);

    // Assess
    expect(fromProto.series).toHaveLength(2);
    expect(fromProto.metadata).toEqual([
      { metricFamilyName: 'http_requests_total', type: 'counter', help: '', unit: '' },
    ]);
    expect(fromBody.series).toHaveLength(20);
  });

  it('on random bodies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (body) => {
        decodesOrThrowsOurError(() => decodeWriteRequest(body, OPTS));
      }),
      { numRuns: 2000 },
    );
  });

  it('on random protobuf bytes wrapped in valid snappy', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (proto) => {
        decodesOrThrowsOurError(() => decodeWriteRequest(snappyLiterals(proto), OPTS));
      }),
      { numRuns: 2000 },
    );
  });

  it('on mutations of a valid compressed body', () => {
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (edits) => {
        decodesOrThrowsOurError(() => decodeWriteRequest(mutate(VALID_BODY, edits), OPTS));
      }),
      { numRuns: 2000 },
    );
  });

  it('on mutations of a valid WriteRequest', () => {
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (edits) => {
        decodesOrThrowsOurError(() => decodeWriteRequestProto(mutate(VALID_PROTO, edits)));
      }),
      { numRuns: 3000 },
    );
  });
});
