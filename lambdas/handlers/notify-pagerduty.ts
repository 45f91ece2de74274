import { awsNotifyDeps } from '../notify/aws-notify-deps';
import { makeSnsNotifyHandler } from '../notify/sns-delivery';

/**
 * Lambda entry point of the PagerDuty notifier (subscribed to the SNS topics whose severity has
 * `pagerduty: true`): sends Events API v2 trigger/resolve events with the routing key held in
 * Secrets Manager.
 */
export const handler = makeSnsNotifyHandler(awsNotifyDeps('pagerduty'));
