import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { ConfigError } from '../../lambdas/domain/config/validate';
import { validateScrapeConfig } from '../../lambdas/domain/scrape/scrape-config';
import { ENV } from '../../lambdas/shared/env';
import { parseScrapeJobs } from '../../lambdas/wiring/aws-scrape-deps';
import {
  SCRAPE_JOBS_FILE,
  scrapeFunctionTimeoutSeconds,
} from '../../lib/constructs/scrape-targets';
import { buildTestStack, type CfnResourceJson, resourcesOf, vigilFunctionsOf } from './helpers';
import { TEST_CONFIG } from './test-config';

const configWith = (scrapeConfigs: unknown[], scrape?: unknown): VigilConfig => {
  const { config, issues } = validateScrapeConfig(scrapeConfigs, scrape);
  expect(issues).toEqual([]);
  return { ...TEST_CONFIG, scrape: config };
};

const EXAMPLE_JOBS = [
  {
    job_name: 'api',
    scrape_interval: '1m',
    static_configs: [{ targets: ['api:8000'] }],
    basic_auth: { username: 'prometheus', password_secret: 'rxvision/api-scrape' },
  },
  {
    job_name: 'inference',
    scrape_interval: '2m',
    static_configs: [{ targets: ['inference:8001'], labels: { team: 'ml' } }],
    authorization: {
      credentials_secret:
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rxvision/token-AbCdEf',
    },
  },
];

const scrapeFunctionOf = (template: Template): [string, CfnResourceJson] => {
  const found = Object.entries(vigilFunctionsOf(template)).filter(([, f]) =>
    String(f.Properties?.Description).startsWith('Vigil: scrapes'),
  );
  expect(found).toHaveLength(1);
  return found[0] as [string, CfnResourceJson];
};

describe('Feature: scrape targets (infrastructure)', () => {
  describe('with the example targets, secrets and a VPC', () => {
    const { stack, template } = buildTestStack({
      config: configWith(EXAMPLE_JOBS, {
        vpc: {
          subnetIds: ['subnet-0aa00000', 'subnet-0bb00000'],
          securityGroupIds: ['sg-0cc00000'],
        },
      }),
    });

    it('schedules the function every minute (the intervals’ common divisor), with the jobs in its environment', () => {
      // Prepare
      const [id, fn] = scrapeFunctionOf(template);

      // Assess
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        Targets: [{ Arn: { 'Fn::GetAtt': [id, 'Arn'] } }],
      });
      expect(fn.Properties.Environment.Variables[ENV.SCRAPE_JOBS]).toBe(SCRAPE_JOBS_FILE);
      const jobs = parseScrapeJobs(readFileSync(stack.vigil.scrapeTargets?.jobsFile ?? '', 'utf8'));
      expect(jobs.map((j) => j.jobName)).toEqual(['api', 'inference']);
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
      // 2 targets, one round at the 10s default timeout + 30s, but at least the 1-minute period.
      expect(fn.Properties.Timeout).toBe(60);
      expect(fn.Properties.Environment.Variables[ENV.ALERT_STATE_TABLE]).toBeDefined();
      expect(fn.Properties.Environment.Variables[ENV.SAMPLES_TABLE]).toBeDefined();
    });

    it('runs in the configured subnets and security groups, after its ENI policy exists', () => {
      // Prepare
      const [, fn] = scrapeFunctionOf(template);
      const policies = resourcesOf(template, 'AWS::IAM::Policy');
      const eni = Object.entries(policies).filter(([, p]) =>
        JSON.stringify(p.Properties.PolicyDocument).includes('ec2:CreateNetworkInterface'),
      );

      // Assess
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: ['subnet-0aa00000', 'subnet-0bb00000'],
        SecurityGroupIds: ['sg-0cc00000'],
      });
      expect(eni).toHaveLength(1);
      expect((fn as { DependsOn?: string[] }).DependsOn).toContain(eni[0]?.[0]);
    });

    it('grants GetSecretValue on exactly the referenced secrets', () => {
      // Prepare
      const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement,
      );
      const secretStatements = statements.filter((s: { Action: unknown }) =>
        JSON.stringify(s.Action).includes('secretsmanager:'),
      );

      // Assess
      expect(secretStatements).toEqual([
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [
            'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rxvision/api-scrape-??????',
            'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rxvision/token-AbCdEf',
          ],
        },
      ]);
    });

    it('finds no unacknowledged cdk-nag AwsSolutions finding', () => {
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

  describe('schedule', () => {
    it('runs every 2 minutes when the intervals are 2m and 4m', () => {
      // Act
      const { template } = buildTestStack({
        config: configWith([
          { job_name: 'a', scrape_interval: '2m', static_configs: [{ targets: ['a:1'] }] },
          { job_name: 'b', scrape_interval: '4m', static_configs: [{ targets: ['b:1'] }] },
        ]),
      });

      // Assess
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(2 minutes)',
      });
      const [, fn] = scrapeFunctionOf(template);
      expect(fn.Properties.VpcConfig).toBeUndefined();
    });

    it('refuses at synth an interval under a minute, with its path', () => {
      // Act
      const synth = () =>
        buildTestStack({
          config: configWith([
            { job_name: 'a', scrape_interval: '15s', static_configs: [{ targets: ['a:1'] }] },
          ]),
        });

      // Assess
      expect(synth).toThrow(ConfigError);
      expect(synth).toThrow(
        /scrape_configs\[0\]\.scrape_interval: must be at least 1m when deployed/,
      );
    });
  });

  it('gives the function time for every target to time out, within Lambda’s 15 minutes', () => {
    // Prepare
    const { config } = validateScrapeConfig(
      [
        {
          job_name: 'many',
          scrape_interval: '2m',
          scrape_timeout: '50s',
          static_configs: [{ targets: Array.from({ length: 40 }, (_, i) => `h${i}:9100`) }],
        },
      ],
      undefined,
    );

    // Act
    const seconds = scrapeFunctionTimeoutSeconds(config, 2);

    // Assess: 40 targets = 3 rounds of 16 at 50 s, + 30 s.
    expect(seconds).toBe(180);
  });

  it('creates no scrape function without scrape_configs', () => {
    // Act
    const { template } = buildTestStack();

    // Assess
    const scrapers = Object.values(vigilFunctionsOf(template)).filter((f) =>
      String(f.Properties?.Description).startsWith('Vigil: scrapes'),
    );
    expect(scrapers).toEqual([]);
  });
});
