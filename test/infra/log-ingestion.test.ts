import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ENV } from '../../lambdas/shared/env';
import { insightsQueries } from '../../lib/constructs/log-ingestion';
import {
  buildTestStack,
  type CfnJson,
  type CfnResourceJson,
  resourcesOf,
  vigilFunctionsOf,
} from './helpers';
import { TEST_CONFIG } from './test-config';

// One synthesis for the file (inline code, no esbuild). TEST_CONFIG: project `test`, services
// api and inference, retention 90 days.
const { stack, template } = buildTestStack();

const functionNamed = (t: Template, prefix: string): [string, CfnResourceJson] => {
  const found = Object.entries(resourcesOf(t, 'AWS::Lambda::Function')).find(([, f]) =>
    String(f.Properties.Description).startsWith(prefix),
  );
  if (!found) throw new Error(`no function described ${prefix}`);
  return found;
};

const statementsOf = (t: Template, fn: CfnResourceJson): CfnJson[] => {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(resourcesOf(t, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
};

const listOf = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Log group name → logical id, for the groups with an explicit name. */
const namedGroups = (t: Template): Record<string, string> =>
  Object.fromEntries(
    Object.entries(resourcesOf(t, 'AWS::Logs::LogGroup'))
      .filter(([, g]) => typeof g.Properties.LogGroupName === 'string')
      .map(([id, g]) => [g.Properties.LogGroupName as string, id]),
  );

/** `METHOD /path` → the logical id of the function it invokes. */
const routeTargets = (t: Template): Map<string, string> => {
  const resources = resourcesOf(t, 'AWS::ApiGateway::Resource');
  const pathOf = (id: string): string => {
    const parent = resources[id]?.Properties.ParentId;
    return `${parent?.Ref ? pathOf(parent.Ref) : ''}/${resources[id]?.Properties.PathPart}`;
  };
  const out = new Map<string, string>();
  for (const m of Object.values(resourcesOf(t, 'AWS::ApiGateway::Method'))) {
    const uri = JSON.stringify(m.Properties.Integration?.Uri ?? '');
    const fnId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(uri)?.[1] ?? '';
    const id = m.Properties.ResourceId.Ref;
    out.set(`${m.Properties.HttpMethod} ${id ? pathOf(id) : '/'}`, fnId);
  }
  return out;
};

describe('Construct: LogIngestion', () => {
  describe('Feature: log groups', () => {
    it('creates one group per configured service and the default group, with retention and the Vigil key', () => {
      // Act
      const groups = namedGroups(template);

      // Assess
      expect(Object.keys(groups).sort()).toEqual([
        '/vigil/test/api',
        '/vigil/test/default',
        '/vigil/test/inference',
      ]);
      const keyId = Object.keys(resourcesOf(template, 'AWS::KMS::Key'))[0];
      for (const id of Object.values(groups)) {
        const g = resourcesOf(template, 'AWS::Logs::LogGroup')[id];
        expect(g?.Properties.RetentionInDays).toBe(90);
        expect(g?.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      }
    });
  });

  describe('Feature: Logs Insights query definitions', () => {
    it('ships errors by service, one correlation id, and slowest predictions over every group', () => {
      // Act
      const defs = Object.values(resourcesOf(template, 'AWS::Logs::QueryDefinition'));
      const groupIds = Object.values(namedGroups(template)).sort();

      // Assess
      expect(defs.map((d) => d.Properties.Name).sort()).toEqual([
        'vigil/test/errors by service',
        'vigil/test/everything for one correlation id',
        'vigil/test/slowest predictions',
      ]);
      for (const d of defs) {
        const refs = d.Properties.LogGroupNames.map((r: { Ref: string }) => r.Ref).sort();
        expect(refs).toEqual(groupIds);
      }
      const byName = Object.fromEntries(
        defs.map((d) => [d.Properties.Name, d.Properties.QueryString]),
      );
      expect(byName['vigil/test/errors by service']).toContain(
        '| stats count(*) as errors by service, bin(5m)',
      );
      expect(byName['vigil/test/everything for one correlation id']).toContain(
        '| filter correlation_id = "<correlation-id>" or request_id = "<correlation-id>" or trace_id = "<correlation-id>"',
      );
      expect(byName['vigil/test/slowest predictions']).toContain(
        '| filter event = "prediction" and ispresent(latency_ms)',
      );
    });
  });

  describe('Feature: the slowest-predictions query follows logs.prediction', () => {
    it('filters on the configured field and value, quoting a field name with a dash', () => {
      // Act
      const { query } = insightsQueries({
        ...TEST_CONFIG.logs,
        prediction: { ...TEST_CONFIG.logs.prediction, field: 'event-type', value: 'inference' },
      }).SlowestPredictions;

      // Assess
      expect(query).toContain('| filter `event-type` = "inference" and ispresent(latency_ms)');
    });
  });

  describe('Feature: ingest functions and least privilege', () => {
    it.each([['Vigil: POST /ingest/logs'], ['Vigil: POST /loki/api/v1/push']])(
      '%s writes exactly the log groups, the events table, samples and the series index',
      (prefix) => {
        // Prepare
        const [, fn] = functionNamed(template, prefix);
        const groupArns = Object.values(namedGroups(template))
          .map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))
          .sort((a, b) => a['Fn::GetAtt'][0].localeCompare(b['Fn::GetAtt'][0]));

        // Act
        const statements = statementsOf(template, fn);
        const logsStatements = statements.filter((s) =>
          listOf(s.Action).some((a: string) => a.startsWith('logs:')),
        );
        const byId = (x: CfnJson, y: CfnJson) =>
          String(x['Fn::GetAtt'][0]).localeCompare(String(y['Fn::GetAtt'][0]));
        const resources = logsStatements.flatMap((s) => listOf(s.Resource)).sort(byId);
        const ownGroup = { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] };
        const tables = resourcesOf(template, 'AWS::Timestream::Table');
        const eventsId = Object.entries(tables).find(
          ([, t]) => t.Properties.TableName === 'events',
        )?.[0];

        // Assess
        // The three groups and the function's own log group (its Lambda logs), nothing else.
        for (const s of logsStatements)
          expect(listOf(s.Action).sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
        expect(resources).toEqual([...groupArns, ownGroup].sort(byId));
        const samplesId = Object.entries(tables).find(
          ([, t]) => t.Properties.TableName === 'samples',
        )?.[0];
        const writes = statements.filter((s) =>
          listOf(s.Action).includes('timestream:WriteRecords'),
        );
        expect(writes.flatMap((s) => listOf(s.Resource)).sort(byId)).toEqual(
          [eventsId, samplesId].map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] })).sort(byId),
        );
        expect(JSON.stringify(statements)).not.toContain('timestream:Select');
        expect(fn.Properties.Environment.Variables[ENV.EVENTS_TABLE]).toEqual({
          'Fn::GetAtt': [eventsId, 'Name'],
        });
        expect(fn.Properties.Environment.Variables[ENV.SERIES_INDEX_TABLE]).toBeDefined();
        expect(JSON.parse(fn.Properties.Environment.Variables[ENV.LOGS_CONFIG])).toEqual({
          project: 'test',
          logs: TEST_CONFIG.logs,
        });
      },
    );

    it('gives every Vigil function its log level from logLevel: (POWERTOOLS_LOG_LEVEL)', () => {
      // Act
      const levels = Object.values(vigilFunctionsOf(template)).map(
        (f) => f.Properties.Environment?.Variables?.POWERTOOLS_LOG_LEVEL,
      );

      // Assess
      expect(levels.length).toBeGreaterThan(8);
      expect(new Set(levels)).toEqual(new Set(['INFO']));
    });
  });

  describe('Feature: events table', () => {
    it('creates the Timestream events table with magnetic-store writes and rejected-record reports', () => {
      // Act
      const events = Object.values(resourcesOf(template, 'AWS::Timestream::Table')).find(
        (t) => t.Properties.TableName === 'events',
      );

      // Assess
      expect(events?.Properties.RetentionProperties).toEqual({
        MemoryStoreRetentionPeriodInHours: '12',
        MagneticStoreRetentionPeriodInDays: '90',
      });
      expect(events?.Properties.MagneticStoreWriteProperties).toMatchObject({
        EnableMagneticStoreWrites: true,
        MagneticStoreRejectedDataLocation: { S3Configuration: { ObjectKeyPrefix: 'events/' } },
      });
    });
  });

  describe('Feature: routes', () => {
    it('routes POST /ingest/logs and POST /loki/api/v1/push to their functions, with an API key', () => {
      // Prepare
      const [logsId] = functionNamed(template, 'Vigil: POST /ingest/logs');
      const [lokiId] = functionNamed(template, 'Vigil: POST /loki/api/v1/push');

      // Act
      const routes = routeTargets(template);

      // Assess
      expect(routes.get('POST /ingest/logs')).toBe(logsId);
      expect(routes.get('POST /loki/api/v1/push')).toBe(lokiId);
      const methods = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).filter((m) =>
        JSON.stringify(m.Properties.Integration?.Uri).includes(logsId),
      );
      expect(methods.every((m) => m.Properties.ApiKeyRequired === true)).toBe(true);
    });
  });

  describe('Feature: synth-time checks', () => {
    it('refuses at synth a logs: config too large for the Lambda environment (4 KB)', () => {
      // Prepare
      const measures = Array.from({ length: 80 }, (_, i) => ({
        field: `context.feature_number_${i}`,
        name: `feature_number_${i}`,
        type: 'DOUBLE' as const,
      }));

      // Act / Assess
      expect(() =>
        buildTestStack({ config: { ...TEST_CONFIG, logs: { ...TEST_CONFIG.logs, measures } } }),
      ).toThrow(
        /more than 3500 \(Lambda allows 4 KB in all, table names included\): declare fewer logs.measures/,
      );
    });
  });

  describe('Feature: cdk-nag', () => {
    it('adds no unacknowledged AwsSolutions finding', () => {
      // Act
      const report = new AwsSolutionsChecks().validateScope(stack);

      // Assess
      const findings = report.violations
        .filter((v) => v.violatingResources.some((r) => r.constructPath?.includes('LogIngestion')))
        .map(
          (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
        );
      expect(findings).toEqual([]);
    });
  });
});
