import { awsNotifyDeps } from '../notify/aws-notify-deps';
import { makeSnsNotifyHandler } from '../notify/sns-delivery';

/**
 * Lambda entry point of the Slack notifier (subscribed to the SNS topics whose severity has
 * `slack: true`): posts each alert notification to the Slack webhook held in Secrets Manager.
 */
export const handler = makeSnsNotifyHandler(awsNotifyDeps('slack'));
