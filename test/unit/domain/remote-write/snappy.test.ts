import fc from 'fast-check';
import { compress } from 'snappyjs';
import {
  RemoteWriteDecodeError,
  readSnappyPreamble,
  snappyCompress,
  snappyDecompress,
} from '../../../../lambdas/domain/remote-write';
import { bytes, snappyLiterals, str } from './wire';

const MAX = 32 * 1024 * 1024;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const snappyError = (fn: () => unknown): RemoteWriteDecodeError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof RemoteWriteDecodeError) return e;
    throw e;
  }
  throw new Error('expected a RemoteWriteDecodeError');
};

describe('Function: snappyDecompress', () => {
  describe('block format elements', () => {
    it('decodes a literal with a 6-bit length', () => {
      // Prepare: preamble 3, tag (3-1)<<2 = 0x08, "abc"
      const body = bytes(0x03, 0x08, str('abc'));

      // Act
      const out = snappyDecompress(body, MAX);

      // Assess
      expect(text(out)).toBe('abc');
    });

    it('decodes literals with 1- and 2-byte lengths (tags 60 and 61)', () => {
      // Prepare
      const short = new Uint8Array(200).fill(0x61);
      const long = new Uint8Array(1000).fill(0x62);

      // Act
      const a = snappyDecompress(bytes([0xc8, 0x01], 0xf0, 199, short), MAX);
      const b = snappyDecompress(bytes([0xe8, 0x07], 0xf4, 0xe7, 0x03, long), MAX);

      // Assess
      expect(a).toEqual(short);
      expect(b).toEqual(long);
    });

    it('decodes literals with 3- and 4-byte lengths (tags 62 and 63)', () => {
      // Prepare
      const data = new Uint8Array(5).fill(0x63);

      // Act
      const a = snappyDecompress(bytes(0x05, 0xf8, 0x04, 0x00, 0x00, data), MAX);
      const b = snappyDecompress(bytes(0x05, 0xfc, 0x04, 0x00, 0x00, 0x00, data), MAX);

      // Assess
      expect(a).toEqual(data);
      expect(b).toEqual(data);
    });

    it('decodes an overlapping 1-byte-offset copy (a run)', () => {
      // Prepare: "abc" then copy len 6 offset 3: tag 0x01 | (6-4)<<2 = 0x09, offset byte 3
      const body = bytes(0x09, 0x08, str('abc'), 0x09, 0x03);

      // Act
      const out = snappyDecompress(body, MAX);

      // Assess
      expect(text(out)).toBe('abcabcabc');
    });

    it('decodes 2- and 4-byte-offset copies', () => {
      // Prepare: "abcd" then copy len 4 offset 4, as tag 0x02 | (4-1)<<2 = 0x0e and as 0x0f
      const two = bytes(0x08, 0x0c, str('abcd'), 0x0e, 0x04, 0x00);
      const four = bytes(0x08, 0x0c, str('abcd'), 0x0f, 0x04, 0x00, 0x00, 0x00);

      // Act & Assess
      expect(text(snappyDecompress(two, MAX))).toBe('abcdabcd');
      expect(text(snappyDecompress(four, MAX))).toBe('abcdabcd');
    });

    it('decodes an empty block', () => {
      // Act
      const out = snappyDecompress(bytes(0x00), MAX);

      // Assess
      expect(out).toHaveLength(0);
    });

    it('decodes what snappyjs compresses, copies included', () => {
      // Prepare
      const data = str('http_requests_total{code="200",job="api"} '.repeat(500));

      // Act
      const compressed = compress(data);
      const out = snappyDecompress(compressed, MAX);

      // Assess
      expect(compressed.length).toBeLessThan(data.length / 10);
      expect(out).toEqual(data);
    });
  });

  describe('limits', () => {
    it('refuses a 30-byte body claiming 4 GiB before allocating', () => {
      // Prepare: preamble 2^32 = 80 80 80 80 10, then 25 bytes of junk
      const bomb = bytes([0x80, 0x80, 0x80, 0x80, 0x10], new Uint8Array(25));

      // Act
      const error = snappyError(() => snappyDecompress(bomb, MAX));

      // Assess
      expect(bomb).toHaveLength(30);
      expect(error.kind).toBe('too_large');
      expect(error.message).toBe(
        'decompressed body would be 4294967296 bytes, more than the limit of 33554432 bytes',
      );
    });

    it('accepts exactly the limit and refuses one byte more', () => {
      // Prepare
      const data = new Uint8Array(100).fill(7);
      const body = snappyCompress(data);

      // Act
      const out = snappyDecompress(body, 100);
      const error = snappyError(() => snappyDecompress(body, 99));

      // Assess
      expect(out).toEqual(data);
      expect(error.kind).toBe('too_large');
      expect(error.message).toBe(
        'decompressed body would be 100 bytes, more than the limit of 99 bytes',
      );
    });

    it('refuses an announced size the body cannot expand to, under the limit', () => {
      // Prepare: 1 MiB announced from 3 bytes of elements (at most 64 bytes)
      const body = bytes([0x80, 0x80, 0x40], 0x00, 0x41, 0x00);

      // Act
      const error = snappyError(() => snappyDecompress(body, MAX));

      // Assess
      expect(error.kind).toBe('snappy');
      expect(error.message).toBe(
        'invalid snappy block at byte 0: announced length 1048576 cannot come from 6 bytes',
      );
    });
  });

  describe('corrupt input', () => {
    it.each([
      ['an empty body', bytes(), 'invalid snappy block at byte 0: empty body'],
      [
        'an unterminated preamble',
        bytes(0x80, 0x80),
        'invalid snappy block at byte 0: unterminated length preamble',
      ],
      [
        'a literal running past the body',
        bytes(0x05, 0x10, 0x41),
        'invalid snappy block at byte 1: literal of 5 bytes overruns the body',
      ],
      [
        'a literal longer than announced',
        bytes(0x01, 0x04, 0x41, 0x42),
        'invalid snappy block at byte 1: literal overruns the announced length',
      ],
      [
        'a truncated literal length',
        bytes(0x05, 0xf4, 0x04),
        'invalid snappy block at byte 1: truncated literal length',
      ],
      [
        'a copy with offset 0',
        bytes(0x05, 0x00, 0x41, 0x01, 0x00),
        'invalid snappy block at byte 3: copy offset 0 is outside the output',
      ],
      [
        'a copy reaching before the output',
        bytes(0x05, 0x00, 0x41, 0x01, 0x02),
        'invalid snappy block at byte 3: copy offset 2 is outside the output',
      ],
      [
        'a copy past the announced length',
        bytes(0x03, 0x00, 0x41, 0x01, 0x01),
        'invalid snappy block at byte 3: copy overruns the announced length',
      ],
      [
        'a truncated 1-byte-offset copy',
        bytes(0x05, 0x00, 0x41, 0x01),
        'invalid snappy block at byte 3: truncated copy',
      ],
      [
        'a truncated 2-byte-offset copy',
        bytes(0x05, 0x00, 0x41, 0x02, 0x01),
        'invalid snappy block at byte 3: truncated copy',
      ],
      [
        'a truncated 4-byte-offset copy',
        bytes(0x05, 0x00, 0x41, 0x03, 0x01, 0x00, 0x00),
        'invalid snappy block at byte 3: truncated copy',
      ],
      [
        'output shorter than announced',
        bytes(0x05, 0x00, 0x41),
        'invalid snappy block at byte 3: decompressed to 1 bytes, the preamble announced 5',
      ],
      [
        'the framed format (stream identifier chunk)',
        bytes(0xff, 0x06, 0x00, 0x00, str('sNaPpY')),
        'invalid snappy block at byte 0: announced length 895 cannot come from 10 bytes',
      ],
      [
        'a 4-byte literal length with the top bit set (snappyjs 0.7 loops forever on it)',
        bytes(0x05, 0xfc, 0xfa, 0xff, 0xff, 0xff, 0x41),
        'invalid snappy block at byte 1: literal of 4294967291 bytes overruns the body',
      ],
    ])('rejects %s', (_name, body, message) => {
      // Act
      const error = snappyError(() => snappyDecompress(body, MAX));

      // Assess
      expect(error.kind).toBe('snappy');
      expect(error.message).toBe(message);
    });

    it('refuses a preamble above 2^32-1 even when the limit allows it', () => {
      // Prepare: 2^35 announced
      const body = bytes([0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 0x00);

      // Act
      const error = snappyError(() => snappyDecompress(body, Number.MAX_SAFE_INTEGER));

      // Assess
      expect(error.message).toBe(
        'invalid snappy block at byte 0: announced length 34359738368 exceeds 2^32-1',
      );
    });
  });

  describe('properties', () => {
    it('round-trips anything snappyjs compresses', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat({ max: 64 }), (data, repeat) => {
          // Prepare: repeated data makes copies likely
          const input = bytes(...Array.from({ length: repeat % 4 }, () => data), data);

          // Act
          const out = snappyDecompress(snappyCompress(input), MAX);

          // Assess
          expect(out).toEqual(input);
        }),
      );
    });

    it('round-trips our literal-only blocks', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 70_000 }), (data) => {
          expect(snappyDecompress(snappyLiterals(data), MAX)).toEqual(data);
        }),
        { numRuns: 30 },
      );
    });

    it('throws only RemoteWriteDecodeError on random bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 512 }), (body) => {
          try {
            snappyDecompress(body, 1 << 20);
          } catch (e) {
            expect(e).toBeInstanceOf(RemoteWriteDecodeError);
          }
        }),
        { numRuns: 2000 },
      );
    });
  });
});

describe('Function: readSnappyPreamble', () => {
  it('reads the varint length and where the elements start', () => {
    // Act
    const preamble = readSnappyPreamble(bytes(0xe8, 0x07, 0xf4));

    // Assess
    expect(preamble).toEqual({ length: 1000, start: 2 });
  });
});
