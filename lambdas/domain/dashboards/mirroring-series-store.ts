import type { MetricsMirror, SeriesStore, WriteResult } from '../ports';
import type { Labels } from '../series/labels';
import type { Series } from '../series/sample';
import { WriteWrappingSeriesStore } from '../series/write-wrapping-series-store';

interface MirroringSeriesStoreOptions {
  readonly inner: SeriesStore;
  readonly mirror: MetricsMirror;
}

/**
 * A `SeriesStore` that also mirrors what it stores: after `inner.write` succeeds, the written
 * series go to the `MetricsMirror` (which keeps only allow-listed metrics). The rule evaluator's
 * store is wrapped in it, so recorded series (the dashboards' rates and quantiles, see
 * dashboard-series.ts) reach CloudWatch like ingested ones. Samples the store rejected are not
 * mirrored; reads pass through.
 */
class MirroringSeriesStore extends WriteWrappingSeriesStore {
  readonly #mirror: MetricsMirror;

  constructor(options: MirroringSeriesStoreOptions) {
    super(options.inner);
    this.#mirror = options.mirror;
  }

  async write(series: readonly Series[]): Promise<WriteResult> {
    const result = await this.inner.write(series);
    if (result.rejected.length === 0) {
      await this.#mirror.mirror(series);
      return result;
    }
    const key = (labels: Labels, t: number) => `${JSON.stringify(labels)}\u0000${t}`;
    const rejected = new Set(result.rejected.map((r) => key(r.labels, r.sample.t)));
    const stored = series
      .map((s) => ({
        labels: s.labels,
        samples: s.samples.filter((x) => !rejected.has(key(s.labels, x.t))),
      }))
      .filter((s) => s.samples.length > 0);
    await this.#mirror.mirror(stored);
    return result;
  }
}

export type { MirroringSeriesStoreOptions };
export { MirroringSeriesStore };
