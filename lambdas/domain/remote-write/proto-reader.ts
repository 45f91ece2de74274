/**
 * A minimal protobuf wire-format reader for the remote_write messages, bounds-checked at every
 * step so that truncated or hostile input fails with a {@link RemoteWriteDecodeError} naming the
 * byte offset (protobufjs's Reader throws plain RangeErrors and reads int64 as Long/LongBits).
 * @see https://protobuf.dev/programming-guides/encoding/
 */
import { RemoteWriteDecodeError, RemoteWriteDecodeErrorKind } from './errors';

/** Protobuf wire types. Groups (3, 4) are deprecated but legal in unknown fields, so they are skipped. */
const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;
type WireType = (typeof WireType)[keyof typeof WireType];

const WIRE_TYPE_NAMES = [
  'varint',
  'fixed64',
  'length-delimited',
  'start-group',
  'end-group',
  'fixed32',
];

/** Deepest nesting of (deprecated) groups skipped inside unknown fields. */
const MAX_GROUP_DEPTH = 32;

/** Strings up to this length are interned (see `string`); longer ones are decoded every time. */
const INTERN_MAX_BYTES = 128;
/** Size of the per-request intern table (a power of two; a collision only costs a decode). */
const INTERN_SLOTS = 4096;

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Lenient = new TextDecoder('utf-8', { ignoreBOM: true });

const TWO_POW_32 = 0x1_0000_0000;

/** Cursor over one decompressed WriteRequest. `seriesIndex` is set while inside a TimeSeries. */
class ProtoReader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos = 0;
  seriesIndex = -1;
  /** The low and high 32 bits (unsigned) of the last `varint64` or `fixed64`. */
  lo = 0;
  hi = 0;
  private readonly internStrings: (string | undefined)[] = new Array(INTERN_SLOTS);
  private readonly internLengths = new Int32Array(INTERN_SLOTS);
  private readonly internHashes = new Int32Array(INTERN_SLOTS);
  private readonly internStarts = new Int32Array(INTERN_SLOTS);

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Builds the error for malformed protobuf found at byte `at`. */
  fail(what: string, at: number): RemoteWriteDecodeError {
    const where = this.seriesIndex >= 0 ? ` in series ${this.seriesIndex}` : '';
    return new RemoteWriteDecodeError(
      RemoteWriteDecodeErrorKind.Protobuf,
      `invalid protobuf at byte ${at}${where}: ${what}`,
      this.seriesIndex >= 0 ? { offset: at, seriesIndex: this.seriesIndex } : { offset: at },
    );
  }

  /** An unsigned varint as a number (exact up to 2^53; larger values only need to compare big). */
  varint(end: number): number {
    const start = this.pos;
    const buf = this.buf;
    if (start < end) {
      const b = buf[start] as number;
      if (b < 0x80) {
        this.pos = start + 1;
        return b;
      }
    }
    let value = 0;
    let scale = 1;
    for (let i = start; i < end && i < start + 10; i++) {
      const b = buf[i] as number;
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = i + 1;
        return value;
      }
      scale *= 128;
    }
    throw this.fail(end - start < 10 ? 'truncated varint' : 'varint longer than 10 bytes', start);
  }

  /**
   * A two's-complement int64 varint as a number; values outside ±(2^53-1) are refused because a
   * float64 cannot hold them exactly.
   */
  int64(end: number, what: string): number {
    const start = this.pos;
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let i = start;
    let b = 0x80;
    for (let shift = 0; shift < 28 && b >= 0x80; shift += 7) {
      if (i >= end) throw this.fail('truncated varint', start);
      b = buf[i++] as number;
      lo |= (b & 0x7f) << shift;
    }
    if (b >= 0x80) {
      if (i >= end) throw this.fail('truncated varint', start);
      b = buf[i++] as number;
      lo |= (b & 0x0f) << 28;
      hi = (b & 0x7f) >>> 4;
      for (let shift = 3; shift < 32 && b >= 0x80; shift += 7) {
        if (i >= end) throw this.fail('truncated varint', start);
        b = buf[i++] as number;
        hi |= (b & 0x7f) << shift;
      }
      if (b >= 0x80) throw this.fail('varint longer than 10 bytes', start);
    }
    this.pos = i;
    const value = (hi | 0) * TWO_POW_32 + (lo >>> 0);
    if (!Number.isSafeInteger(value)) {
      throw this.fail(`${what} does not fit in a float64 integer (beyond ±2^53)`, start);
    }
    return value;
  }

  /**
   * A varint into `lo` and `hi`, for 64-bit fields and the 32-bit ones that keep its low bits.
   * More than 10 bytes, or a 10th byte past bit 64, is refused as protobuf-go refuses it.
   */
  varint64(end: number): void {
    const start = this.pos;
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let i = start;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (i >= end) throw this.fail('truncated varint', start);
      b = buf[i++] as number;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        this.pos = i;
        return;
      }
    }
    if (i >= end) throw this.fail('truncated varint', start);
    b = buf[i++] as number;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >>> 4;
    for (let k = 5; b >= 0x80 && k < 10; k++) {
      if (i >= end) throw this.fail('truncated varint', start);
      b = buf[i++] as number;
      if (k === 9 && b > 1) {
        throw this.fail(
          b >= 0x80 ? 'varint longer than 10 bytes' : 'varint overflows 64 bits',
          start,
        );
      }
      hi |= (b & 0x7f) << (7 * k - 32);
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    this.pos = i;
  }

  /** A little-endian 64-bit value into `lo` and `hi`. */
  fixed64(end: number): void {
    if (end - this.pos < 8) throw this.fail('truncated fixed64', this.pos);
    this.lo = this.view.getUint32(this.pos, true);
    this.hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
  }

  /** A little-endian unsigned 32-bit value. */
  fixed32(end: number): number {
    if (end - this.pos < 4) throw this.fail('truncated fixed32', this.pos);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** A little-endian float64, bit-exact (NaN payloads such as stale markers survive). */
  double(end: number): number {
    if (end - this.pos < 8) throw this.fail('truncated double', this.pos);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a field tag; returns `fieldNumber * 8 + wireType`, validated. */
  tag(end: number): number {
    const at = this.pos;
    const tag = this.varint(end);
    if (tag > 0xffff_ffff) throw this.fail(`invalid tag ${tag}`, at);
    if (tag >>> 3 === 0) throw this.fail('invalid field number 0', at);
    return tag;
  }

  /** Throws unless a known field arrived with the wire type the schema gives it. */
  expectWire(tag: number, expected: WireType, field: string, at: number): void {
    const wire = tag & 7;
    if (wire !== expected) {
      throw this.fail(`wrong wire type ${WIRE_TYPE_NAMES[wire] ?? wire} for ${field}`, at);
    }
  }

  /** Reads a length prefix and returns the end of the delimited bytes (the cursor is at their start). */
  delimited(end: number, field: string): number {
    const at = this.pos;
    const len = this.varint(end);
    if (len > end - this.pos) {
      throw this.fail(`${field} length ${len} runs past the end of its message at byte ${end}`, at);
    }
    return this.pos + len;
  }

  /**
   * Decodes `[start, end)` as UTF-8; `undefined` when strict and the bytes are not valid UTF-8.
   * Short strings are interned per request: label names and most values repeat from series to
   * series, so a repeat costs a hash and a byte compare instead of a new string.
   */
  string(start: number, end: number, strict: boolean): string | undefined {
    const len = end - start;
    if (len === 0) return '';
    if (len > INTERN_MAX_BYTES) return this.decodeUtf8(start, end, strict, false);
    const buf = this.buf;
    let hash = 0x811c9dc5; // FNV-1a
    let high = 0;
    for (let i = start; i < end; i++) {
      const b = buf[i] as number;
      high |= b;
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    const slot = (hash ^ len) & (INTERN_SLOTS - 1);
    const cached = this.internStrings[slot];
    if (
      cached !== undefined &&
      this.internLengths[slot] === len &&
      this.internHashes[slot] === hash
    ) {
      const other = (this.internStarts[slot] as number) - start;
      let i = start;
      while (i < end && buf[i] === buf[i + other]) i++;
      if (i === end) return cached;
    }
    const decoded = this.decodeUtf8(start, end, strict, high < 0x80);
    if (decoded !== undefined) {
      this.internStrings[slot] = decoded;
      this.internLengths[slot] = len;
      this.internHashes[slot] = hash;
      this.internStarts[slot] = start;
    }
    return decoded;
  }

  private decodeUtf8(
    start: number,
    end: number,
    strict: boolean,
    ascii: boolean,
  ): string | undefined {
    const bytes = this.buf.subarray(start, end);
    // One string from all the bytes at once: concatenating char by char floods the GC.
    if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    if (!strict) return utf8Lenient.decode(bytes);
    try {
      return utf8Strict.decode(bytes);
    } catch {
      return undefined;
    }
  }

  /** Skips the value of an unknown field whose tag was just read at `at`. */
  skip(tag: number, end: number, at: number, depth = 0): void {
    switch (tag & 7) {
      case WireType.Varint:
        this.varint(end);
        return;
      case WireType.Fixed64:
        if (end - this.pos < 8) throw this.fail('truncated fixed64 field', at);
        this.pos += 8;
        return;
      case WireType.LengthDelimited:
        this.pos = this.delimited(end, `field ${tag >>> 3}`);
        return;
      case WireType.Fixed32:
        if (end - this.pos < 4) throw this.fail('truncated fixed32 field', at);
        this.pos += 4;
        return;
      case WireType.StartGroup: {
        if (depth >= MAX_GROUP_DEPTH) throw this.fail('groups nested too deeply', at);
        for (;;) {
          if (this.pos >= end) throw this.fail(`unterminated group ${tag >>> 3}`, at);
          const innerAt = this.pos;
          const inner = this.tag(end);
          if ((inner & 7) === WireType.EndGroup) {
            if (inner >>> 3 !== tag >>> 3) throw this.fail('mismatched end-group', innerAt);
            return;
          }
          this.skip(inner, end, innerAt, depth + 1);
        }
      }
      case WireType.EndGroup:
        throw this.fail('unexpected end-group', at);
      default:
        throw this.fail(`invalid wire type ${tag & 7}`, at);
    }
  }
}

export { ProtoReader, WireType };
