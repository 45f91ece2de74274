/**
 * Ports whose adapter is loaded on first use. A composition root reads and checks its environment
 * at init (a misconfigured function still fails at once) but imports an adapter module, and so
 * its AWS SDK client, with `import()` only when a call needs it: a function loads the adapters of
 * the store it was deployed with and of the calls it makes, nothing else.
 */
import type { SeriesStore } from '../domain/ports';
import { toColumns } from '../domain/series/columns';

/** `load` run once, on the first call; a failed load is retried by the next call. */
const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
};

type AsyncMethodOf<T> = {
  [K in keyof T]-?: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

/**
 * An object with the given async `methods` of `T`, each forwarding to the instance `load`
 * resolves to (loaded once, on the first call of any of them).
 */
const deferred = <T extends object, K extends AsyncMethodOf<T>>(
  load: () => Promise<T>,
  methods: readonly K[],
): Pick<T, K> => {
  const get = once(load);
  const out: Partial<Record<K, unknown>> = {};
  for (const name of methods) {
    out[name] = async (...args: unknown[]) => {
      const target = await get();
      return (target[name] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
    };
  }
  return out as Pick<T, K>;
};

/** A `SeriesStore` loaded on first use; `selectColumns` is converted from `select` when absent. */
const deferredSeriesStore = (load: () => Promise<SeriesStore>): SeriesStore => {
  const get = once(load);
  return {
    ...deferred(get, ['write', 'select', 'series', 'labelNames', 'labelValues']),
    selectColumns: async (matchers, range, hints) => {
      const store = await get();
      return store.selectColumns
        ? store.selectColumns(matchers, range, hints)
        : toColumns(await store.select(matchers, range, hints));
    },
  };
};

export { deferred, deferredSeriesStore, once };
