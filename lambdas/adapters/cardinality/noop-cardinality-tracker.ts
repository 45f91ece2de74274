import type { CardinalityTracker, NameRefusal } from '../../domain/ports';

/** `CardinalityTracker` that admits every series and every name: for tests and benchmarks. */
class NoopCardinalityTracker implements CardinalityTracker {
  async admit(): Promise<ReadonlySet<string>> {
    return new Set<string>();
  }

  async admitNames(): Promise<ReadonlyMap<number, NameRefusal>> {
    return new Map();
  }
}

export { NoopCardinalityTracker };
