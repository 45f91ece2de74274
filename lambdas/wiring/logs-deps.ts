/**
 * Composition root of the log ingest functions (`ingest-logs`, `ingest-loki`): CloudWatch Logs (a
 * group per configured service, the default group for the others; `ENV.LOGS_CONFIG`), the
 * prediction-event store, DynamoDB counters on the series-index table, and the ingest ports for
 * `vigil_log_events_total`. Every adapter loads on first use.
 */
import type { LogsApiDeps } from '../api/ingest-logs';
import { logGroupResolver } from '../domain/logs/log-groups';
import type { LogsConfig } from '../domain/logs/logs-config';
import { loadRuntimeConfig, requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { awsEventStore, systemClock } from './aws-deps';
import { deferred } from './deferred';
import { awsIngestPorts } from './ingest-deps';

const awsLogsApiDeps = (): LogsApiDeps => {
  const config = loadRuntimeConfig();
  const { project, logs } = JSON.parse(requireEnv(ENV.LOGS_CONFIG, 'logs config')) as {
    project: string;
    logs: LogsConfig;
  };
  const counterTable = requireEnv(ENV.SERIES_INDEX_TABLE, 'series index table (counters)');
  const logGroupOf = logGroupResolver(project, logs.services);
  return {
    ...awsIngestPorts(config),
    clock: systemClock,
    config,
    logs,
    logSink: deferred(async () => {
      const { CloudWatchLogSink } = await import('../adapters/logs/cloudwatch-log-sink');
      return new CloudWatchLogSink({ logGroupOf, clock: systemClock });
    }, ['put']),
    events: awsEventStore(),
    counters: deferred(async () => {
      const { DynamoDbCounterStore } = await import('../adapters/counters/dynamodb-counter-store');
      return new DynamoDbCounterStore({ table: counterTable });
    }, ['add']),
  };
};

export { awsLogsApiDeps };
