/**
 * Hand-made protobuf and snappy bytes for the decoder tests, built straight from the wire formats
 * (https://protobuf.dev/programming-guides/encoding/, google/snappy format_description.txt) so
 * that the decoder is not only checked against our own encoder.
 */

type Part = number | readonly number[] | Uint8Array;

/** Concatenates bytes, arrays of bytes and Uint8Arrays. */
const bytes = (...parts: Part[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else out.push(...p);
  }
  return Uint8Array.from(out);
};

/** Unsigned varint of a non-negative safe integer. */
const varint = (n: number): number[] => {
  const out: number[] = [];
  let x = n;
  while (x >= 0x80) {
    out.push((x % 128) | 0x80);
    x = Math.floor(x / 128);
  }
  out.push(x);
  return out;
};

/** Varint of an int64 (two's complement, 10 bytes when negative). */
const int64 = (n: bigint): number[] => {
  const out: number[] = [];
  let x = BigInt.asUintN(64, n);
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
};

/** Little-endian float64 from its raw bit pattern. */
const f64Bits = (bits: bigint): number[] => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits, true);
  return [...new Uint8Array(view.buffer)];
};

/** Little-endian float64 of a number. */
const f64 = (v: number): number[] => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v, true);
  return [...new Uint8Array(view.buffer)];
};

/** A length-delimited field (wire type 2). */
const ld = (field: number, ...payload: Part[]): Uint8Array => {
  const body = bytes(...payload);
  return bytes(varint(field * 8 + 2), varint(body.length), body);
};

const str = (s: string): Uint8Array => new TextEncoder().encode(s);

/** `TimeSeries.labels` entry (field 1 of TimeSeries) holding a Label {name = 1, value = 2}. */
const label = (name: string, value: string): Uint8Array =>
  ld(1, ld(1, str(name)), ld(2, str(value)));

/** `TimeSeries.samples` entry (field 2) holding a Sample {value = 1 fixed64, timestamp = 2 varint}. */
const sample = (v: number, t: number): Uint8Array =>
  ld(2, bytes(0x09, f64(v)), bytes(0x10, int64(BigInt(t))));

/** `WriteRequest.timeseries` entry (field 1). */
const timeSeries = (...parts: Part[]): Uint8Array => ld(1, ...parts);

/** A snappy block made only of literals (valid snappy, just not compressed). */
const snappyLiterals = (data: Uint8Array): Uint8Array => {
  const out: Part[] = [varint(data.length)];
  for (let i = 0; i < data.length; i += 0x1_0000) {
    const chunk = data.subarray(i, Math.min(i + 0x1_0000, data.length));
    const n = chunk.length - 1;
    if (n < 60) out.push(n << 2);
    else if (n < 0x100) out.push([60 << 2, n]);
    else out.push([61 << 2, n & 0xff, n >> 8]);
    out.push(chunk);
  }
  return bytes(...out);
};

/** Hex of bytes, for readable assertions. */
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Raw 64-bit pattern of a float64. */
const bitsOf = (v: number): bigint => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0);
};

/** A float64 from its raw 64-bit pattern. */
const fromBits = (bits: bigint): number => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
};

export {
  bitsOf,
  bytes,
  f64,
  f64Bits,
  fromBits,
  hex,
  int64,
  label,
  ld,
  sample,
  snappyLiterals,
  str,
  timeSeries,
  varint,
};
