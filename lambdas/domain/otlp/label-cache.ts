/**
 * Translated label sets by what they are made of. An SDK exports the same data points again and
 * again (same resource, same attributes, a new value), so a repeat costs a map lookup per
 * attribute key and value instead of escaping, sorting, validating and keying the labels again:
 * the translation hands out the same normalized `Labels` object, interned
 * (`series/interned-labels.ts`) as the remote_write decoder's are.
 */
import { internNormalLabels } from '../series/interned-labels';
import type { Labels } from '../series/labels';
import { anyValueString } from './attributes';
import type { KeyValue } from './types';

/** The label sets of one point source (resource labels and point attributes), by series. */
export interface PointLabelSets {
  readonly series: Map<string, Labels>;
}

/** A point source so far: a resource and the attributes read up to here. */
export interface SourceNode {
  sets?: PointLabelSets;
  /** By the next attribute's key, then its value. */
  next?: Map<string, Map<string, SourceNode>>;
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
  #resources = new Map<string, SourceNode>();
  #size = 0;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** Label sets held. */
  get size(): number {
    return this.#size;
  }

  /** A resource's start of its points' sources, `resource` being a unique text of its labels. */
  resource(resource: string): SourceNode {
    let node = this.#resources.get(resource);
    if (node === undefined) {
      node = {};
      this.#resources.set(resource, node);
    }
    return node;
  }

  /** The label sets of the points of `resource` (from {@link resource}) with these attributes. */
  sets(resource: SourceNode, attrs: readonly KeyValue[] | undefined): PointLabelSets {
    let node = resource;
    if (attrs !== undefined)
      for (const kv of attrs) {
        node.next ??= new Map();
        const key = kv.key ?? '';
        let values = node.next.get(key);
        if (values === undefined) {
          values = new Map();
          node.next.set(key, values);
        }
        const value = anyValueString(kv.value);
        let child = values.get(value);
        if (child === undefined) {
          child = {};
          values.set(value, child);
        }
        node = child;
      }
    node.sets ??= { series: new Map() };
    return node.sets;
  }

  /**
   * Remembers `labels` as the labels of `series` in `sets` and returns what later calls of
   * `sets.series.get(series)` return: the labels sorted and interned when no value is empty, else
   * as they are (validation drops the empty values).
   */
  add(sets: PointLabelSets, series: string, labels: Labels): Labels {
    if (this.#size >= this.#maxEntries) {
      // Nodes the request at hand holds stay usable until it ends.
      this.#resources = new Map();
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
