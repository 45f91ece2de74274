import type { ApiDeps } from '../api/deps';
import { DynamoDbCardinalityTracker } from '../adapters/cardinality/dynamodb-cardinality-tracker';
import { EmfMetricsMirror } from '../adapters/mirror/emf-metrics-mirror';
import { DynamoDbPushGroupStore } from '../adapters/push-groups/dynamodb-push-group-store';
import { TimestreamSeriesStore } from '../adapters/storage/timestream-series-store';
import { PushAwareSeriesStore } from '../domain/pushgateway/push-aware-series-store';
import { loadRuntimeConfig, requireEnv } from './config';
import { ENV } from './env';

const systemClock = { now: () => Date.now() };

/**
 * The AWS adapters behind the HTTP endpoints, built once per container from the environment the
 * CDK construct set (see `ENV`). Handlers call this at module scope.
 */
const awsApiDeps = (): ApiDeps => {
  const config = loadRuntimeConfig();
  const pushGroups = new DynamoDbPushGroupStore({
    tableName: requireEnv(ENV.PUSH_GROUPS_TABLE, 'Pushgateway groups table'),
  });
  const inner = new TimestreamSeriesStore({
    database: requireEnv(ENV.SAMPLES_DATABASE, 'Timestream database'),
    table: requireEnv(ENV.SAMPLES_TABLE, 'Timestream samples table'),
  });
  return {
    store: new PushAwareSeriesStore({
      inner,
      groups: pushGroups,
      scrapeIntervalMs: config.pushgateway.scrapeIntervalSeconds * 1000,
      clock: systemClock,
    }),
    cardinality: new DynamoDbCardinalityTracker({
      tableName: requireEnv(ENV.SERIES_INDEX_TABLE, 'series index table'),
    }),
    mirror: new EmfMetricsMirror({ config: config.cloudwatch }),
    pushGroups,
    clock: systemClock,
    config,
  };
};

export { awsApiDeps, systemClock };
