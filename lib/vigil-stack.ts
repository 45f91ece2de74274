import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { VigilConfig } from '../lambdas/domain/config/types';
import { AlertTopics } from './constructs/alert-topics';
import { putSecretValueCommand } from './constructs/notification-channels';
import { Vigil, type VigilProps } from './vigil';

export interface VigilStackProps extends StackProps {
  /** The validated `vigil.config.yaml`. */
  readonly config: VigilConfig;
  /** Further `Vigil` options. @default {} */
  readonly vigil?: Omit<VigilProps, 'config'>;
}

/** A stack holding one `Vigil` and the outputs a user needs: the API URL and each client's key. */
class VigilStack extends Stack {
  readonly vigil: Vigil;

  constructor(scope: Construct, id: string, props: VigilStackProps) {
    super(scope, id, props);
    this.vigil = new Vigil(this, 'Monitoring', { ...props.vigil, config: props.config });

    new CfnOutput(this, 'ApiUrl', {
      description:
        'Base URL of the Vigil API (append ingest/metrics, api/v1/write, metrics/job/...)',
      value: this.vigil.apiUrl,
    });
    for (const [severity, topic] of Object.entries(this.vigil.alertTopics.topics)) {
      new CfnOutput(this, AlertTopics.outputIdOf(severity), {
        description: `SNS topic of ${severity} alerts${severity === this.vigil.alertTopics.defaultSeverity ? ' (and of alerts without a topic of their own)' : ''}: subscribe on-call here`,
        value: topic.topicArn,
      });
    }
    const { slack, pagerduty } = this.vigil.notificationChannels;
    if (slack) {
      new CfnOutput(this, 'SlackWebhookSecretCommand', {
        description: 'Stores the Slack incoming-webhook URL the Slack notifier posts to',
        value: putSecretValueCommand(
          slack.secret.secretArn,
          'https://hooks.slack.com/services/T000/B000/XXXX',
        ),
      });
    }
    if (pagerduty) {
      new CfnOutput(this, 'PagerDutyRoutingKeySecretCommand', {
        description: 'Stores the PagerDuty Events API v2 routing key the PagerDuty notifier uses',
        value: putSecretValueCommand(pagerduty.secret.secretArn, '<routing-key>'),
      });
    }
    for (const { clientName, apiKey } of this.vigil.ingestApi.clientKeys) {
      const outputId = `ApiKey${clientName.replace(/[^A-Za-z0-9]/g, '')}`;
      new CfnOutput(this, `${outputId}Id`, {
        description: `API key id of client ${clientName}`,
        value: apiKey.keyId,
      });
      new CfnOutput(this, `${outputId}Command`, {
        description: `Prints the API key of client ${clientName}`,
        value: `aws apigateway get-api-key --api-key ${apiKey.keyId} --include-value --query value --output text`,
      });
    }
  }
}

export { VigilStack };
