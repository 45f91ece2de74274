import { createHash } from 'node:crypto';
import { Duration, Validations } from 'aws-cdk-lib';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import {
  InstanceProfile,
  ManagedPolicy,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { CfnAssociation, CfnDocument, ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  assertMetricsInsights,
  checkMetricsInsightsAlarm,
  MAX_TIME_SERIES,
  miQuery,
} from '../../lambdas/domain/dashboards/metrics-insights';
import { agentConfigJson } from '../../lambdas/domain/gpu/agent-config';
import {
  CW_GPU_METRIC,
  CWAGENT_NAMESPACE,
  GPU_DIMENSIONS,
} from '../../lambdas/domain/gpu/cwagent-metrics';
import type { GpuConfig, GpuThresholdAlarm } from '../../lambdas/domain/gpu/gpu-config';
import {
  GPU_MEMORY_PERCENT_DIMENSIONS,
  GPU_MEMORY_USED_PERCENT,
} from '../../lambdas/domain/gpu/import-mapping';
import { ENV } from '../../lambdas/shared/env';
import type { AlertTopics } from './alert-topics';
import { Access, type Storage } from './storage';
import { VigilFunction, type VigilFunctionProps } from './vigil-function';

/**
 * The AWS managed policies a GPU instance's role needs: the agent writes metrics and reads its
 * `AmazonCloudWatch-*` parameter (CloudWatchAgentServerPolicy), and Systems Manager runs the
 * associations on it (AmazonSSMManagedInstanceCore).
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/create-iam-roles-for-cloudwatch-agent-commandline.html
 */
const GPU_INSTANCE_MANAGED_POLICIES = [
  'CloudWatchAgentServerPolicy',
  'AmazonSSMManagedInstanceCore',
] as const;

/**
 * When State Manager applies the agent to the tagged instances.
 *
 * An association runs when it is created, when it is updated, and when target changes are
 * detected (a newly tagged or newly registered instance); a schedule only adds recurring runs.
 * The configure association therefore has no schedule: it installs the agent, then applies the
 * configuration and restarts the agent, once per instance at deploy, on every configuration
 * change (the configuration's SHA-256 is one of its parameters, so a new configuration updates
 * the association) and on each new instance, and never again on its own: a recurring configure
 * would restart every agent on every run.
 *
 * Install and configure are two steps of one Command document, so the configuration never runs
 * before the agent exists on a new instance. The separate update association only installs
 * (updates) the agent, weekly, and with `ApplyOnlyAtCronInterval` it does not also run at
 * creation or for new instances, where it would race the configure association.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/state-manager-about.html#state-manager-about-scheduling
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateAssociation.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/reference-cron-and-rate-expressions.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html (aws:runDocument)
 */
const UPDATE_SCHEDULE = 'cron(0 4 ? * SUN *)';

/** Parameter of the agent document carrying the configuration's SHA-256 (see above). */
const CONFIG_SHA256_PARAMETER = 'configSha256';

/**
 * The Command document run on each tagged instance: `AWS-ConfigureAWSPackage` installs
 * `AmazonCloudWatchAgent`, then `AmazonCloudWatch-ManageAgent` applies the configuration from
 * the SSM parameter (mode `ec2`) and restarts the agent. `aws:runDocument` steps run in order.
 *
 * @param parameterName - the `AmazonCloudWatch-…` parameter holding the agent configuration
 */
const installAndConfigureDocument = (parameterName: string) => ({
  schemaVersion: '2.2',
  description:
    'Vigil: installs the CloudWatch agent, then applies its GPU configuration from SSM Parameter Store and restarts it.',
  parameters: {
    [CONFIG_SHA256_PARAMETER]: {
      type: 'String',
      default: '',
      description:
        'SHA-256 of the agent configuration: a new value updates the association, which applies the new configuration.',
    },
  },
  mainSteps: [
    {
      action: 'aws:runDocument',
      name: 'installAgent',
      inputs: {
        documentType: 'SSMDocument',
        documentPath: 'AWS-ConfigureAWSPackage',
        documentParameters: { action: 'Install', name: 'AmazonCloudWatchAgent' },
      },
    },
    {
      action: 'aws:runDocument',
      name: 'configureAgent',
      inputs: {
        documentType: 'SSMDocument',
        documentPath: 'AmazonCloudWatch-ManageAgent',
        documentParameters: {
          action: 'configure',
          mode: 'ec2',
          optionalConfigurationSource: 'ssm',
          optionalConfigurationLocation: parameterName,
          optionalRestart: 'yes',
        },
      },
    },
  ],
});

export interface GpuMonitoringProps {
  /** Resource name prefix part (`vigil-<project>`). */
  readonly project: string;
  /** `gpu:` of vigil.config.yaml. */
  readonly gpu: GpuConfig;
  /** CloudWatch namespace of Vigil's mirrored metrics (`cloudwatch.namespace`). */
  readonly mirrorNamespace: string;
  /** Alarm actions by severity. */
  readonly alertTopics: AlertTopics;
  /** Samples and series index, written by the import. */
  readonly storage: Storage;
  /** House defaults shared by every Vigil function. @default {} */
  readonly functionProps?: Partial<VigilFunctionProps>;
}

/**
 * GPU instances through the CloudWatch agent:
 *
 * - an SSM parameter `AmazonCloudWatch-vigil-<project>-gpu` holding the agent configuration (the
 *   `AmazonCloudWatch-` prefix is what CloudWatchAgentServerPolicy lets an instance read);
 * - on the instances tagged `gpu.instanceTag`, a State Manager association running a Command
 *   document that installs `AmazonCloudWatchAgent` and then applies the configuration (mode
 *   `ec2`, restart) at deploy, on configuration changes and on new instances, and a weekly
 *   association that keeps the agent up to date (see {@link UPDATE_SCHEDULE});
 * - optionally a role and instance profile with the managed policies the instances need;
 * - alarms as Metrics Insights queries grouped by instance and GPU (an alarm on a query returning
 *   several series has one contributor per series and follows new instances; plain metric or
 *   SEARCH alarms cannot): temperature and idle on `CWAgent` directly, memory used % on the
 *   `gpu_memory_used_percent` metric the import mirrors (an alarm cannot divide two queries);
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html
 * - the scheduled import of `CWAgent` GPU metrics into the series store.
 */
class GpuMonitoring extends Construct {
  readonly agentConfigParameter: StringParameter;
  /** Installs the agent, then applies the configuration (one Command document). */
  readonly agentDocument: CfnDocument;
  /** Installs (updates) the agent weekly on the tagged instances. */
  readonly updateAssociation: CfnAssociation;
  /** Runs {@link agentDocument} at deploy, on configuration changes and on new instances. */
  readonly configureAssociation: CfnAssociation;
  /** The role to give GPU instances, when `gpu.createInstanceRole`. */
  readonly instanceRole?: Role;
  readonly instanceProfile?: InstanceProfile;
  /** Alarm by name: `temperature`, `memoryUsed`, `idle` (those enabled). */
  readonly alarms: Readonly<Record<string, CfnAlarm>>;
  /** The import function, when `gpu.import.enabled`. */
  readonly importFunction?: VigilFunction;

  constructor(scope: Construct, id: string, props: GpuMonitoringProps) {
    super(scope, id);
    const { gpu, project } = props;
    const parameterName = `AmazonCloudWatch-vigil-${project}-gpu`;
    const agentConfig = agentConfigJson(gpu);

    this.agentConfigParameter = new StringParameter(this, 'AgentConfig', {
      parameterName,
      description: `Vigil (${project}): CloudWatch agent configuration for GPU instances (nvidia_gpu, cpu, mem, disk)`,
      stringValue: agentConfig,
      tier: ParameterTier.STANDARD,
    });

    const targets = [{ key: `tag:${gpu.instanceTag.key}`, values: [gpu.instanceTag.value] }];
    this.agentDocument = new CfnDocument(this, 'AgentDocument', {
      documentType: 'Command',
      documentFormat: 'JSON',
      targetType: '/AWS::EC2::Instance',
      content: installAndConfigureDocument(parameterName),
    });
    this.updateAssociation = new CfnAssociation(this, 'InstallAgent', {
      associationName: `vigil-${project}-gpu-update-cloudwatch-agent`,
      name: 'AWS-ConfigureAWSPackage',
      parameters: { action: ['Install'], name: ['AmazonCloudWatchAgent'] },
      targets,
      scheduleExpression: UPDATE_SCHEDULE,
      applyOnlyAtCronInterval: true,
    });
    this.configureAssociation = new CfnAssociation(this, 'ConfigureAgent', {
      associationName: `vigil-${project}-gpu-configure-cloudwatch-agent`,
      name: this.agentDocument.ref,
      parameters: {
        [CONFIG_SHA256_PARAMETER]: [createHash('sha256').update(agentConfig).digest('hex')],
      },
      targets,
    });
    // The configuration must exist (and be current) before a run reads it.
    this.configureAssociation.node.addDependency(this.agentConfigParameter);

    if (gpu.createInstanceRole) {
      this.instanceRole = new Role(this, 'InstanceRole', {
        description: `Vigil (${project}): role for GPU instances running the CloudWatch agent`,
        assumedBy: new ServicePrincipal('ec2.amazonaws.com'),
        managedPolicies: GPU_INSTANCE_MANAGED_POLICIES.map((p) =>
          ManagedPolicy.fromAwsManagedPolicyName(p),
        ),
      });
      for (const policy of GPU_INSTANCE_MANAGED_POLICIES) {
        Validations.of(this.instanceRole).acknowledge({
          id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
          reason: `${policy} is the AWS-maintained policy the CloudWatch agent and SSM Agent documentation prescribe for instances; AWS updates it with the agents, which a copy would miss.`,
        });
      }
      this.instanceProfile = new InstanceProfile(this, 'InstanceProfile', {
        role: this.instanceRole,
      });
    }

    const alarms: Record<string, CfnAlarm> = {};
    const { temperature, memoryUsed, idle } = gpu.alarms;
    // One datapoint per period: a period shorter than the agent's interval would be mostly empty.
    const minutePeriod = Math.max(60, gpu.collectionIntervalSeconds);
    // Per instance and GPU; the 500 series a query may return are the hottest / the most idle
    // ones when a fleet has more GPUs than that.
    const byGpu = [GPU_DIMENSIONS.instanceId, GPU_DIMENSIONS.index];
    if (temperature.enabled) {
      alarms.temperature = this.alarm('Temperature', props, temperature, {
        description: `GPU core temperature above ${temperature.threshold} °C for ${temperature.minutes} min (nvidia_smi_temperature_gpu, per instance and GPU)`,
        query: miQuery({
          fn: 'MAX',
          metric: CW_GPU_METRIC.temperatureGpu,
          namespace: CWAGENT_NAMESPACE,
          groupBy: byGpu,
          orderBy: { fn: 'MAX', direction: 'DESC' },
          limit: MAX_TIME_SERIES,
        }),
        comparison: 'GreaterThanThreshold',
        periodSeconds: minutePeriod,
        treatMissingData: 'notBreaching',
      });
    }
    if (idle.enabled) {
      alarms.idle = this.alarm('Idle', props, idle, {
        description: `GPU utilization below ${idle.threshold} % for ${idle.minutes} min while its instance reports (nvidia_smi_utilization_gpu): a paid GPU doing nothing`,
        query: miQuery({
          fn: 'MAX',
          metric: CW_GPU_METRIC.utilizationGpu,
          namespace: CWAGENT_NAMESPACE,
          groupBy: byGpu,
          orderBy: { fn: 'MAX', direction: 'ASC' },
          limit: MAX_TIME_SERIES,
        }),
        comparison: 'LessThanThreshold',
        periodSeconds: Math.max(300, minutePeriod),
        // A stopped instance sends nothing: no data is not idleness.
        treatMissingData: 'notBreaching',
      });
    }
    // The memory percentage exists only as the import's derived, mirrored metric.
    if (memoryUsed.enabled && gpu.import.enabled) {
      alarms.memoryUsed = this.alarm('MemoryUsed', props, memoryUsed, {
        description: `GPU memory used above ${memoryUsed.threshold} % of total for ${memoryUsed.minutes} min (gpu_memory_used_percent, imported every ${gpu.import.scheduleMinutes} min)`,
        query: miQuery({
          fn: 'MAX',
          metric: GPU_MEMORY_USED_PERCENT,
          namespace: props.mirrorNamespace,
          groupBy: GPU_MEMORY_PERCENT_DIMENSIONS,
          orderBy: { fn: 'MAX', direction: 'DESC' },
          limit: MAX_TIME_SERIES,
        }),
        comparison: 'GreaterThanThreshold',
        periodSeconds: minutePeriod,
        // Datapoints arrive with the import, minutes late: evaluate the latest ones present.
        treatMissingData: 'missing',
      });
    }
    this.alarms = alarms;

    if (gpu.import.enabled) this.importFunction = this.createImport(props);
  }

  private alarm(
    id: string,
    props: GpuMonitoringProps,
    cfg: GpuThresholdAlarm,
    spec: {
      description: string;
      query: string;
      comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
      periodSeconds: number;
      treatMissingData: 'notBreaching' | 'missing';
    },
  ): CfnAlarm {
    const topic = props.alertTopics.topics[cfg.severity] ?? props.alertTopics.defaultTopic;
    const periods = Math.max(1, Math.ceil((cfg.minutes * 60) / spec.periodSeconds));
    // A query or window CloudWatch would refuse (or evaluate otherwise) fails the synth here.
    assertMetricsInsights(
      `gpu.alarms (${id})`,
      checkMetricsInsightsAlarm({
        query: spec.query,
        periodSeconds: spec.periodSeconds,
        evaluationPeriods: periods,
        datapointsToAlarm: periods,
      }),
    );
    return new CfnAlarm(this, `${id}Alarm`, {
      alarmName: `vigil-${props.project}-gpu-${id.replace(/[A-Z]/g, (c, i) => (i === 0 ? c : `-${c}`)).toLowerCase()}`,
      alarmDescription: `Vigil (${props.project}), severity ${cfg.severity}: ${spec.description}`,
      metrics: [{ id: 'q1', expression: spec.query, period: spec.periodSeconds, returnData: true }],
      comparisonOperator: spec.comparison,
      threshold: cfg.threshold,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: spec.treatMissingData,
      actionsEnabled: true,
      alarmActions: [topic.topicArn],
      okActions: [topic.topicArn],
    });
  }

  private createImport(props: GpuMonitoringProps): VigilFunction {
    const { gpu } = props;
    const fn = new VigilFunction(this, 'ImportFunction', {
      ...props.functionProps,
      handlerName: 'import-gpu-metrics',
      description: `Vigil: imports CloudWatch agent GPU metrics (CWAgent) every ${gpu.import.scheduleMinutes} min`,
      timeout: Duration.seconds(120),
      environment: {
        ...props.functionProps?.environment,
        [ENV.GPU_IMPORT]: JSON.stringify({
          scheduleMinutes: gpu.import.scheduleMinutes,
          // GetMetricData's period: the collection interval, at least one minute (the agent's
          // sub-minute data would be high-resolution; one minute is what the series need).
          periodSeconds: Math.max(60, gpu.collectionIntervalSeconds),
        }),
      },
    });
    props.storage.bindSamples(fn, { access: Access.WriteOnly });
    props.storage.bindSeriesIndexTable(fn);
    // ListMetrics and GetMetricData support no resource-level permissions.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['cloudwatch:ListMetrics', 'cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    Validations.of(fn.role ?? fn).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:ListMetrics and cloudwatch:GetMetricData (read-only), like the X-Ray tracing actions, support no resource-level permission (the Service Authorization Reference lists no resource type), so Resource must be "*".',
    });
    new Rule(this, 'ImportSchedule', {
      description: `Vigil (${props.project}): imports GPU metrics from CWAgent`,
      schedule: Schedule.rate(Duration.minutes(gpu.import.scheduleMinutes)),
      targets: [
        new LambdaFunction(fn, {
          retryAttempts: 0,
          maxEventAge: Duration.minutes(gpu.import.scheduleMinutes),
        }),
      ],
    });
    return fn;
  }

  /** The agent configuration parameter's name, for instances outside the associations. */
  get parameterName(): string {
    return this.agentConfigParameter.parameterName;
  }
}

export {
  CONFIG_SHA256_PARAMETER,
  GPU_INSTANCE_MANAGED_POLICIES,
  GpuMonitoring,
  installAndConfigureDocument,
  UPDATE_SCHEDULE,
};
