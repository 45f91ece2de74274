import type { CardinalityTracker, NamesRefused } from '../../domain/ports';

/** `CardinalityTracker` that admits every series and every name: for tests and benchmarks. */
class NoopCardinalityTracker implements CardinalityTracker {
  async admit(): Promise<ReadonlySet<string>> {
    return new Set<string>();
  }

  async admitNames(): Promise<NamesRefused> {
    return { dimensions: new Set<string>(), measures: new Set<string>() };
  }
}

export { NoopCardinalityTracker };
