import { createHash } from 'node:crypto';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { checkMetricsInsightsAlarm } from '../../lambdas/domain/dashboards/metrics-insights';
import { DEFAULT_GPU_CONFIG, type GpuConfig } from '../../lambdas/domain/gpu/gpu-config';
import { ENV } from '../../lambdas/shared/env';
import { buildTestStack, type CfnJson, resourcesOf, vigilFunctionsOf } from './helpers';
import { TEST_CONFIG } from './test-config';

const GPU: GpuConfig = {
  ...DEFAULT_GPU_CONFIG,
  enabled: true,
  instanceTag: { key: 'team', value: 'ml-gpu' },
  collectionIntervalSeconds: 30,
};
const withGpu = (gpu: GpuConfig): VigilConfig => ({ ...TEST_CONFIG, gpu });
const { stack, template } = buildTestStack({ config: withGpu(GPU) });

/** The one resource of a type, asserting there is exactly one. */
const only = (type: string): CfnJson => {
  const all = Object.values(resourcesOf(template, type));
  expect(all).toHaveLength(1);
  return all[0] as CfnJson;
};
const logicalIdOf = (type: string, predicate: (r: CfnJson) => boolean): string => {
  const entry = Object.entries(resourcesOf(template, type)).find(([, r]) => predicate(r));
  if (!entry) throw new Error(`no ${type} matches`);
  return entry[0];
};

describe('Feature: GPU monitoring through the CloudWatch agent', () => {
  describe('SSM parameter', () => {
    it('stores the agent JSON under an AmazonCloudWatch- name with the documented sections', () => {
      // Act
      const p = only('AWS::SSM::Parameter').Properties;
      const agent = JSON.parse(p.Value as string);

      // Assess
      expect(p.Name).toBe('AmazonCloudWatch-vigil-test-gpu');
      expect(p.Type).toBe('String');
      expect(p.Tier).toBe('Standard');
      expect(agent.agent.metrics_collection_interval).toBe(30);
      expect(agent.metrics.namespace).toBe('CWAgent');
      expect(agent.metrics.append_dimensions).toEqual({
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudWatch agent placeholder
        InstanceId: '${aws:InstanceId}',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudWatch agent placeholder
        InstanceType: '${aws:InstanceType}',
      });
      expect(Object.keys(agent.metrics.metrics_collected).sort()).toEqual([
        'cpu',
        'disk',
        'mem',
        'nvidia_gpu',
      ]);
      expect(agent.metrics.metrics_collected.nvidia_gpu.measurement).toEqual(
        expect.arrayContaining([
          'utilization_gpu',
          'utilization_memory',
          'memory_total',
          'memory_used',
          'memory_free',
          'temperature_gpu',
          'power_draw',
          'fan_speed',
          'clocks_current_graphics',
          'clocks_current_sm',
          'clocks_current_memory',
        ]),
      );
    });
  });

  describe('State Manager associations', () => {
    const associations = () =>
      Object.values(resourcesOf(template, 'AWS::SSM::Association')).map((a) => a.Properties);
    const configureOf = (t: typeof template) => {
      const found = Object.values(resourcesOf(t, 'AWS::SSM::Association'))
        .map((a) => a.Properties)
        .filter((p) => String(p.AssociationName).endsWith('-configure-cloudwatch-agent'));
      expect(found).toHaveLength(1);
      return found[0] as CfnJson;
    };

    it('installs, then configures the agent, in one document run on instances with the tag', () => {
      // Act
      const document = only('AWS::SSM::Document').Properties;
      const documentId = logicalIdOf('AWS::SSM::Document', () => true);
      const configure = configureOf(template);

      // Assess
      expect(document.DocumentType).toBe('Command');
      expect(document.Content.mainSteps).toEqual([
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
              optionalConfigurationLocation: 'AmazonCloudWatch-vigil-test-gpu',
              optionalRestart: 'yes',
            },
          },
        },
      ]);
      expect(configure.Name).toEqual({ Ref: documentId });
      expect(configure.Targets).toEqual([{ Key: 'tag:team', Values: ['ml-gpu'] }]);
    });

    it('configures at deploy, on configuration changes and on new instances, never on a schedule', () => {
      // Prepare
      const agentJson = only('AWS::SSM::Parameter').Properties.Value as string;
      const { template: other } = buildTestStack({
        config: withGpu({ ...GPU, collectionIntervalSeconds: 60 }),
      });

      // Act
      const configure = configureOf(template);
      const changed = configureOf(other);

      // Assess: no schedule restarts the agents; a new configuration is a new parameter value,
      // which updates the association, which runs it.
      expect(configure.ScheduleExpression).toBeUndefined();
      expect(configure.Parameters.configSha256).toEqual([
        createHash('sha256').update(agentJson).digest('hex'),
      ]);
      expect(changed.Parameters.configSha256).not.toEqual(configure.Parameters.configSha256);
      expect(Object.keys(resourcesOf(template, 'AWS::SSM::Association'))).toHaveLength(2);
    });

    it('keeps the agent up to date weekly, only at the cron interval', () => {
      // Act
      const update = associations().find((a) => a.Name === 'AWS-ConfigureAWSPackage');

      // Assess
      expect(update).toMatchObject({
        Parameters: { action: ['Install'], name: ['AmazonCloudWatchAgent'] },
        Targets: [{ Key: 'tag:team', Values: ['ml-gpu'] }],
        ScheduleExpression: 'cron(0 4 ? * SUN *)',
        ApplyOnlyAtCronInterval: true,
      });
    });
  });

  describe('instance role', () => {
    it('creates a role for EC2 with the agent and SSM managed policies, and its instance profile', () => {
      // Act
      const roleId = logicalIdOf('AWS::IAM::Role', (r) =>
        JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('ec2.amazonaws.com'),
      );
      const role = resourcesOf(template, 'AWS::IAM::Role')[roleId]?.Properties as CfnJson;
      const profile = only('AWS::IAM::InstanceProfile').Properties;

      // Assess
      const policies = JSON.stringify(role.ManagedPolicyArns);
      expect(policies).toContain(':iam::aws:policy/CloudWatchAgentServerPolicy');
      expect(policies).toContain(':iam::aws:policy/AmazonSSMManagedInstanceCore');
      expect(role.ManagedPolicyArns).toHaveLength(2);
      expect(profile.Roles).toEqual([{ Ref: roleId }]);
    });

    it('is not created when createInstanceRole is false', () => {
      // Act
      const { template: t } = buildTestStack({
        config: withGpu({ ...GPU, createInstanceRole: false }),
      });

      // Assess
      t.resourceCountIs('AWS::IAM::InstanceProfile', 0);
    });
  });

  describe('alarms', () => {
    const alarms = () =>
      Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'))
        .map((a) => a.Properties)
        .filter((p) => String(p.AlarmName).includes('-gpu-'));
    const topicRef = (severity: string) => {
      const id = logicalIdOf('AWS::SNS::Topic', (t) =>
        String(t.Properties.DisplayName).endsWith(`${severity} alerts`),
      );
      return { Ref: id };
    };

    it('watches temperature, idle and memory with Metrics Insights queries per instance and GPU', () => {
      // Act
      const byName = Object.fromEntries(alarms().map((a) => [a.AlarmName, a]));

      // Assess
      expect(Object.keys(byName).sort()).toEqual([
        'vigil-test-gpu-idle',
        'vigil-test-gpu-memory-used',
        'vigil-test-gpu-temperature',
      ]);
      expect(byName['vigil-test-gpu-temperature']).toMatchObject({
        Metrics: [
          {
            Id: 'q1',
            Expression:
              'SELECT MAX(nvidia_smi_temperature_gpu) FROM CWAgent GROUP BY InstanceId, "index" ORDER BY MAX() DESC LIMIT 500',
            Period: 60,
            ReturnData: true,
          },
        ],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 85,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 5,
        TreatMissingData: 'notBreaching',
      });
      expect(byName['vigil-test-gpu-idle']).toMatchObject({
        Metrics: [
          expect.objectContaining({
            Expression:
              'SELECT MAX(nvidia_smi_utilization_gpu) FROM CWAgent GROUP BY InstanceId, "index" ORDER BY MAX() ASC LIMIT 500',
            Period: 300,
          }),
        ],
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 5,
        EvaluationPeriods: 12,
        TreatMissingData: 'notBreaching',
      });
      expect(byName['vigil-test-gpu-memory-used']).toMatchObject({
        Metrics: [
          expect.objectContaining({
            Expression:
              'SELECT MAX(gpu_memory_used_percent) FROM VigilTest GROUP BY instance_id, gpu_index ORDER BY MAX() DESC LIMIT 500',
          }),
        ],
        Threshold: 95,
        TreatMissingData: 'missing',
      });
    });

    it('passes the Metrics Insights checker: grammar, quoted reserved keywords, limits', () => {
      // Act
      const problems = alarms().map((a) => {
        const [q] = a.Metrics as CfnJson[];
        return checkMetricsInsightsAlarm({
          query: q?.Expression,
          periodSeconds: q?.Period,
          evaluationPeriods: a.EvaluationPeriods,
          datapointsToAlarm: a.DatapointsToAlarm,
        });
      });

      // Assess
      expect(problems).toEqual([[], [], []]);
    });

    it('quotes a mirror namespace that needs it', () => {
      // Act
      const { template: t } = buildTestStack({
        config: {
          ...withGpu(GPU),
          cloudwatch: { ...TEST_CONFIG.cloudwatch, namespace: 'ML/Vigil' },
        },
      });
      const memory = Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).find(
        (a) => a.Properties.AlarmName === 'vigil-test-gpu-memory-used',
      );

      // Assess
      expect(memory?.Properties.Metrics[0].Expression).toContain('FROM "ML/Vigil" GROUP BY');
    });

    it('fails the synth with the reason when an alarm window exceeds the 3 hours Metrics Insights evaluates', () => {
      // Prepare: minutes beyond 180 (the config check refuses them; the construct checks again)
      const gpu: GpuConfig = {
        ...GPU,
        alarms: { ...GPU.alarms, temperature: { ...GPU.alarms.temperature, minutes: 240 } },
      };

      // Act
      const synth = () => buildTestStack({ config: withGpu(gpu) });

      // Assess
      expect(synth).toThrow(
        'gpu.alarms (Temperature): invalid Metrics Insights query: 240 periods of 60 s = 240 min: a Metrics Insights alarm evaluates only the latest 3 hours',
      );
    });

    it('uses the agent interval as the period when it is longer than a minute', () => {
      // Act
      const { template: t } = buildTestStack({
        config: withGpu({ ...GPU, collectionIntervalSeconds: 600 }),
      });
      const byName = Object.fromEntries(
        Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')).map((a) => [
          a.Properties.AlarmName,
          a.Properties,
        ]),
      );

      // Assess: 5 min of temperature is one 10-minute datapoint; 60 min idle six of them
      expect(byName['vigil-test-gpu-temperature']).toMatchObject({
        Metrics: [expect.objectContaining({ Period: 600 })],
        EvaluationPeriods: 1,
      });
      expect(byName['vigil-test-gpu-idle']).toMatchObject({
        Metrics: [expect.objectContaining({ Period: 600 })],
        EvaluationPeriods: 6,
      });
    });

    it('notifies the severity topics: temperature critical, memory warning, idle info', () => {
      // Act
      const byName = Object.fromEntries(alarms().map((a) => [a.AlarmName, a]));

      // Assess
      expect(byName['vigil-test-gpu-temperature']?.AlarmActions).toEqual([topicRef('critical')]);
      expect(byName['vigil-test-gpu-temperature']?.OKActions).toEqual([topicRef('critical')]);
      expect(byName['vigil-test-gpu-memory-used']?.AlarmActions).toEqual([topicRef('warning')]);
      expect(byName['vigil-test-gpu-idle']?.AlarmActions).toEqual([topicRef('info')]);
    });
  });

  describe('import function', () => {
    it('runs on the schedule with the import settings and is monitored with the other functions', () => {
      // Act
      const fnId = logicalIdOf('AWS::Lambda::Function', (f) =>
        String(f.Properties.Description).startsWith('Vigil: imports CloudWatch agent GPU metrics'),
      );
      const fn = vigilFunctionsOf(template)[fnId]?.Properties as CfnJson;

      // Assess
      expect(JSON.parse(fn.Environment.Variables[ENV.GPU_IMPORT])).toEqual({
        scheduleMinutes: 5,
        periodSeconds: 60,
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(5 minutes)',
        Targets: Match.arrayWith([Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })]),
      });
      expect(Object.keys(stack.vigil.functions)).toContain('importGpuMetrics');
    });

    it('may only list and read CloudWatch metrics besides writing samples', () => {
      // Act
      const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p) =>
        JSON.stringify(p.Properties.PolicyDocument).includes('cloudwatch:GetMetricData'),
      );

      // Assess
      expect(policies).toHaveLength(1);
      const statements = policies[0]?.Properties.PolicyDocument.Statement as CfnJson[];
      const star = statements.filter((st) => st.Resource === '*');
      const actions = star.flatMap((st) => [st.Action].flat());
      expect(actions.filter((a: string) => a.startsWith('cloudwatch:')).sort()).toEqual([
        'cloudwatch:GetMetricData',
        'cloudwatch:ListMetrics',
      ]);
      expect(JSON.stringify(statements)).not.toContain('cloudwatch:PutMetricData');
    });
  });

  describe('stack outputs', () => {
    it('name the instance profile to attach and the agent configuration parameter', () => {
      // Act
      const outputs = template.toJSON().Outputs as CfnJson;
      const profileId = logicalIdOf('AWS::IAM::InstanceProfile', () => true);

      // Assess
      expect(outputs.GpuInstanceProfileName.Value).toEqual({ Ref: profileId });
      expect(outputs.GpuInstanceProfileArn.Value).toEqual({ 'Fn::GetAtt': [profileId, 'Arn'] });
      expect(outputs.GpuAgentConfigParameterName.Value).toEqual({
        Ref: logicalIdOf('AWS::SSM::Parameter', () => true),
      });
    });

    it('have no instance profile without createInstanceRole, and nothing without GPU', () => {
      // Act
      const { template: noRole } = buildTestStack({
        config: withGpu({ ...GPU, createInstanceRole: false }),
      });
      const { template: off } = buildTestStack({ config: withGpu({ ...GPU, enabled: false }) });

      // Assess
      const noRoleOutputs = Object.keys(noRole.toJSON().Outputs as CfnJson);
      expect(noRoleOutputs).toContain('GpuAgentConfigParameterName');
      expect(noRoleOutputs).not.toContain('GpuInstanceProfileName');
      expect(
        Object.keys(off.toJSON().Outputs as CfnJson).filter((k) => k.startsWith('Gpu')),
      ).toEqual([]);
    });
  });

  it('creates nothing when gpu.enabled is false', () => {
    // Act
    const { template: t } = buildTestStack({ config: withGpu({ ...GPU, enabled: false }) });

    // Assess
    t.resourceCountIs('AWS::SSM::Parameter', 0);
    t.resourceCountIs('AWS::SSM::Association', 0);
    t.resourceCountIs('AWS::SSM::Document', 0);
  });

  it('passes cdk-nag AwsSolutions checks', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    const findings = report.violations.map(
      (v) =>
        `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
  });
});
