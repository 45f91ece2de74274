/**
 * Composition root of the metric ingest functions (`ingest-metrics`, `ingest-pushgateway`,
 * `ingest-remote-write`): what the ingest pipeline writes through, nothing it would read with.
 * Every adapter loads on first use (`aws-deps.ts`).
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import type { ApiDeps } from '../api/deps';
import type { IngestPorts } from '../domain/ingest/ingest-series';
import { loadRuntimeConfig } from '../shared/config';
import { ENV } from '../shared/env';
import {
  awsCardinality,
  awsMirror,
  awsPushGroups,
  awsSampleStore,
  notBound,
  systemClock,
} from './aws-deps';

/** The ports of the ingest pipeline: the sample store, the series index and the EMF mirror. */
const awsIngestPorts = (config = loadRuntimeConfig()): IngestPorts => {
  const indexTable = getStringFromEnv({ key: ENV.SERIES_INDEX_TABLE, defaultValue: '' });
  return {
    store: awsSampleStore(),
    cardinality: indexTable
      ? awsCardinality(indexTable)
      : notBound('the series index table', `${ENV.SERIES_INDEX_TABLE} unset`),
    mirror: awsMirror(config.cloudwatch),
  };
};

/**
 * What an ingest endpoint's `make<X>Handler` takes: the ingest ports, the Pushgateway groups table
 * when the function has it, the runtime config. A new ingest endpoint's handler is
 * `make<X>Handler(awsIngestApiDeps())`.
 */
const awsIngestApiDeps = (): ApiDeps => {
  const config = loadRuntimeConfig();
  const pushTable = getStringFromEnv({ key: ENV.PUSH_GROUPS_TABLE, defaultValue: '' });
  return {
    ...awsIngestPorts(config),
    pushGroups: pushTable
      ? awsPushGroups(pushTable)
      : notBound('the Pushgateway groups table', `${ENV.PUSH_GROUPS_TABLE} unset`),
    clock: systemClock,
    config,
  };
};

export { awsIngestApiDeps, awsIngestPorts };
