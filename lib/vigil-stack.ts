import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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

/** Context key choosing `VigilProps.removalPolicy` from the command line (`cdk deploy -c …`). */
const REMOVAL_POLICY_CONTEXT = 'vigil:removalPolicy';

const REMOVAL_POLICIES: Readonly<Record<string, RemovalPolicy>> = {
  'retain-except-on-create': RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  retain: RemovalPolicy.RETAIN,
  destroy: RemovalPolicy.DESTROY,
};

/**
 * The removal policy named by the `vigil:removalPolicy` context value, e.g.
 * `npx cdk deploy -c vigil:removalPolicy=destroy` before a `cdk destroy` that should remove the
 * data too. Throws on a value that names no policy.
 * @param value - the context value; `undefined` means the default
 */
const removalPolicyFromContext = (value: unknown): RemovalPolicy | undefined => {
  if (value === undefined) return undefined;
  const policy = typeof value === 'string' ? REMOVAL_POLICIES[value] : undefined;
  if (!policy)
    throw new Error(
      `${REMOVAL_POLICY_CONTEXT}: ${JSON.stringify(value)} is not one of ${Object.keys(REMOVAL_POLICIES).join(', ')}`,
    );
  return policy;
};

/**
 * A stack holding one `Vigil` and the outputs a user needs: the API URL, each client's key, the
 * alert topics, the notifier secrets and, with GPU monitoring, the instance profile to attach.
 */
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
    const gpu = this.vigil.gpuMonitoring;
    if (gpu) {
      new CfnOutput(this, 'GpuAgentConfigParameterName', {
        description:
          'SSM parameter holding the CloudWatch agent configuration of GPU instances (amazon-cloudwatch-agent-ctl -c ssm:<name>)',
        value: gpu.parameterName,
      });
      if (gpu.instanceProfile) {
        new CfnOutput(this, 'GpuInstanceProfileName', {
          description:
            'Instance profile to attach to GPU instances (CloudWatchAgentServerPolicy, AmazonSSMManagedInstanceCore)',
          value: gpu.instanceProfile.instanceProfileName,
        });
        new CfnOutput(this, 'GpuInstanceProfileArn', {
          description: 'ARN of the GPU instance profile (for launch templates)',
          value: gpu.instanceProfile.instanceProfileArn,
        });
      }
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

export { REMOVAL_POLICY_CONTEXT, removalPolicyFromContext, VigilStack };
