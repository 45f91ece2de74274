import type { RuntimeConfig } from '../domain/config/types';
import type { PushGroupStore, SeriesStore } from '../domain/ports';
import { PushAwareSeriesStore } from '../domain/pushgateway/push-aware-series-store';
import type { QueryEngine } from '../domain/query/query-engine';
import { systemClock } from './aws-deps';

/**
 * The samples as the read endpoints, rules and drift monitors see them: on Timestream, with the
 * current pushed groups added on read when the function has the Pushgateway table; an AMP
 * workspace evaluates PromQL itself (pushed values are in it, re-emitted), so there the store is
 * left as it is.
 */
const pushAware = (
  samples: { store: SeriesStore; queryEngine?: QueryEngine },
  groups: PushGroupStore | undefined,
  config: RuntimeConfig,
): SeriesStore =>
  groups && !samples.queryEngine
    ? new PushAwareSeriesStore({
        inner: samples.store,
        groups,
        scrapeIntervalMs: config.pushgateway.scrapeIntervalSeconds * 1000,
        clock: systemClock,
      })
    : samples.store;

export { pushAware };
