import type { RuntimeConfig } from '../domain/config/types';
import type {
  CardinalityTracker,
  Clock,
  MetricsMirror,
  PushGroupStore,
  SeriesStore,
} from '../domain/ports';
import type { QueryEngine } from '../domain/query/query-engine';
import { LocalQueryEngine } from '../domain/query/local-query-engine';

/**
 * What the HTTP endpoints need. Lambda handlers fill it with AWS adapters
 * (lambdas/wiring/aws-deps.ts); the local server with embedded ones (bin/server.ts).
 * `store` is expected to be push-aware (PushAwareSeriesStore) so pushed groups stay visible.
 */
export interface ApiDeps {
  readonly store: SeriesStore;
  readonly cardinality: CardinalityTracker;
  readonly mirror: MetricsMirror;
  readonly pushGroups: PushGroupStore;
  readonly clock: Clock;
  readonly config: RuntimeConfig;
  /**
   * Where the read endpoints evaluate PromQL and list series: a store that evaluates PromQL
   * itself (Amazon Managed Service for Prometheus: `PrometheusApiQueryEngine`).
   * @default Vigil's engine over `store` (`LocalQueryEngine`)
   */
  readonly queryEngine?: QueryEngine;
}

/** The query engine of the read endpoints: `deps.queryEngine`, else Vigil's over `deps.store`. */
export const queryEngineOf = (deps: ApiDeps): QueryEngine =>
  deps.queryEngine ?? new LocalQueryEngine({ store: deps.store, now: () => deps.clock.now() });
