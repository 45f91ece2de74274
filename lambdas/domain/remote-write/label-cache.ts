/**
 * Series labels already decoded, by the raw protobuf bytes of their `Label` fields. A sender
 * writes the same series again and again with byte-identical labels (sorted, one field after
 * another at the start of each `TimeSeries`), so a repeat costs a hash and a byte compare instead
 * of decoding, validating and keying the labels again; the decoder hands out the same `Labels`
 * object, whose series key is interned (`series/interned-labels.ts`).
 */
import type { Labels } from '../series/labels';

interface Entry {
  readonly bytes: Uint8Array;
  readonly labels: Labels;
  next: Entry | undefined;
}

/** An FNV-1a-style hash of `buf[start, end)`, four bytes a step. */
const hashBytes = (view: DataView, start: number, end: number): number => {
  let hash = 0x811c9dc5;
  let i = start;
  for (; i + 4 <= end; i += 4) hash = Math.imul(hash ^ view.getInt32(i, true), 0x01000193);
  for (; i < end; i++) hash = Math.imul(hash ^ view.getUint8(i), 0x01000193);
  return hash;
};

const sameBytes = (a: Uint8Array, buf: Uint8Array, start: number, end: number): boolean => {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
};

/** Default {@link RemoteWriteLabelCache} size: series of one sender's working set. */
const DEFAULT_LABEL_CACHE_ENTRIES = 65_536;

/**
 * Decoded labels by their raw bytes. Bounded: once it holds `maxEntries` series it starts over
 * empty (a sender with more series than that decodes as without the cache).
 */
class RemoteWriteLabelCache {
  readonly #maxEntries: number;
  #table = new Map<number, Entry>();
  #size = 0;

  constructor(maxEntries: number = DEFAULT_LABEL_CACHE_ENTRIES) {
    this.#maxEntries = maxEntries;
  }

  /** Series held. */
  get size(): number {
    return this.#size;
  }

  /** The labels decoded before from exactly `buf[start, end)`, hashed `hash` by {@link hashBytes} (over a view of `buf`). */
  get(buf: Uint8Array, start: number, end: number, hash: number): Labels | undefined {
    for (let e = this.#table.get(hash); e !== undefined; e = e.next)
      if (sameBytes(e.bytes, buf, start, end)) return e.labels;
    return undefined;
  }

  /** Remembers that `buf[start, end)` decodes to `labels` (valid, normalized). */
  set(buf: Uint8Array, start: number, end: number, hash: number, labels: Labels): void {
    if (this.#size >= this.#maxEntries) {
      this.#table = new Map();
      this.#size = 0;
    }
    const bytes = buf.slice(start, end);
    this.#table.set(hash, { bytes, labels, next: this.#table.get(hash) });
    this.#size++;
  }
}

export { DEFAULT_LABEL_CACHE_ENTRIES, hashBytes, RemoteWriteLabelCache };
