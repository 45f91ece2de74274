import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import {
  bootstrapVersionParameter,
  MIN_BOOTSTRAP_VERSION,
} from '../../lambdas/adapters/aws/cdk-bootstrap';
import {
  reservedConcurrencyOf,
  reservedFunctionsOf,
} from '../../lambdas/domain/config/reserved-concurrency';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { validateConfig } from '../../lambdas/domain/config/validate';
import { DEFAULT_DASHBOARDS_CONFIG } from '../../lambdas/domain/dashboards/dashboards-config';
import { DEFAULT_CHANNELS_CONFIG } from '../../lambdas/domain/notifications/channels-config';
import { validateScrapeConfig } from '../../lambdas/domain/scrape/scrape-config';
import { VIGIL_VERSION } from '../../lambdas/shared/version';
import { PROJECT_TAG, VERSION_TAG } from '../../lib/vigil';
import { removalPolicyFromContext, VigilStack } from '../../lib/vigil-stack';
import { CDK_CONTEXT, type CfnJson, INLINE_CODE, resourcesOf, vigilFunctionsOf } from './helpers';
import { TEST_CONFIG } from './test-config';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Rules (the repository's rule files), one scrape job and a Slack channel: all three reservers. */
const withReservers = (reservedConcurrency: boolean): VigilConfig => {
  const scrape = validateScrapeConfig(
    [{ job_name: 'api', scrape_interval: '1m', static_configs: [{ targets: ['api:8000'] }] }],
    undefined,
  );
  expect(scrape.issues).toEqual([]);
  return {
    ...TEST_CONFIG,
    rules: ['rules/*.yml'],
    scrape: scrape.config,
    channels: {
      ...DEFAULT_CHANNELS_CONFIG,
      severities: {
        ...DEFAULT_CHANNELS_CONFIG.severities,
        critical: { email: [], slack: true, pagerduty: true },
      },
    },
    reservedConcurrency,
  };
};

const synth = (config: VigilConfig): Template => {
  const app = new App({ context: CDK_CONTEXT, builtinCloudFormationValidation: false });
  const stack = new VigilStack(app, 'VigilOptions', {
    config,
    env: { account: '123456789012', region: 'eu-west-1' },
    vigil: { functionCode: INLINE_CODE, configDir: ROOT },
  });
  return Template.fromStack(stack);
};

/** Function description (up to its parenthesis) → its reserved concurrency, for those with one. */
const reservationsOf = (template: Template): Record<string, number> =>
  Object.fromEntries(
    Object.values(vigilFunctionsOf(template))
      .filter((f) => f.Properties.ReservedConcurrentExecutions !== undefined)
      .map((f) => [
        String(f.Properties.Description).split(' (')[0],
        f.Properties.ReservedConcurrentExecutions,
      ]),
  );

describe('Feature: reserved concurrency is a choice', () => {
  it('is off by default', () => {
    // Act
    const { config, issues } = validateConfig({});

    // Assess
    expect(issues).toEqual([]);
    expect(config.reservedConcurrency).toBe(false);
    expect(reservedConcurrencyOf(config)).toBe(0);
  });

  it('refuses a value that is not true or false', () => {
    // Act
    const { issues } = validateConfig({ reservedConcurrency: 'yes' });

    // Assess
    expect(issues).toEqual([{ path: 'reservedConcurrency', message: 'must be true or false' }]);
  });

  it('reserves nothing when off, even with the evaluator, scrapes and Slack', () => {
    // Prepare
    const config = withReservers(false);

    // Act
    const template = synth(config);

    // Assess
    expect(reservationsOf(template)).toEqual({});
    expect(reservedConcurrencyOf(config)).toBe(0);
  });

  it('reserves one execution for the evaluator, the scrape function and the Slack notifier when on', () => {
    // Prepare
    const config = withReservers(true);

    // Act
    const template = synth(config);
    const reservations = reservationsOf(template);

    // Assess: what doctor counts is what the template reserves
    expect(Object.keys(reservations).sort()).toEqual([
      'Vigil: Slack notifier',
      'Vigil: rule evaluator',
      'Vigil: scrapes 1 target',
    ]);
    expect(Object.values(reservations).reduce((a, b) => a + b, 0)).toBe(
      reservedConcurrencyOf(config),
    );
    expect(Object.keys(reservedFunctionsOf(config)).sort()).toEqual([
      'evaluateRules',
      'notifySlack',
      'scrapeTargets',
    ]);
  });
});

describe('Feature: cost-allocation tags', () => {
  // Prepare: dashboards bring the evaluator and its dead-letter queue
  const template = synth({ ...TEST_CONFIG, dashboards: DEFAULT_DASHBOARDS_CONFIG });

  it('keeps Vigil’s version in step with package.json', () => {
    // Act
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

    // Assess
    expect(VIGIL_VERSION).toBe(pkg.version);
  });

  it.each([
    'AWS::Lambda::Function',
    'AWS::IAM::Role',
    'AWS::Logs::LogGroup',
    'AWS::DynamoDB::Table',
    'AWS::Timestream::Database',
    'AWS::Timestream::Table',
    'AWS::S3::Bucket',
    'AWS::KMS::Key',
    'AWS::SNS::Topic',
    'AWS::SQS::Queue',
    'AWS::ApiGateway::RestApi',
    'AWS::ApiGateway::ApiKey',
    'AWS::CloudWatch::Dashboard',
  ])('tags every %s with the project and the Vigil version', (type) => {
    // Act
    const resources = Object.entries(resourcesOf(template, type)).filter(([id]) =>
      id.startsWith('Monitoring'),
    );
    const untagged = resources
      .filter(([, r]) => {
        const tags = (r.Properties.Tags ?? []) as CfnJson[];
        const has = (key: string, value: string) =>
          tags.some((t) => t.Key === key && t.Value === value);
        return !has(PROJECT_TAG, 'test') || !has(VERSION_TAG, VIGIL_VERSION);
      })
      .map(([id]) => id);

    // Assess
    expect(resources.length).toBeGreaterThan(0);
    expect(untagged).toEqual([]);
  });
});

describe('Feature: vigil doctor checks the bootstrap the templates require', () => {
  it('reads the parameter and minimum version of the synthesized CheckBootstrapVersion rule', () => {
    // Prepare
    const template = synth(TEST_CONFIG).toJSON() as CfnJson;

    // Act
    const parameter = template.Parameters.BootstrapVersion.Default;
    const refused: string[] =
      template.Rules.CheckBootstrapVersion.Assertions[0].Assert['Fn::Not'][0]['Fn::Contains'][0];

    // Assess
    expect(parameter).toBe(bootstrapVersionParameter());
    expect(Math.max(...refused.map(Number)) + 1).toBe(MIN_BOOTSTRAP_VERSION);
  });
});

describe('Function: removalPolicyFromContext', () => {
  it.each([
    [undefined, undefined],
    ['retain-except-on-create', RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE],
    ['retain', RemovalPolicy.RETAIN],
    ['destroy', RemovalPolicy.DESTROY],
  ])('maps %s to %s', (value, policy) => {
    // Act & Assess
    expect(removalPolicyFromContext(value)).toBe(policy);
  });

  it('refuses a value that names no policy, listing the ones there are', () => {
    // Act & Assess
    expect(() => removalPolicyFromContext('delete')).toThrow(
      'vigil:removalPolicy: "delete" is not one of retain-except-on-create, retain, destroy',
    );
  });
});
