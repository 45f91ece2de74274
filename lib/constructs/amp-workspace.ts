import { Arn, ArnFormat, CfnOutput, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnWorkspace } from 'aws-cdk-lib/aws-aps';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { workspaceIdOf } from '../../lambdas/domain/config/store';
import type { AmpConfig } from '../../lambdas/domain/config/types';
import { ENV } from '../../lambdas/shared/env';
import { Access, type BindOptions } from './access';

/**
 * What a remote-write sender needs on a workspace: `aps:RemoteWrite` (`POST
 * /workspaces/<id>/api/v1/remote_write`), resource type `workspace`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedserviceforprometheus.html
 */
export const AMP_WRITE_ACTIONS = ['aps:RemoteWrite'] as const;

/**
 * What a reader of the Prometheus-compatible query API needs on a workspace: `aps:QueryMetrics`
 * (`query`, `query_range`), `aps:GetSeries` (`series`), `aps:GetLabels` (`labels`, label values)
 * and `aps:GetMetricMetadata` (`metadata`), each on the workspace ARN.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedserviceforprometheus.html
 * https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-and-IAM.html
 */
export const AMP_READ_ACTIONS = [
  'aps:QueryMetrics',
  'aps:GetSeries',
  'aps:GetLabels',
  'aps:GetMetricMetadata',
] as const;

export interface AmpWorkspaceProps {
  /** Project name: the created workspace's alias is `vigil-<project>`. */
  readonly project: string;
  /** `amp:` of the config: an existing workspace's ARN, or the retention of a new one. */
  readonly amp: AmpConfig;
  /**
   * Customer-managed key of a created workspace (AMP supports a symmetric customer-managed key,
   * chosen at creation only; it uses the key through grants made when the workspace is created,
   * so callers of the workspace need no KMS permission).
   * https://docs.aws.amazon.com/prometheus/latest/userguide/encryption-at-rest-Amazon-Service-Prometheus.html
   */
  readonly encryptionKey: IKey;
  /** What happens to a created workspace when it leaves the stack. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Vigil's Amazon Managed Service for Prometheus workspace (`store: amp`): one the stack creates
 * (`AWS::APS::Workspace`: alias `vigil-<project>`, Vigil's KMS key, `amp.retentionDays` as
 * `WorkspaceConfiguration.RetentionPeriodInDays`) or the one `amp.workspaceArn` names. Outputs
 * its id, ARN and query URL (a Grafana "Amazon Managed Service for Prometheus" data source takes
 * the URL directly).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-aps-workspace.html
 */
class AmpWorkspace extends Construct {
  /** The workspace the stack created; undefined when `amp.workspaceArn` names an existing one. */
  readonly workspace?: CfnWorkspace;
  readonly workspaceArn: string;
  readonly workspaceId: string;
  /** `https://aps-workspaces.<region>.<suffix>/workspaces/<id>`, no trailing slash. */
  readonly workspaceUrl: string;
  readonly region: string;

  constructor(scope: Construct, id: string, props: AmpWorkspaceProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const given = props.amp.workspaceArn;
    if (given) {
      const workspaceId = workspaceIdOf(given);
      if (!workspaceId) throw new Error(`amp.workspaceArn is not a workspace ARN: ${given}`);
      this.workspaceArn = given;
      this.workspaceId = workspaceId;
      this.region = Arn.split(given, ArnFormat.SLASH_RESOURCE_NAME).region ?? stack.region;
    } else {
      this.workspace = new CfnWorkspace(this, 'Workspace', {
        alias: `vigil-${props.project}`,
        kmsKeyArn: props.encryptionKey.keyArn,
        workspaceConfiguration: { retentionPeriodInDays: props.amp.retentionDays },
      });
      this.workspace.applyRemovalPolicy(props.removalPolicy);
      this.workspaceArn = this.workspace.attrArn;
      this.workspaceId = this.workspace.attrWorkspaceId;
      this.region = stack.region;
    }
    this.workspaceUrl = `https://aps-workspaces.${this.region}.${stack.urlSuffix}/workspaces/${this.workspaceId}`;

    new CfnOutput(this, 'WorkspaceId', {
      description: 'Amazon Managed Service for Prometheus workspace id',
      value: this.workspaceId,
    });
    new CfnOutput(this, 'WorkspaceArn', {
      description: 'Amazon Managed Service for Prometheus workspace ARN',
      value: this.workspaceArn,
    });
    new CfnOutput(this, 'WorkspaceQueryUrl', {
      description:
        'Prometheus query URL of the workspace (Grafana: Amazon Managed Service for Prometheus data source, SigV4 auth)',
      value: this.workspaceUrl,
    });
  }

  /**
   * Gives a function the workspace: sets `VIGIL_STORE=amp`, `VIGIL_AMP_WORKSPACE_ID`,
   * `VIGIL_AMP_WORKSPACE_URL` and `VIGIL_AMP_REGION`, and grants {@link AMP_WRITE_ACTIONS} (RW,
   * WO) and/or {@link AMP_READ_ACTIONS} (RW, RO) on the workspace ARN only.
   */
  bindWorkspace(fn: LambdaFunction, options: BindOptions): void {
    fn.addEnvironment(ENV.STORE, 'amp');
    fn.addEnvironment(ENV.AMP_WORKSPACE_ID, this.workspaceId);
    fn.addEnvironment(ENV.AMP_WORKSPACE_URL, this.workspaceUrl);
    fn.addEnvironment(ENV.AMP_REGION, this.region);
    const actions = {
      [Access.ReadWrite]: [...AMP_WRITE_ACTIONS, ...AMP_READ_ACTIONS],
      [Access.WriteOnly]: [...AMP_WRITE_ACTIONS],
      [Access.ReadOnly]: [...AMP_READ_ACTIONS],
    }[options.access];
    fn.addToRolePolicy(new PolicyStatement({ actions, resources: [this.workspaceArn] }));
  }
}

export { AmpWorkspace };
