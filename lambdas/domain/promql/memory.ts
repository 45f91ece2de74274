/**
 * What the evaluator's samples cost in memory, so that the sample limit (`--query.max-samples`)
 * can be set from the memory a process has, and a query is refused before it runs out.
 *
 * Prometheus holds a float sample in 16 bytes (`FPoint`: int64 time, float64 value), so its
 * 50,000,000 default is about 800 MB. This engine holds every selected sample and every computed
 * point as a `{ t, v }` object in an array: on 64-bit V8 (no pointer compression, as in Node.js)
 * that is a 40-byte object, two 16-byte heap numbers (timestamps are past the small-integer
 * range) and an 8-byte array slot, 84 bytes measured with `process.memoryUsage().heapUsed`
 * over 2 million points. {@link BYTES_PER_SAMPLE} rounds it up for the short-lived per-step
 * vectors and typed-array step indexes that accompany the points.
 * @see https://github.com/prometheus/prometheus/blob/main/promql/value.go (FPoint)
 */

/** Heap bytes per sample or point held by the evaluator, rounded up from 84 measured. */
const BYTES_PER_SAMPLE = 100;

/**
 * Share of a process's memory a query's samples may take. The rest is the runtime (about 80 MB),
 * label sets, the encoded response and the garbage collector's headroom: a V8 heap kept close to
 * its limit spends its time collecting.
 */
const SAMPLE_MEMORY_SHARE = 0.5;

/**
 * The sample limit that keeps one query within `memoryMb` megabytes (MiB): 5,368,709 for 1024.
 * @example maxSamplesForMemory(1024) // 5368709
 */
const maxSamplesForMemory = (memoryMb: number): number =>
  Math.floor((memoryMb * 1024 * 1024 * SAMPLE_MEMORY_SHARE) / BYTES_PER_SAMPLE);

export { BYTES_PER_SAMPLE, maxSamplesForMemory, SAMPLE_MEMORY_SHARE };
