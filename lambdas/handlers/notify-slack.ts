import { awsNotifyDeps } from '../wiring/aws-notify-deps';
import type { SNSEvent } from 'aws-lambda';
import { makeSnsNotifyHandler } from '../notify/sns-delivery';
import { withLogContext } from '../shared/powertools';

/**
 * Lambda entry point of the Slack notifier (subscribed to the SNS topics whose severity has
 * `slack: true`): posts each alert notification to the Slack webhook held in Secrets Manager.
 */
export const handler = withLogContext(
  makeSnsNotifyHandler(awsNotifyDeps('slack')),
  (event: SNSEvent) => event.Records[0]?.Sns.MessageId,
);
