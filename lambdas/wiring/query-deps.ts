/**
 * Composition root of the read functions (`query`, `read-series`): the samples as PromQL reads
 * them (pushed groups added on read on Timestream, the workspace's own engine with `store: amp`),
 * with the Timestream read ceiling on: a user's query over it is refused up front
 * (`docs/limits-timestream.md`). Every adapter loads on first use.
 */
import { getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import type { ApiDeps } from '../api/deps';
import { loadRuntimeConfig } from '../shared/config';
import { ENV } from '../shared/env';
import { awsPushGroups, awsSamples, notBound, systemClock } from './aws-deps';
import { pushAware } from './push-aware';

const awsQueryApiDeps = (): ApiDeps => {
  const config = loadRuntimeConfig();
  const pushTable = getStringFromEnv({ key: ENV.PUSH_GROUPS_TABLE, defaultValue: '' });
  const samples = awsSamples({ readCeiling: true });
  const pushGroups = pushTable ? awsPushGroups(pushTable) : undefined;
  return {
    store: pushAware(samples, pushGroups, config),
    // The read endpoints write nothing: no series index.
    cardinality: notBound('the series index table', `${ENV.SERIES_INDEX_TABLE} unset`),
    mirror: notBound('the CloudWatch metric mirror', 'the read endpoints write no samples'),
    pushGroups:
      pushGroups ?? notBound('the Pushgateway groups table', `${ENV.PUSH_GROUPS_TABLE} unset`),
    clock: systemClock,
    config,
    ...(samples.queryEngine ? { queryEngine: samples.queryEngine } : {}),
  };
};

export { awsQueryApiDeps };
