import type { CfnJson } from '../helpers';
import { buildFullStack } from './full-stack';
import {
  alarmPaths,
  apiGatewayPaths,
  asyncFailurePaths,
  eventRulePaths,
  logGroupKeyPaths,
  runtimePaths,
  subscriptionPaths,
} from './service-paths';
import { TemplateModel } from './template-model';

// No HTTP is served here: the URL only has to be a valid scrape target and PagerDuty endpoint.
const full = buildFullStack('http://127.0.0.1:9');
const model = new TemplateModel(full.template);

/** The template with `edit` applied to a copy. */
const edited = (edit: (resources: Record<string, CfnJson>) => void): TemplateModel => {
  const template = structuredClone(full.template) as CfnJson;
  edit(template.Resources);
  return new TemplateModel(template);
};

const topicArns = (m: TemplateModel): string[] =>
  m.ofType('AWS::SNS::Topic').map(([id]) => m.ref(id));

describe('Feature: service-to-service paths of the every-feature stack', () => {
  describe('CloudWatch alarms → SNS topics', () => {
    it('lets every alarm publish to each of its action topics, through the topic and key policies', () => {
      // Act
      const { targets, problems } = alarmPaths(model);

      // Assess
      expect(targets.length).toBeGreaterThan(60);
      expect(problems).toEqual([]);
    });

    it('sends the dead-letter, GPU and self-monitoring alarms to the alert topics only', () => {
      // Prepare
      const alarmTargets = (pattern: RegExp) =>
        model
          .ofType('AWS::CloudWatch::Alarm')
          .filter(([id]) => pattern.test(id))
          .map(([, a]) => model.resolve(a.Properties.AlarmActions) as string[]);

      // Act
      const deadLetter = alarmTargets(/DeadLetterAlarm/);
      const gpu = alarmTargets(/GpuMonitoring/);

      // Assess
      expect(deadLetter).toHaveLength(2);
      expect(gpu).toHaveLength(3);
      for (const actions of [...deadLetter, ...gpu]) {
        expect(actions.length).toBeGreaterThan(0);
        for (const a of actions) expect(topicArns(model)).toContain(a);
      }
      expect(deadLetter.flat().every((a) => /CriticalTopic/.test(a))).toBe(true);
    });

    it('names the alarms that cannot publish once the topic policy lacks the CloudWatch statement', () => {
      // Prepare
      const without = edited((resources) => {
        for (const r of Object.values(resources))
          if (r.Type === 'AWS::SNS::TopicPolicy')
            r.Properties.PolicyDocument.Statement = r.Properties.PolicyDocument.Statement.filter(
              (s: CfnJson) => s.Principal?.Service !== 'cloudwatch.amazonaws.com',
            );
      });

      // Act
      const { targets, problems } = alarmPaths(without);

      // Assess
      expect(problems).toHaveLength(targets.length);
      expect(problems[0]).toMatch(
        /^alarm \S+ → arn:aws:sns:eu-west-1:123456789012:\S+Topic\S*: cloudwatch\.amazonaws\.com sns:Publish on \S+ \(implicit-deny\)$/,
      );
    });

    it('refuses alarms of other accounts on the topics and on their key', () => {
      // Prepare: a policy condition on the source account is what the check evaluates
      const topicPolicies = model
        .ofType('AWS::SNS::TopicPolicy')
        .map(([, p]) => model.resolve(p.Properties.PolicyDocument) as CfnJson);
      const keyStatements = model
        .ofType('AWS::KMS::Key')
        .flatMap(
          ([, k]) => (model.resolve(k.Properties.KeyPolicy) as CfnJson).Statement as CfnJson[],
        )
        .filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');

      // Act
      const conditions = [
        ...topicPolicies.flatMap((d) =>
          (d.Statement as CfnJson[])
            .filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com')
            .map((s) => s.Condition),
        ),
        ...keyStatements.map((s) => s.Condition),
      ];

      // Assess
      expect(conditions).toHaveLength(topicPolicies.length + 1);
      expect(new Set(conditions.map((c) => JSON.stringify(c)))).toEqual(
        new Set([JSON.stringify({ StringEquals: { 'aws:SourceAccount': '123456789012' } })]),
      );
    });
  });

  describe('EventBridge rules → Lambda functions and dead-letter queues', () => {
    it('lets every rule invoke its target function and send undeliverable events to its queue', () => {
      // Act
      const { targets, problems } = eventRulePaths(model);

      // Assess: evaluator, scrape, drift (both monitors hourly) and GPU import
      expect(targets).toBe(4);
      expect(problems).toEqual([]);
    });

    it('names the rule and function when the invoke permission is missing', () => {
      // Prepare
      const without = edited((resources) => {
        for (const [id, r] of Object.entries(resources))
          if (
            r.Type === 'AWS::Lambda::Permission' &&
            r.Properties.Principal === 'events.amazonaws.com' &&
            /RuleEvaluator/.test(id)
          )
            delete resources[id];
      });

      // Act
      const { problems } = eventRulePaths(without);

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(
          /^rule MonitoringRuleEvaluatorSchedule\S+ → arn:aws:lambda:eu-west-1:123456789012:function:MonitoringRuleEvaluatorFunction\S+: events\.amazonaws\.com lambda:InvokeFunction/,
        ),
      ]);
    });
  });

  describe('SNS topics → notifier functions and their dead-letter queues', () => {
    it('lets every topic invoke its subscribed functions and write failed deliveries to their encrypted queues', () => {
      // Act
      const { lambdas, problems } = subscriptionPaths(model);

      // Assess: Slack on three topics, PagerDuty on the critical one
      expect(lambdas).toBe(4);
      expect(problems).toEqual([]);
    });

    it('names the subscription when the queue key does not let SNS use it', () => {
      // Prepare
      const without = edited((resources) => {
        for (const r of Object.values(resources))
          if (r.Type === 'AWS::KMS::Key')
            r.Properties.KeyPolicy.Statement = r.Properties.KeyPolicy.Statement.filter(
              (s: CfnJson) => s.Principal?.Service !== 'sns.amazonaws.com',
            );
      });

      // Act
      const { problems } = subscriptionPaths(without);

      // Assess
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.every((p) => /dead letters \(key\): sns\.amazonaws\.com kms:/.test(p))).toBe(
        true,
      );
    });
  });

  describe('Lambda asynchronous failures → SQS queues', () => {
    it('lets each notifier send its failed invocations to its encrypted queue with its own role', () => {
      // Act
      const { queues, problems } = asyncFailurePaths(model);

      // Assess
      expect(queues).toBe(2);
      expect(problems).toEqual([]);
    });

    it('names the function whose role cannot use the queue key', () => {
      // Prepare
      const without = edited((resources) => {
        for (const [id, r] of Object.entries(resources))
          if (r.Type === 'AWS::IAM::Policy' && /SlackFunctionRole/.test(id))
            r.Properties.PolicyDocument.Statement = r.Properties.PolicyDocument.Statement.filter(
              (s: CfnJson) =>
                JSON.stringify(s.Action) !== JSON.stringify(['kms:Decrypt', 'kms:GenerateDataKey']),
            );
      });

      // Act
      const { problems } = asyncFailurePaths(without);

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(
          /^MonitoringNotificationChannelsSlackFunction\S+ async failures → \S+: role lacks kms:GenerateDataKey/,
        ),
        expect.stringMatching(/role lacks kms:Decrypt/),
      ]);
    });
  });

  describe('API Gateway → Lambda functions', () => {
    it('lets the API invoke the function of every method and the authorizer', () => {
      // Act
      const { methods, problems } = apiGatewayPaths(model);

      // Assess
      expect(methods).toBeGreaterThan(25);
      expect(problems).toEqual([]);
    });
  });

  describe('CloudWatch Logs → the log groups’ key', () => {
    it('lets CloudWatch Logs use the key for every encrypted log group', () => {
      // Act
      const { groups, problems } = logGroupKeyPaths(model);

      // Assess: every Vigil function's group and the service log groups
      expect(groups).toBeGreaterThanOrEqual(20);
      expect(problems).toEqual([]);
    });
  });

  describe('Lambda → each function’s own log group and X-Ray', () => {
    it('lets every function’s role write its own logs and traces, the custom-resource provider’s too', () => {
      // Act
      const { functions, problems } = runtimePaths(model);

      // Assess
      expect(functions).toBe(20);
      expect(problems).toEqual([]);
    });

    it('names the function whose role cannot write its log group', () => {
      // Prepare
      const without = edited((resources) => {
        for (const [id, r] of Object.entries(resources))
          if (r.Type === 'AWS::IAM::Policy' && /HealthRole/.test(id))
            r.Properties.PolicyDocument.Statement = r.Properties.PolicyDocument.Statement.filter(
              (s: CfnJson) => !JSON.stringify(s.Action).includes('logs:'),
            );
      });

      // Act
      const { problems } = runtimePaths(without);

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(
          /^MonitoringHealth\S+ runtime: role lacks logs:CreateLogStream on arn:aws:logs:eu-west-1:123456789012:log-group:MonitoringHealthLogGroup/,
        ),
        expect.stringMatching(/^MonitoringHealth\S+ runtime: role lacks logs:PutLogEvents/),
      ]);
    });
  });
});
