import { type SeriesLister, StoreSeriesLister } from '../domain/query/store-series-lister';
import type { ApiDeps } from './deps';

/**
 * What the read endpoints list series with: `deps.queryEngine`, else Vigil's store lister
 * (no PromQL evaluator loaded).
 */
export const seriesListerOf = (deps: ApiDeps): SeriesLister =>
  deps.queryEngine ?? new StoreSeriesLister(deps.store);
