import type { RuntimeConfig } from '../domain/config/types';
import type {
  CardinalityTracker,
  Clock,
  MetricsMirror,
  PushGroupStore,
  SeriesStore,
} from '../domain/ports';

/**
 * What the HTTP endpoints need. Lambda handlers fill it with AWS adapters
 * (lambdas/shared/aws-deps.ts); the local server with embedded ones (bin/server.ts).
 * `store` is expected to be push-aware (PushAwareSeriesStore) so pushed groups stay visible.
 */
export interface ApiDeps {
  readonly store: SeriesStore;
  readonly cardinality: CardinalityTracker;
  readonly mirror: MetricsMirror;
  readonly pushGroups: PushGroupStore;
  readonly clock: Clock;
  readonly config: RuntimeConfig;
}
