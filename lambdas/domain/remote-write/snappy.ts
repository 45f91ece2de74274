/**
 * A small, defensive decoder for the snappy BLOCK format (remote write spec 1.0: "The block
 * format MUST be used - the framed format MUST NOT be used").
 *
 * Why not `snappyjs.uncompress` (0.7, checked by hand): it reads the length preamble as a signed
 * 32-bit int (a claim of 2^31 bytes becomes a negative allocation → RangeError), returns a
 * zero-padded buffer when the elements produce less than announced, and a 4-byte literal length
 * with the top bit set sends its read position backwards (`05 fc fa ff ff ff 41` loops forever).
 * This decoder checks every bound, allocates once, and throws only {@link RemoteWriteDecodeError}.
 *
 * Format: a varint with the uncompressed length, then elements whose tag's two low bits say
 * literal (00), copy with 1-byte (01), 2-byte (10) or 4-byte (11) offset.
 * @see https://github.com/google/snappy/blob/main/format_description.txt
 * @see https://github.com/golang/snappy/blob/master/decode.go (what Prometheus uses)
 */
import { RemoteWriteDecodeError, RemoteWriteDecodeErrorKind } from './errors';

/** Largest length snappy can describe: the preamble is a uint32 (golang/snappy `ErrTooLarge`). */
const SNAPPY_MAX_BLOCK_BYTES = 0xffff_ffff;

/**
 * Most output bytes one input byte can produce: a 3-byte copy element yields at most 64 bytes. An
 * announced length above `inputBytes * 64 / 3` is impossible, so it is rejected before allocating.
 */
const SNAPPY_MAX_EXPANSION = 64 / 3;

const corrupt = (what: string, offset: number): RemoteWriteDecodeError =>
  new RemoteWriteDecodeError(
    RemoteWriteDecodeErrorKind.Snappy,
    `invalid snappy block at byte ${offset}: ${what}`,
    { offset },
  );

/**
 * Reads the uncompressed-length preamble without touching the rest of the body.
 * @returns the announced length and the offset of the first element.
 */
const readSnappyPreamble = (body: Uint8Array): { length: number; start: number } => {
  if (body.length === 0) throw corrupt('empty body', 0);
  let length = 0;
  let scale = 1;
  for (let i = 0; i < body.length && i < 10; i++) {
    const b = body[i] as number;
    length += (b & 0x7f) * scale;
    if (b < 0x80) return { length, start: i + 1 };
    scale *= 128;
  }
  throw corrupt('unterminated length preamble', 0);
};

/**
 * Decompresses a snappy block, refusing (before any allocation) a body whose announced size
 * exceeds `maxBytes`: a few bytes claiming gigabytes cannot exhaust memory.
 * @param body the compressed request body.
 * @param maxBytes the largest decompressed size accepted (`IngestLimits.maxDecompressedBytes`).
 * @throws RemoteWriteDecodeError kind `too_large` or `snappy`.
 * @example
 * const proto = snappyDecompress(body, 32 * 1024 * 1024);
 */
const snappyDecompress = (body: Uint8Array, maxBytes: number): Uint8Array => {
  const { length, start } = readSnappyPreamble(body);
  if (length > maxBytes) {
    throw new RemoteWriteDecodeError(
      RemoteWriteDecodeErrorKind.TooLarge,
      `decompressed body would be ${length} bytes, more than the limit of ${maxBytes} bytes`,
    );
  }
  if (length > SNAPPY_MAX_BLOCK_BYTES)
    throw corrupt(`announced length ${length} exceeds 2^32-1`, 0);
  if (length > Math.ceil((body.length - start) * SNAPPY_MAX_EXPANSION)) {
    throw corrupt(`announced length ${length} cannot come from ${body.length} bytes`, 0);
  }
  const out = new Uint8Array(length);
  let s = start;
  let d = 0;
  while (s < body.length) {
    const at = s;
    const tag = body[s++] as number;
    let len: number;
    let offset: number;
    switch (tag & 0x03) {
      case 0x00: {
        len = tag >>> 2;
        if (len >= 60) {
          const extra = len - 59;
          if (s + extra > body.length) throw corrupt('truncated literal length', at);
          len = 0;
          for (let i = extra - 1; i >= 0; i--) len = len * 256 + (body[s + i] as number);
          s += extra;
        }
        len += 1;
        if (len > body.length - s) throw corrupt(`literal of ${len} bytes overruns the body`, at);
        if (len > length - d) throw corrupt('literal overruns the announced length', at);
        out.set(body.subarray(s, s + len), d);
        s += len;
        d += len;
        continue;
      }
      case 0x01:
        if (s >= body.length) throw corrupt('truncated copy', at);
        len = 4 + ((tag >>> 2) & 0x07);
        offset = ((tag & 0xe0) << 3) | (body[s] as number);
        s += 1;
        break;
      case 0x02:
        if (s + 2 > body.length) throw corrupt('truncated copy', at);
        len = 1 + (tag >>> 2);
        offset = (body[s] as number) | ((body[s + 1] as number) << 8);
        s += 2;
        break;
      default:
        if (s + 4 > body.length) throw corrupt('truncated copy', at);
        len = 1 + (tag >>> 2);
        offset =
          (body[s] as number) +
          (body[s + 1] as number) * 0x100 +
          (body[s + 2] as number) * 0x1_0000 +
          (body[s + 3] as number) * 0x100_0000;
        s += 4;
        break;
    }
    if (offset === 0 || offset > d)
      throw corrupt(`copy offset ${offset} is outside the output`, at);
    if (len > length - d) throw corrupt('copy overruns the announced length', at);
    if (offset >= len) {
      out.copyWithin(d, d - offset, d - offset + len);
      d += len;
    } else {
      // Overlapping copy (a run): bytes written by this copy are read again, so go byte by byte.
      for (const stop = d + len; d < stop; d++) out[d] = out[d - offset] as number;
    }
  }
  if (d !== length) {
    throw corrupt(`decompressed to ${d} bytes, the preamble announced ${length}`, body.length);
  }
  return out;
};

export { readSnappyPreamble, SNAPPY_MAX_BLOCK_BYTES, snappyDecompress };
