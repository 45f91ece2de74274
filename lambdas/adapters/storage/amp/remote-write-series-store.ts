/**
 * `SeriesStore` of a store that PromQL reads remotely (Amazon Managed Service for Prometheus):
 * writes go to its remote_write endpoint (`AmpRemoteWriteWriter`); reads go through the
 * workspace's query API (`PrometheusApiQueryEngine`, `ApiDeps.queryEngine`), never through this
 * store, so its read methods reject with the reason — a deployment bug if ever reached.
 */
import type { SeriesStore, WriteResult } from '../../../domain/ports';
import type { Labels } from '../../../domain/series/labels';
import type { Series } from '../../../domain/series/sample';

/** What this store writes through: `AmpRemoteWriteWriter` or any remote_write sender. */
export interface RemoteWriter {
  write(series: readonly Series[]): Promise<WriteResult>;
}

const readRejected = (what: string): Promise<never> =>
  Promise.reject(
    new Error(
      `${what}: samples in a remote store are read through its query engine, not the SeriesStore`,
    ),
  );

/** Writes through a remote_write sender; reads belong to the query engine. */
class RemoteWriteSeriesStore implements SeriesStore {
  readonly #writer: RemoteWriter;

  constructor(options: { readonly writer: RemoteWriter }) {
    this.#writer = options.writer;
  }

  write(series: readonly Series[]): Promise<WriteResult> {
    return this.#writer.write(series);
  }

  select(): Promise<Series[]> {
    return readRejected('select');
  }

  series(): Promise<Labels[]> {
    return readRejected('series');
  }

  labelNames(): Promise<string[]> {
    return readRejected('labelNames');
  }

  labelValues(): Promise<string[]> {
    return readRejected('labelValues');
  }
}

export { RemoteWriteSeriesStore };
