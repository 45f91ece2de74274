/**
 * Translated label sets by what they are made of. An SDK exports the same data points again and
 * again (same resource, same attributes, a new value), so a repeat costs building one string key
 * and two map lookups instead of escaping, sorting, validating and keying the labels again: the
 * translation hands out the same normalized `Labels` object, interned (`series/interned-labels.ts`)
 * as the remote_write decoder's are.
 */
import { internNormalLabels } from '../series/interned-labels';
import type { Labels } from '../series/labels';

/** The label sets of one point source (resource labels and point attributes), by series. */
export interface PointLabelSets {
  readonly source: string;
  readonly series: Map<string, Labels>;
}

/** Whether names are in strictly increasing order and no value is empty. */
const isNormal = (labels: Labels): boolean => {
  let previous: string | undefined;
  for (const name in labels) {
    if (labels[name] === '' || (previous !== undefined && previous >= name)) return false;
    previous = name;
  }
  return true;
};

/** Sorted copy; own properties only, so a label named `__proto__` stays data. */
const sortedLabels = (labels: Labels): Labels => {
  const names = Object.keys(labels).sort();
  return Object.fromEntries(names.map((n) => [n, labels[n] as string]));
};

/**
 * Label sets by point source and series. Bounded: once it holds `maxEntries` label sets it starts
 * over empty (a sender with more series than that translates as without the cache).
 */
class OtlpLabelCache {
  readonly #maxEntries: number;
  #sources = new Map<string, PointLabelSets>();
  #size = 0;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** Label sets held. */
  get size(): number {
    return this.#size;
  }

  /** The label sets of one point source, `source` being a unique text of what it is made of. */
  sets(source: string): PointLabelSets {
    let sets = this.#sources.get(source);
    if (sets === undefined) {
      sets = { source, series: new Map() };
      this.#sources.set(source, sets);
    }
    return sets;
  }

  /**
   * Remembers `labels` as the labels of `series` in `sets` and returns what later calls of
   * `sets.series.get(series)` return: the labels sorted and interned when no value is empty, else
   * as they are (validation drops the empty values).
   */
  add(sets: PointLabelSets, series: string, labels: Labels): Labels {
    if (this.#size >= this.#maxEntries) {
      this.#sources = new Map([[sets.source, sets]]);
      sets.series.clear();
      this.#size = 0;
    }
    const held = Object.values(labels).includes('')
      ? labels
      : internNormalLabels(isNormal(labels) ? labels : sortedLabels(labels));
    sets.series.set(series, held);
    this.#size++;
    return held;
  }
}

export { OtlpLabelCache };
