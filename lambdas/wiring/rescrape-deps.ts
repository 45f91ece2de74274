/**
 * Composition root of the Pushgateway re-emission function (`store: amp`): the groups table and
 * the sample store it writes to, loaded on first use.
 */
import type { RescrapeDeps } from '../domain/pushgateway/push-rescrape';
import { loadRuntimeConfig, requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { awsPushGroups, awsSampleStore } from './aws-deps';

const awsRescrapeDeps = (): RescrapeDeps => ({
  groups: awsPushGroups(requireEnv(ENV.PUSH_GROUPS_TABLE, 'Pushgateway groups table')),
  store: awsSampleStore(),
  intervalMs: loadRuntimeConfig().pushgateway.scrapeIntervalSeconds * 1000,
});

export { awsRescrapeDeps };
