import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { DynamoDbCardinalityTracker } from '../adapters/cardinality/dynamodb-cardinality-tracker';
import { DynamoDbCounterStore } from '../adapters/counters/dynamodb-counter-store';
import { S3EventStore } from '../adapters/events/s3-event-store';
import { TimestreamEventStore } from '../adapters/events/timestream-event-store';
import { CloudWatchLogSink } from '../adapters/logs/cloudwatch-log-sink';
import { EmfMetricsMirror } from '../adapters/mirror/emf-metrics-mirror';
import { DynamoDbPushGroupStore } from '../adapters/push-groups/dynamodb-push-group-store';
import { createSigV4Fetch } from '../adapters/aws/sigv4-fetch';
import { PrometheusApiQueryEngine } from '../adapters/query/prometheus-api-query-engine';
import { AmpRemoteWriteWriter } from '../adapters/storage/amp/amp-remote-write-writer';
import { RemoteWriteSeriesStore } from '../adapters/storage/amp/remote-write-series-store';
import { TimestreamSeriesStore } from '../adapters/storage/timestream-series-store';
import type { ApiDeps } from '../api/deps';
import type { LogsApiDeps } from '../api/ingest-logs';
import { withoutNameBudgets } from '../domain/ingest/name-budget';
import { logGroupResolver } from '../domain/logs/log-groups';
import type { LogsConfig } from '../domain/logs/logs-config';
import type { StoreKind } from '../domain/config/types';
import type { CardinalityTracker, EventStore, PushGroupStore, SeriesStore } from '../domain/ports';
import type { QueryEngine } from '../domain/query/query-engine';
import { PushAwareSeriesStore } from '../domain/pushgateway/push-aware-series-store';
import { loadRuntimeConfig, requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { countMetric } from '../shared/powertools';
import { VigilMetric } from '../shared/vigil-metrics';

const systemClock = { now: () => Date.now() };

/** A port this function was deployed without (no table bound): using it is a deployment bug. */
const notBound = <T extends object>(what: string, envName: string): T =>
  new Proxy({} as T, {
    get: () => () =>
      Promise.reject(new Error(`${what} is not bound to this function (${envName} unset)`)),
  });

/**
 * The prediction-event store the CDK construct bound (`Storage.bindEvents`): the S3 bucket of
 * NDJSON day objects when `VIGIL_EVENTS_BUCKET` is set (`store: amp`), else the Timestream
 * `events` table.
 */
const awsEventStore = (): EventStore => {
  const bucket = getStringFromEnv({ key: ENV.EVENTS_BUCKET, defaultValue: '' });
  if (bucket) return new S3EventStore({ bucket });
  return new TimestreamEventStore({
    database: requireEnv(ENV.EVENTS_DATABASE, 'Timestream database of the events table'),
    table: requireEnv(ENV.EVENTS_TABLE, 'Timestream events table'),
  });
};

/** The sample store this function was deployed with (`VIGIL_STORE`, set by `Storage.bindSamples`). */
const storeKindFromEnv = (): StoreKind => {
  const kind = getStringFromEnv({ key: ENV.STORE, defaultValue: 'timestream' });
  if (kind !== 'timestream' && kind !== 'amp') {
    throw new Error(`${ENV.STORE} must be timestream or amp, got ${JSON.stringify(kind)}`);
  }
  return kind;
};

/**
 * The series-index table's cardinality guard: series per metric, and with `store: timestream` the
 * samples table's label and metric name budgets (an AMP workspace has no such quotas).
 */
const awsCardinality = (tableName: string): CardinalityTracker => {
  const tracker = new DynamoDbCardinalityTracker({ tableName });
  return storeKindFromEnv() === 'amp' ? withoutNameBudgets(tracker) : tracker;
};

/**
 * The samples of this function: Timestream (written and read through the `SeriesStore`), or the
 * Amazon Managed Service for Prometheus workspace of `VIGIL_AMP_WORKSPACE_URL` (written through
 * remote_write, read through its Prometheus query API; both SigV4-signed for service `aps` in
 * `VIGIL_AMP_REGION` with the function's role).
 */
const awsSamples = (): { store: SeriesStore; queryEngine?: QueryEngine } => {
  if (storeKindFromEnv() === 'amp') {
    const url = requireEnv(ENV.AMP_WORKSPACE_URL, 'AMP workspace URL');
    const signed = createSigV4Fetch({
      region: requireEnv(ENV.AMP_REGION, 'AMP workspace region'),
      service: 'aps',
    });
    const writer = new AmpRemoteWriteWriter({
      endpoint: `${url}/api/v1/remote_write`,
      fetch: signed,
      // Self-monitoring (vigil-metrics.ts): throttled requests and refused samples, as EMF.
      onThrottled: () => countMetric(VigilMetric.AmpRemoteWriteThrottled, 1),
      onRejectedSamples: (n) => countMetric(VigilMetric.AmpRejectedSamples, n),
      onFailedRequest: () => countMetric(VigilMetric.AmpRemoteWriteFailures, 1),
    });
    return {
      store: new RemoteWriteSeriesStore({ writer }),
      queryEngine: new PrometheusApiQueryEngine({ baseUrl: url, fetch: signed }),
    };
  }
  return {
    store: new TimestreamSeriesStore({
      database: requireEnv(ENV.SAMPLES_DATABASE, 'Timestream database'),
      table: requireEnv(ENV.SAMPLES_TABLE, 'Timestream samples table'),
      // Self-monitoring (vigil-metrics.ts): throttled requests and rejected records, as EMF.
      onThrottled: () => countMetric(VigilMetric.TimestreamThrottled, 1),
      onRejectedRecords: (n) => countMetric(VigilMetric.TimestreamRejectedRecords, n),
    }),
  };
};

/**
 * The AWS adapters behind the HTTP endpoints, built once per container from the environment the
 * CDK construct set (see `ENV`). Each function gets only the tables its routes use (least
 * privilege); a port whose table is not bound fails loudly if it is ever called.
 */
const awsApiDeps = (): ApiDeps => {
  const config = loadRuntimeConfig();
  const pushTable = getStringFromEnv({ key: ENV.PUSH_GROUPS_TABLE, defaultValue: '' });
  const indexTable = getStringFromEnv({ key: ENV.SERIES_INDEX_TABLE, defaultValue: '' });
  const { store: samples, queryEngine } = awsSamples();
  const pushGroups: PushGroupStore = pushTable
    ? new DynamoDbPushGroupStore({ tableName: pushTable })
    : notBound('the Pushgateway groups table', ENV.PUSH_GROUPS_TABLE);
  const cardinality: CardinalityTracker = indexTable
    ? awsCardinality(indexTable)
    : notBound('the series index table', ENV.SERIES_INDEX_TABLE);
  // A remote engine cannot see pushes added on read: there, the re-emission function writes them.
  const store =
    pushTable && !queryEngine
      ? new PushAwareSeriesStore({
          inner: samples,
          groups: pushGroups,
          scrapeIntervalMs: config.pushgateway.scrapeIntervalSeconds * 1000,
          clock: systemClock,
        })
      : samples;
  return {
    store,
    cardinality,
    mirror: new EmfMetricsMirror({ config: config.cloudwatch }),
    pushGroups,
    clock: systemClock,
    config,
    ...(queryEngine ? { queryEngine } : {}),
  };
};

/**
 * The log ingest functions' adapters: CloudWatch Logs (a group per configured service, the
 * default group for the others; `ENV.LOGS_CONFIG`), the prediction-event store, DynamoDB
 * counters on the series-index table, and the metric ports for `vigil_log_events_total`.
 */
const awsLogsApiDeps = (): LogsApiDeps => {
  const api = awsApiDeps();
  const { project, logs } = JSON.parse(requireEnv(ENV.LOGS_CONFIG, 'logs config')) as {
    project: string;
    logs: LogsConfig;
  };
  return {
    store: api.store,
    cardinality: api.cardinality,
    mirror: api.mirror,
    clock: systemClock,
    config: api.config,
    logs,
    logSink: new CloudWatchLogSink({
      logGroupOf: logGroupResolver(project, logs.services),
      clock: systemClock,
    }),
    events: awsEventStore(),
    counters: new DynamoDbCounterStore({
      table: requireEnv(ENV.SERIES_INDEX_TABLE, 'series index table (counters)'),
    }),
  };
};

export {
  awsApiDeps,
  awsCardinality,
  awsEventStore,
  awsLogsApiDeps,
  awsSamples,
  storeKindFromEnv,
  systemClock,
};
