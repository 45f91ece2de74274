/**
 * The AWS ports the functions' composition roots share, each loaded on first use
 * (`deferred.ts`): the environment is read and checked here, at init; the adapter module and its
 * SDK client are imported when the port is first called. A function on Timestream never loads the
 * AMP adapters, nor a function that only writes the query clients.
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { EmfMetricsMirror } from '../adapters/mirror/emf-metrics-mirror';
import type { CloudWatchConfig, StoreKind } from '../domain/config/types';
import { withoutNameBudgets } from '../domain/ingest/name-budget';
import type {
  AlertStateStore,
  CardinalityTracker,
  Clock,
  EventStore,
  PushGroupStore,
  SeriesStore,
} from '../domain/ports';
import type { QueryEngine } from '../domain/query/query-engine';
import { requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { countMetric } from '../shared/powertools';
import { VigilMetric } from '../shared/vigil-metrics';
import { deferred, deferredSeriesStore } from './deferred';

const systemClock: Clock = { now: () => Date.now() };

/**
 * A port this function was deployed without (no table bound, or one it never writes through):
 * using it is a deployment bug. `why` says which, e.g. `VIGIL_SERIES_INDEX_TABLE unset`.
 */
const notBound = <T extends object>(what: string, why: string): T =>
  new Proxy({} as T, {
    get: () => () => Promise.reject(new Error(`${what} is not bound to this function (${why})`)),
  });

/**
 * The prediction-event store the CDK construct bound (`Storage.bindEvents`): the S3 bucket of
 * NDJSON day objects when `VIGIL_EVENTS_BUCKET` is set (`store: amp`), else the Timestream
 * `events` table.
 */
const awsEventStore = (): EventStore => {
  const bucket = getStringFromEnv({ key: ENV.EVENTS_BUCKET, defaultValue: '' });
  if (bucket) {
    return deferred(
      async () => new (await import('../adapters/events/s3-event-store')).S3EventStore({ bucket }),
      ['write', 'query'],
    );
  }
  const database = requireEnv(ENV.EVENTS_DATABASE, 'Timestream database of the events table');
  const table = requireEnv(ENV.EVENTS_TABLE, 'Timestream events table');
  return deferred(async () => {
    const { TimestreamEventStore } = await import('../adapters/events/timestream-event-store');
    return new TimestreamEventStore({ database, table });
  }, ['write', 'query']);
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
  const tracker = deferred(async () => {
    const { DynamoDbCardinalityTracker } = await import(
      '../adapters/cardinality/dynamodb-cardinality-tracker'
    );
    return new DynamoDbCardinalityTracker({ tableName });
  }, ['admit', 'admitNames']);
  return storeKindFromEnv() === 'amp' ? withoutNameBudgets(tracker) : tracker;
};

/** The Pushgateway groups table's store. */
const awsPushGroups = (tableName: string): PushGroupStore =>
  deferred(async () => {
    const { DynamoDbPushGroupStore } = await import(
      '../adapters/push-groups/dynamodb-push-group-store'
    );
    return new DynamoDbPushGroupStore({ tableName });
  }, ['get', 'put', 'delete', 'list']);

/** The alert-state table's versioned documents (rule state, silences, scrape state, deliveries). */
const awsAlertStateStore = (tableName: string): AlertStateStore =>
  deferred(async () => {
    const { DynamoDbAlertStateStore } = await import(
      '../adapters/alert-state/dynamodb-alert-state-store'
    );
    return new DynamoDbAlertStateStore({ tableName });
  }, ['load', 'save']);

/** The EMF mirror of allow-listed series (no SDK: lines on stdout). */
const awsMirror = (config: CloudWatchConfig) => new EmfMetricsMirror({ config });

/** Options of {@link awsSamples}. */
interface AwsSamplesOptions {
  /**
   * Whether a Timestream `select` first counts its rows and refuses a selection over the read
   * ceiling (`docs/limits-timestream.md`): on for the query API, whose requests are users' and
   * must answer within API Gateway's time, off for callers whose queries are bounded by their own
   * configuration (the rule evaluator), so each select is one query. @default true
   */
  readonly readCeiling?: boolean;
}

/**
 * The samples this function writes and reads through the `SeriesStore`: Timestream, or the
 * Amazon Managed Service for Prometheus workspace of `VIGIL_AMP_WORKSPACE_URL` (written through
 * remote_write, SigV4-signed for service `aps` in `VIGIL_AMP_REGION` with the function's role;
 * its reads go to {@link awsRemoteQueryEngine}).
 */
const awsSampleStore = (options: AwsSamplesOptions = {}): SeriesStore => {
  if (storeKindFromEnv() === 'amp') {
    const url = requireEnv(ENV.AMP_WORKSPACE_URL, 'AMP workspace URL');
    const region = requireEnv(ENV.AMP_REGION, 'AMP workspace region');
    return deferredSeriesStore(async () => {
      const [{ createSigV4Fetch }, { AmpRemoteWriteWriter }, { RemoteWriteSeriesStore }] =
        await Promise.all([
          import('../adapters/aws/sigv4-fetch'),
          import('../adapters/storage/amp/amp-remote-write-writer'),
          import('../adapters/storage/amp/remote-write-series-store'),
        ]);
      const writer = new AmpRemoteWriteWriter({
        endpoint: `${url}/api/v1/remote_write`,
        fetch: createSigV4Fetch({ region, service: 'aps' }),
        // Self-monitoring (vigil-metrics.ts): throttled requests and refused samples, as EMF.
        onThrottled: () => countMetric(VigilMetric.AmpRemoteWriteThrottled, 1),
        onRejectedSamples: (n) => countMetric(VigilMetric.AmpRejectedSamples, n),
        onFailedRequest: () => countMetric(VigilMetric.AmpRemoteWriteFailures, 1),
      });
      return new RemoteWriteSeriesStore({ writer });
    });
  }
  const database = requireEnv(ENV.SAMPLES_DATABASE, 'Timestream database');
  const table = requireEnv(ENV.SAMPLES_TABLE, 'Timestream samples table');
  return deferredSeriesStore(async () => {
    const { TimestreamSeriesStore } = await import('../adapters/storage/timestream-series-store');
    return new TimestreamSeriesStore({
      database,
      table,
      // Self-monitoring (vigil-metrics.ts): throttled requests and rejected records, as EMF.
      onThrottled: () => countMetric(VigilMetric.TimestreamThrottled, 1),
      onRejectedRecords: (n) => countMetric(VigilMetric.TimestreamRejectedRecords, n),
      ...(options.readCeiling === false ? { maxRows: Number.POSITIVE_INFINITY } : {}),
    });
  });
};

/**
 * With `store: amp`, the workspace's Prometheus query API (SigV4-signed), which evaluates PromQL
 * itself; on Timestream none: Vigil's engine runs over the store.
 */
const awsRemoteQueryEngine = (): QueryEngine | undefined => {
  if (storeKindFromEnv() !== 'amp') return undefined;
  const url = requireEnv(ENV.AMP_WORKSPACE_URL, 'AMP workspace URL');
  const region = requireEnv(ENV.AMP_REGION, 'AMP workspace region');
  return deferred(async () => {
    const [{ createSigV4Fetch }, { PrometheusApiQueryEngine }] = await Promise.all([
      import('../adapters/aws/sigv4-fetch'),
      import('../adapters/query/prometheus-api-query-engine'),
    ]);
    return new PrometheusApiQueryEngine({
      baseUrl: url,
      fetch: createSigV4Fetch({ region, service: 'aps' }),
    });
  }, ['instantQuery', 'rangeQuery', 'series', 'labelNames', 'labelValues', 'metadata', 'latest']);
};

/** The sample store and, with `store: amp`, the remote query engine. */
const awsSamples = (
  options: AwsSamplesOptions = {},
): { store: SeriesStore; queryEngine?: QueryEngine } => {
  const store = awsSampleStore(options);
  const queryEngine = awsRemoteQueryEngine();
  return queryEngine ? { store, queryEngine } : { store };
};

export type { AwsSamplesOptions };
export {
  awsAlertStateStore,
  awsCardinality,
  awsEventStore,
  awsMirror,
  awsPushGroups,
  awsRemoteQueryEngine,
  awsSampleStore,
  awsSamples,
  notBound,
  storeKindFromEnv,
  systemClock,
};
