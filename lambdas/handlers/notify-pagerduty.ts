import { awsNotifyDeps } from '../wiring/aws-notify-deps';
import type { SNSEvent } from 'aws-lambda';
import { makeSnsNotifyHandler } from '../notify/sns-delivery';
import { withLogContext } from '../shared/powertools';

/**
 * Lambda entry point of the PagerDuty notifier (subscribed to the SNS topics whose severity has
 * `pagerduty: true`): sends Events API v2 trigger/resolve events with the routing key held in
 * Secrets Manager.
 */
export const handler = withLogContext(
  makeSnsNotifyHandler(awsNotifyDeps('pagerduty')),
  (event: SNSEvent) => event.Records[0]?.Sns.MessageId,
);
