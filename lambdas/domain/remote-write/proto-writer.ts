/**
 * A minimal protobuf wire-format writer for messages whose size is computed before they are
 * written (one buffer, no growing): the remote_write encoder and the OTLP/HTTP responses.
 * @see https://protobuf.dev/programming-guides/encoding/
 */

const utf8 = new TextEncoder();

/** Bytes of an unsigned varint (a non-negative integer up to 2^53). */
const varintSize = (n: number): number => {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
};

/** Bytes of a length-delimited field with a one-byte tag and `payload` bytes. */
const lenField = (payload: number): number => 1 + varintSize(payload) + payload;

class ProtoWriter {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  /** A length-delimited field with a one-byte tag. */
  bytes(tag: number, b: Uint8Array): void {
    this.buf[this.pos++] = tag;
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

export { lenField, ProtoWriter, utf8, varintSize };
