/**
 * Sorting a million float64 values fast: an LSD radix sort (six passes of 11, 11 and 10 bits per 32-bit half, so the 2,048 counters and write cursors stay in cache; the six histograms counted in one pass) over the IEEE 754
 * bits made order-preserving (sign bit flipped for positives, all bits flipped for negatives),
 * as in Herf, "Radix Tricks" (2001). Small arrays use the built-in TypedArray sort.
 * NaN must not be present (callers drop missing values first); −0 sorts just before +0.
 */

/** Below this length the built-in sort wins over the radix passes' fixed cost. */
const RADIX_MIN_LENGTH = 4096;

/**
 * Sorts `values` ascending, in place, and returns it.
 * @example sortFloat64(Float64Array.of(3, -1, 2)) // Float64Array [-1, 2, 3]
 */
const sortFloat64 = (values: Float64Array): Float64Array => {
  const n = values.length;
  if (n < RADIX_MIN_LENGTH) return values.sort();
  // Little-endian words: [lo, hi] per value (every platform Node runs on is little-endian).
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  // All six digit histograms in the pass that makes the keys: 2,048 counters per digit.
  const counts = new Uint32Array(6 * 2048);
  for (let i = 0; i < n; i++) {
    let h = words[2 * i + 1] as number;
    let l = words[2 * i] as number;
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    hi[i] = h;
    lo[i] = l;
    (counts[l & 0x7ff] as number)++;
    (counts[2048 + ((l >>> 11) & 0x7ff)] as number)++;
    (counts[4096 + (l >>> 22)] as number)++;
    (counts[6144 + (h & 0x7ff)] as number)++;
    (counts[8192 + ((h >>> 11) & 0x7ff)] as number)++;
    (counts[10240 + (h >>> 22)] as number)++;
  }
  let hi2 = new Uint32Array(n);
  let lo2 = new Uint32Array(n);
  for (let pass = 0; pass < 6; pass++) {
    const key = pass < 3 ? lo : hi;
    const shift = (pass % 3) * 11;
    const mask = pass % 3 === 2 ? 0x3ff : 0x7ff;
    const base = pass * 2048;
    if (counts[base + (((key[0] as number) >>> shift) & mask)] === n) continue; // one digit: nothing moves
    let sum = 0;
    for (let d = base; d <= base + mask; d++) {
      const c = counts[d] as number;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const d = base + (((key[i] as number) >>> shift) & mask);
      const at = counts[d] as number;
      counts[d] = at + 1;
      hi2[at] = hi[i] as number;
      lo2[at] = lo[i] as number;
    }
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
  }
  for (let i = 0; i < n; i++) {
    const h = hi[i] as number;
    const l = lo[i] as number;
    if (h & 0x80000000) {
      words[2 * i + 1] = (h & 0x7fffffff) >>> 0;
      words[2 * i] = l;
    } else {
      words[2 * i + 1] = ~h >>> 0;
      words[2 * i] = ~l >>> 0;
    }
  }
  return values;
};

export { RADIX_MIN_LENGTH, sortFloat64 };
