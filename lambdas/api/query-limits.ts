import { maxSamplesForMemory } from '../domain/promql/memory';

/**
 * Memory of the query function (MB), set by the `Vigil` construct. The default sample limit is
 * derived from it, so a query is refused with 422 before the function runs out of memory.
 */
const QUERY_FUNCTION_MEMORY_MB = 1024;

/**
 * Default sample limit of the query API (`--query.max-samples`): what {@link
 * QUERY_FUNCTION_MEMORY_MB} holds, 5,368,709 samples. Prometheus's own default (50,000,000)
 * assumes 16 bytes a sample; see `domain/promql/memory.ts`. Local mode's query workers get the
 * same memory, so a query refused on AWS is refused locally too.
 */
const DEFAULT_QUERY_MAX_SAMPLES: number = maxSamplesForMemory(QUERY_FUNCTION_MEMORY_MB);

export { DEFAULT_QUERY_MAX_SAMPLES, QUERY_FUNCTION_MEMORY_MB };
