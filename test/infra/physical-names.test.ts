import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { validateConfig } from '../../lambdas/domain/config/validate';
import { DEFAULT_CHANNELS_CONFIG } from '../../lambdas/domain/notifications/channels-config';
import { validateScrapeConfig } from '../../lambdas/domain/scrape/scrape-config';
import { VigilStack } from '../../lib/vigil-stack';
import { CDK_CONTEXT, type CfnJson, INLINE_CODE } from './helpers';

/**
 * Where a physical name must be unique, and so which deployments can collide on it:
 * - `global`: the whole account (every region);
 * - `regional`: the account in one region;
 * - `parent`: inside the resource it belongs to (a table in its database, a stage in its API);
 * - `reference`: not this resource's name but another's (the document an association runs);
 * - `label`: a display text, not an identifier.
 */
type Scope = 'global' | 'regional' | 'parent' | 'reference' | 'label';

/**
 * Every `*Name` property Vigil sets, with the reason the resource is named at all. Everything
 * else gets a CloudFormation-generated name (stack name + logical id + random suffix), which
 * cannot collide. A new named property fails the test until it is listed here with its reason
 * and scope — and docs/deploying.md's table of names says the same.
 */
const NAMED: Readonly<Record<string, { readonly scope: Scope; readonly reason: string }>> = {
  'AWS::Timestream::Database.DatabaseName': {
    scope: 'regional',
    reason: 'users query it by name (`vigil-<project>` unless timestream.database says otherwise)',
  },
  'AWS::Timestream::Table.DatabaseName': { scope: 'reference', reason: 'the table’s database' },
  'AWS::Timestream::Table.TableName': {
    scope: 'parent',
    reason: '`samples` and `events`, queried by name inside the project’s database',
  },
  'AWS::Logs::LogGroup.LogGroupName': {
    scope: 'regional',
    reason:
      'service log groups `/vigil/<project>/<service>`, typed in Logs Insights and `vigil logs --remote`',
  },
  'AWS::Logs::QueryDefinition.Name': {
    scope: 'regional',
    reason: 'the saved query’s title in Logs Insights (`vigil/<project>/…`)',
  },
  'AWS::ApiGateway::RestApi.Name': {
    scope: 'regional',
    reason: 'shown in the API Gateway console and the ApiName dimension of its metrics',
  },
  'AWS::ApiGateway::ApiKey.Name': {
    scope: 'regional',
    reason: 'tells which client a key belongs to (`<project>-<client>`)',
  },
  'AWS::ApiGateway::UsagePlan.UsagePlanName': {
    scope: 'regional',
    reason: 'tells which client a usage plan throttles (`<project>-<client>`)',
  },
  'AWS::ApiGateway::Stage.StageName': {
    scope: 'parent',
    reason: 'the first path segment of every URL of the API',
  },
  'AWS::ApiGateway::Authorizer.Name': {
    scope: 'parent',
    reason: 'required by API Gateway; derived by CDK from the construct path',
  },
  'AWS::SSM::Parameter.Name': {
    scope: 'regional',
    reason:
      'the CloudWatch agent config: `AmazonCloudWatch-` names are what CloudWatchAgentServerPolicy lets the agent read',
  },
  'AWS::SSM::Association.AssociationName': {
    scope: 'regional',
    reason: 'shown in State Manager (`vigil-<project>-gpu-…`)',
  },
  'AWS::SSM::Association.Name': { scope: 'reference', reason: 'the SSM document it runs' },
  'AWS::CloudWatch::Alarm.AlarmName': {
    scope: 'regional',
    reason: 'GPU alarms: the name is what the alarm notification shows (`vigil-<project>-gpu-…`)',
  },
  'AWS::CloudWatch::Alarm.MetricName': { scope: 'reference', reason: 'the metric alarmed on' },
  'AWS::CloudWatch::Dashboard.DashboardName': {
    scope: 'global',
    reason: 'opened by name, linked from Slack messages (`<name>-<region>`)',
  },
  'AWS::IAM::Policy.PolicyName': {
    scope: 'parent',
    reason: 'inline policy, unique within its role; derived by CDK from the construct path',
  },
  'AWS::SNS::Topic.DisplayName': { scope: 'label', reason: 'sender name of alert emails' },
};

/** Scopes whose names two deployments in one account can collide on. */
const UNIQUE_SCOPES: ReadonlySet<Scope> = new Set(['global', 'regional']);

/** Marks the part of a name CloudFormation generates (unique per deployment). */
const GENERATED = '<generated>';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The example `vigil.config.yaml` (every feature but scrape targets and channels) for `project`. */
const exampleConfig = (project: string): VigilConfig => {
  const raw = parse(readFileSync(join(ROOT, 'vigil.config.yaml'), 'utf8'));
  const { config, issues } = validateConfig({ ...raw, project });
  expect(issues).toEqual([]);
  const scrape = validateScrapeConfig(
    [
      {
        job_name: 'api',
        scrape_interval: '1m',
        static_configs: [{ targets: ['api:8000'] }],
        basic_auth: { username: 'prometheus', password_secret: `${project}/api-scrape` },
      },
    ],
    undefined,
  );
  expect(scrape.issues).toEqual([]);
  return {
    ...config,
    scrape: scrape.config,
    channels: {
      ...DEFAULT_CHANNELS_CONFIG,
      severities: {
        critical: { email: ['oncall@example.com'], slack: true, pagerduty: true },
        warning: { email: [], slack: true, pagerduty: false },
        info: { email: [], slack: false, pagerduty: false },
      },
    },
    reservedConcurrency: true,
  };
};

interface Deployment {
  readonly project: string;
  readonly region: string;
  readonly resources: Record<string, CfnJson>;
}

/**
 * The synthesized stack of the example config for `project`, in `region`; with `region`
 * `undefined`, an environment-agnostic stack (what `cdk synth` makes without credentials), whose
 * names {@link resolveName} resolves for eu-west-1.
 */
const deploy = (
  project: string,
  region: string | undefined,
  removalPolicy?: RemovalPolicy,
  store: VigilConfig['store'] = 'timestream',
): Deployment => {
  const app = new App({ context: CDK_CONTEXT, builtinCloudFormationValidation: false });
  const stack = new VigilStack(app, `Vigil-${project}`, {
    config: { ...exampleConfig(project), store },
    env: region ? { account: '123456789012', region } : undefined,
    vigil: { functionCode: INLINE_CODE, configDir: ROOT, removalPolicy },
  });
  return {
    project,
    region: region ?? 'eu-west-1',
    resources: Template.fromStack(stack).toJSON().Resources,
  };
};

/**
 * A name as CloudFormation would make it in that deployment: pseudo parameters resolved, and any
 * reference to a resource of the stack (whose name CloudFormation generates) marked as generated.
 */
const resolveName = (value: unknown, d: Deployment): string => {
  if (typeof value === 'string') return value;
  const v = value as CfnJson;
  if (v.Ref === 'AWS::Region') return d.region;
  if (v.Ref === 'AWS::AccountId') return '123456789012';
  if (v.Ref === 'AWS::Partition') return 'aws';
  if (v.Ref === 'AWS::StackName') return `Vigil-${d.project}`;
  if (typeof v.Ref === 'string' && v.Ref in d.resources) return GENERATED;
  if (Array.isArray(v['Fn::GetAtt'])) return GENERATED;
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveName(p, d)).join(sep);
  }
  throw new Error(`cannot resolve name ${JSON.stringify(value)}`);
};

/** A pure reference to another resource of the stack: not a name of this one. */
const isReference = (value: unknown, d: Deployment): boolean => {
  const v = value as CfnJson;
  return (
    typeof value === 'object' &&
    value !== null &&
    ((typeof v.Ref === 'string' && v.Ref in d.resources) || Array.isArray(v['Fn::GetAtt']))
  );
};

interface PhysicalName {
  readonly logicalId: string;
  readonly type: string;
  /** `Type.Property`, the key of {@link NAMED}. */
  readonly key: string;
  readonly name: string;
  readonly deletionPolicy: string;
}

/**
 * Every `*Name` property set on a resource, except pure references (`Ref`, `Fn::GetAtt`) to
 * another resource of the stack, such as a permission's `FunctionName`.
 */
const namesOf = (d: Deployment): PhysicalName[] =>
  Object.entries(d.resources).flatMap(([logicalId, r]) =>
    Object.entries((r.Properties ?? {}) as CfnJson)
      .filter(([prop, value]) => /Name$/.test(prop) && !isReference(value, d))
      .map(([prop, value]) => ({
        logicalId,
        type: r.Type as string,
        key: `${r.Type}.${prop}`,
        name: resolveName(value, d),
        deletionPolicy: (r.DeletionPolicy as string | undefined) ?? 'Delete',
      })),
  );

/** `scope|[region|]type.property|name`: equal keys are one name in one namespace. */
const collisionKey = (n: PhysicalName, d: Deployment): string | undefined => {
  const scope = NAMED[n.key]?.scope;
  if (!scope || !UNIQUE_SCOPES.has(scope) || n.name.includes(GENERATED)) return undefined;
  return scope === 'global' ? `global|${n.key}|${n.name}` : `${d.region}|${n.key}|${n.name}`;
};

// Prepare: one project in two regions, and a second project in the first region.
const alphaEu = deploy('alpha', 'eu-west-1');
const alphaUs = deploy('alpha', 'us-east-1');
const betaEu = deploy('beta', 'eu-west-1');
const ALL = [alphaEu, alphaUs, betaEu];

describe('Feature: physical names never collide', () => {
  it('names only what has a reason to be named (every named property is listed with its reason)', () => {
    // Act
    const unlisted = ALL.flatMap(namesOf)
      .filter((n) => !(n.key in NAMED))
      .map((n) => `${n.key} = ${n.name} (${n.logicalId})`);

    // Assess
    expect(unlisted).toEqual([]);
  });

  it('gives the AMP store no name two projects of one region could share', () => {
    // Prepare
    const amp = [
      deploy('alpha', 'eu-west-1', undefined, 'amp'),
      deploy('beta', 'eu-west-1', undefined, 'amp'),
    ];

    // Act
    const unlisted = amp
      .flatMap(namesOf)
      .filter((n) => !(n.key in NAMED))
      .map((n) => `${n.key} = ${n.name}`);
    const keys = amp.map((d) => new Set(namesOf(d).flatMap((n) => collisionKey(n, d) ?? [])));
    const shared = [...(keys[0] ?? [])].filter((k) => keys[1]?.has(k));

    // Assess
    expect(unlisted).toEqual([]);
    expect(shared).toEqual([]);
    expect(amp.flatMap(namesOf).some((n) => n.type.startsWith('AWS::Timestream'))).toBe(false);
  });

  it('lists no named property the template no longer has', () => {
    // Act
    const seen = new Set(ALL.flatMap(namesOf).map((n) => n.key));

    // Assess
    expect(Object.keys(NAMED).filter((k) => !seen.has(k))).toEqual([]);
  });

  it('puts the project in every account- or region-unique name, and the region in every global one', () => {
    // Act
    const offending = ALL.flatMap((d) =>
      namesOf(d)
        .filter((n) => UNIQUE_SCOPES.has(NAMED[n.key]?.scope ?? 'label'))
        .filter((n) => !n.name.includes(GENERATED))
        .filter(
          (n) =>
            !n.name.includes(d.project) ||
            (NAMED[n.key]?.scope === 'global' && !n.name.includes(d.region)),
        )
        .map((n) => `${d.project}@${d.region}: ${n.key} = ${n.name}`),
    );

    // Assess
    expect(offending).toEqual([]);
  });

  it.each([
    ['the same project in two regions', [alphaEu, alphaUs]],
    ['two projects in one region', [alphaEu, betaEu]],
  ])('gives %s no name in common', (_what, deployments) => {
    // Prepare
    const owners = new Map<string, string[]>();

    // Act
    for (const d of deployments) {
      for (const n of namesOf(d)) {
        const key = collisionKey(n, d);
        if (key) owners.set(key, [...(owners.get(key) ?? []), `${d.project}@${d.region}`]);
      }
    }
    const collisions = [...owners].filter(([, who]) => who.length > 1);

    // Assess: something was compared, and nothing collided (within a stack either)
    expect(owners.size).toBeGreaterThan(20);
    expect(collisions).toEqual([]);
  });

  it('takes the region of an environment-agnostic stack from AWS::Region at deploy time', () => {
    // Prepare
    const agnostic = deploy('alpha', undefined);

    // Act
    const dashboards = namesOf(agnostic).filter(
      (n) => n.key === 'AWS::CloudWatch::Dashboard.DashboardName',
    );
    const raw = dashboards.map((n) =>
      JSON.stringify(agnostic.resources[n.logicalId]?.Properties.DashboardName),
    );

    // Assess
    expect(dashboards.map((n) => n.name).sort()).toEqual([
      'alpha-eu-west-1',
      'alpha-eu-west-1-vigil-health',
    ]);
    expect(raw.every((r) => r.includes('{"Ref":"AWS::Region"}'))).toBe(true);
  });

  it('names the example project’s resources as docs/deploying.md lists them', () => {
    // Act
    const names = Object.fromEntries(
      namesOf(alphaEu)
        .filter((n) => UNIQUE_SCOPES.has(NAMED[n.key]?.scope ?? 'label'))
        .filter((n) => !n.name.includes(GENERATED))
        .map((n) => [n.name, n.key]),
    );

    // Assess: one of each, as docs/deploying.md lists them
    expect(names).toMatchObject({
      'vigil-alpha': 'AWS::Timestream::Database.DatabaseName',
      '/vigil/alpha/api': 'AWS::Logs::LogGroup.LogGroupName',
      '/vigil/alpha/default': 'AWS::Logs::LogGroup.LogGroupName',
      'vigil/alpha/errors by service': 'AWS::Logs::QueryDefinition.Name',
      'alpha-api': 'AWS::ApiGateway::RestApi.Name',
      'alpha-grafana': 'AWS::ApiGateway::UsagePlan.UsagePlanName',
      'AmazonCloudWatch-vigil-alpha-gpu': 'AWS::SSM::Parameter.Name',
      'vigil-alpha-gpu-update-cloudwatch-agent': 'AWS::SSM::Association.AssociationName',
      'vigil-alpha-gpu-temperature': 'AWS::CloudWatch::Alarm.AlarmName',
      'alpha-eu-west-1': 'AWS::CloudWatch::Dashboard.DashboardName',
      'alpha-eu-west-1-vigil-health': 'AWS::CloudWatch::Dashboard.DashboardName',
    });
  });
});

describe('Feature: a failed first deploy can simply be run again', () => {
  it('keeps no fixed-name resource when the deploy that created it rolls back', () => {
    // Act: what a rollback keeps (Retain, Snapshot) and has a name that is not generated
    const kept = ALL.flatMap(namesOf)
      .filter((n) => ['Retain', 'Snapshot'].includes(n.deletionPolicy))
      .filter((n) => UNIQUE_SCOPES.has(NAMED[n.key]?.scope ?? 'label'))
      .filter((n) => !n.name.includes(GENERATED))
      .map((n) => `${n.key} = ${n.name}`);

    // Assess
    expect(kept).toEqual([]);
  });

  it('keeps the named data on stack deletion (RetainExceptOnCreate), not only after a rollback', () => {
    // Act
    const policies = Object.fromEntries(
      namesOf(alphaEu)
        .filter((n) =>
          ['AWS::Timestream::Database.DatabaseName', 'AWS::Logs::LogGroup.LogGroupName'].includes(
            n.key,
          ),
        )
        .filter((n) => !n.name.includes(GENERATED))
        .map((n) => [n.name, n.deletionPolicy]),
    );

    // Assess
    expect(policies).toEqual({
      'vigil-alpha': 'RetainExceptOnCreate',
      '/vigil/alpha/api': 'RetainExceptOnCreate',
      '/vigil/alpha/inference': 'RetainExceptOnCreate',
      '/vigil/alpha/default': 'RetainExceptOnCreate',
    });
  });

  it('deletes everything with removalPolicy DESTROY, emptying the buckets first', () => {
    // Prepare
    const d = deploy('alpha', 'eu-west-1', RemovalPolicy.DESTROY);

    // Act
    // Vigil's own resources: the stack also holds CDK's deploy-time provider function, whose
    // `/aws/lambda/<generated>` log group CDK always retains.
    const kept = Object.entries(d.resources)
      .filter(([id]) => id.startsWith('Monitoring'))
      .filter(([, r]) => r.DeletionPolicy && r.DeletionPolicy !== 'Delete')
      .map(([, r]) => r.Type);
    const autoDelete = Object.values(d.resources).filter(
      (r) => r.Type === 'Custom::S3AutoDeleteObjects',
    );

    // Assess: only the account-wide API Gateway logging role (and its setting) outlive the
    // stack: other APIs of the region log through it.
    expect(kept.sort()).toEqual(['AWS::ApiGateway::Account', 'AWS::IAM::Role']);
    expect(autoDelete).toHaveLength(
      Object.values(d.resources).filter((r) => r.Type === 'AWS::S3::Bucket').length,
    );
  });

  it('lists in docs/deploying.md every resource type that cdk destroy keeps', () => {
    // Prepare
    const docs = readFileSync(join(ROOT, 'docs', 'deploying.md'), 'utf8');
    const section = docs.split('## What `cdk destroy` keeps')[1]?.split('\n## ')[0] ?? '';

    // Act
    const keptTypes = new Set(
      ALL.flatMap((d) => Object.values(d.resources))
        .filter((r) => ['Retain', 'RetainExceptOnCreate'].includes(r.DeletionPolicy))
        .map((r) => r.Type as string),
    );
    const undocumented = [...keptTypes].filter((t) => !section.includes(`\`${t}\``));

    // Assess
    expect(keptTypes.size).toBeGreaterThan(5);
    expect(undocumented).toEqual([]);
  });
});
