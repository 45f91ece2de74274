import type { Sample } from '../../domain/series/sample';

/** Capacity of a new series' columns when its first write brings fewer samples. */
const MIN_CAPACITY = 16;

/** Index of the first timestamp >= t among the first `n`. */
const lowerBound = (ts: Float64Array, n: number, t: number): number => {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/**
 * One stored series' samples as two time-sorted Float64Array columns with room to grow, so a
 * read hands out views of them instead of copies. A view stays valid after later writes:
 * appends go past the samples already there, and a sample inserted before the last one
 * rebuilds the columns in new buffers (old views keep the old ones). Only a rewrite of a
 * timestamp already held changes a value in place (the last write wins).
 * Float64Arrays keep a NaN's payload, so staleness markers survive as written.
 */
class SampleColumns {
  #t: Float64Array;
  #v: Float64Array;
  #n = 0;

  constructor(capacity = MIN_CAPACITY) {
    this.#t = new Float64Array(capacity);
    this.#v = new Float64Array(capacity);
  }

  /** Number of samples held. */
  get length(): number {
    return this.#n;
  }

  /** Timestamp of sample `i`. */
  timeAt(i: number): number {
    return this.#t[i] as number;
  }

  /** Value of sample `i`. */
  valueAt(i: number): number {
    return this.#v[i] as number;
  }

  /** Index of the first sample at or after `t`. */
  lowerBound(t: number): number {
    return lowerBound(this.#t, this.#n, t);
  }

  /** Samples `from <= i < to` as views of the columns (no copy). */
  view(from: number, to: number): { t: Float64Array; v: Float64Array } {
    return { t: this.#t.subarray(from, to), v: this.#v.subarray(from, to) };
  }

  /** Adds samples in any order; a timestamp already held takes the new value. */
  append(samples: readonly Sample[]): void {
    const k = samples.length;
    if (this.#n + k > this.#t.length) this.#grow(this.#n + k);
    const t = this.#t;
    const v = this.#v;
    let n = this.#n;
    for (let i = 0; i < k; i++) {
      const s = samples[i] as Sample;
      if (n === 0 || (t[n - 1] as number) < s.t) {
        t[n] = s.t;
        v[n] = s.v;
        n++;
        continue;
      }
      if (t[n - 1] === s.t) {
        v[n - 1] = s.v;
        continue;
      }
      this.#n = n;
      this.#merge(samples, i);
      return;
    }
    this.#n = n;
  }

  #grow(needed: number): void {
    const capacity = Math.max(needed, MIN_CAPACITY, this.#t.length * 2);
    const t = new Float64Array(capacity);
    const v = new Float64Array(capacity);
    t.set(this.#t.subarray(0, this.#n));
    v.set(this.#v.subarray(0, this.#n));
    this.#t = t;
    this.#v = v;
  }

  /** Merges `samples[from…]` (some before the last sample held) into new buffers. */
  #merge(samples: readonly Sample[], from: number): void {
    // Sorted by time, stable: of equal timestamps the later write comes last and wins.
    const rest = samples.slice(from).sort((a, b) => a.t - b.t);
    const oldT = this.#t;
    const oldV = this.#v;
    const oldN = this.#n;
    const capacity = Math.max(MIN_CAPACITY, oldT.length, oldN + rest.length);
    const t = new Float64Array(capacity);
    const v = new Float64Array(capacity);
    let n = 0;
    let i = 0;
    let j = 0;
    while (i < oldN || j < rest.length) {
      const r = rest[j];
      if (r === undefined || (i < oldN && (oldT[i] as number) < r.t)) {
        t[n] = oldT[i] as number;
        v[n] = oldV[i] as number;
        i++;
      } else {
        if (i < oldN && oldT[i] === r.t) i++;
        if (n > 0 && t[n - 1] === r.t) n--;
        t[n] = r.t;
        v[n] = r.v;
        j++;
      }
      n++;
    }
    this.#t = t;
    this.#v = v;
    this.#n = n;
  }
}

export { SampleColumns };
