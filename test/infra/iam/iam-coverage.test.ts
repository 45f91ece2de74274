import { jest } from '@jest/globals';
import type { CfnJson } from '../helpers';
import { type CoverageRun, runCoverage } from './coverage-run';
import { figuresOf } from './figures';
import type { RecordedCall } from './fake-aws';
import {
  checkCalls,
  checkFunction,
  customResourceCalls,
  describeFindings,
  roleStatements,
} from './iam-coverage';
import type { FunctionRecording, ModuleLoader } from './record-calls';
import { TemplateModel } from './template-model';

/** Jest: a fresh module registry per function, so each handler builds its clients anew. */
const JEST_LOADER: ModuleLoader = {
  isolate: async <T>(body: () => Promise<T>): Promise<T> => {
    let result: T | undefined;
    await jest.isolateModulesAsync(async () => {
      result = await body();
    });
    return result as T;
  },
  importFresh: (path) => import(path),
};

/** Every function Vigil deploys with every feature on, by handler file. */
const EVERY_HANDLER = [
  'alerts',
  'authorize',
  'drift-reports',
  'evaluate-rules',
  'health',
  'import-gpu-metrics',
  'ingest-logs',
  'ingest-loki',
  'ingest-metrics',
  'ingest-otlp-logs',
  'ingest-otlp-metrics',
  'ingest-pushgateway',
  'ingest-remote-write',
  'notify-pagerduty',
  'notify-slack',
  'query',
  'read-series',
  'run-drift-monitors',
  'scrape-targets',
];

let run: CoverageRun;
beforeAll(async () => {
  run = await runCoverage(JEST_LOADER);
}, 240_000);

const recordingOf = (handler: string): FunctionRecording => {
  const found = run.recordings.find((r) => r.fn.handlerName === handler);
  if (!found) throw new Error(`no function runs ${handler}`);
  return found;
};
const commandsOf = (handler: string): string[] => [
  ...new Set(recordingOf(handler).calls.map((c) => c.command)),
];
const sqlOf = (handler: string): string[] =>
  recordingOf(handler)
    .calls.filter((c) => c.command === 'QueryCommand' && typeof c.input.QueryString === 'string')
    .map((c) => c.input.QueryString as string);

describe('Feature: IAM coverage of every function (recorded calls against the roles)', () => {
  describe('recording', () => {
    it('drives the handler of every Vigil function of the every-feature stack', () => {
      // Act
      const handlers = run.recordings.map((r) => r.fn.handlerName).sort();

      // Assess
      expect(handlers).toEqual(EVERY_HANDLER);
    });

    it('runs every scenario to its end: no handler throws, every API answer is a success but the missing report', () => {
      // Act
      const failures = run.recordings.flatMap((r) =>
        r.outcomes.flatMap((o, i) => {
          if (!o.ok) return [`${r.fn.handlerName}[${i}]: ${String(o.error)}`];
          const status = (o.value as { statusCode?: number } | undefined)?.statusCode;
          return status !== undefined && status >= 400
            ? [`${r.fn.handlerName}[${i}]: ${status}`]
            : [];
        }),
      );

      // Assess
      expect(failures).toEqual(['drift-reports[1]: 404']);
    });

    it.each<[string, string[]]>([
      ['ingest-metrics', ['TransactWriteItemsCommand', 'WriteRecordsCommand']],
      ['ingest-pushgateway', ['PutItemCommand', 'QueryCommand', 'WriteRecordsCommand']],
      ['ingest-remote-write', ['TransactWriteItemsCommand', 'WriteRecordsCommand']],
      ['read-series', ['QueryCommand', 'ScanCommand']],
      ['alerts', ['GetItemCommand', 'PutItemCommand']],
      [
        'evaluate-rules',
        ['GetItemCommand', 'PublishCommand', 'PutItemCommand', 'WriteRecordsCommand'],
      ],
      ['notify-slack', ['GetItemCommand', 'GetSecretValueCommand', 'PutItemCommand']],
      ['notify-pagerduty', ['GetItemCommand', 'GetSecretValueCommand', 'PutItemCommand']],
      ['scrape-targets', ['GetSecretValueCommand', 'PutItemCommand', 'WriteRecordsCommand']],
      ['run-drift-monitors', ['PutObjectCommand', 'QueryCommand', 'WriteRecordsCommand']],
      ['drift-reports', ['GetObjectCommand', 'InvokeCommand', 'ListObjectsV2Command']],
      ['ingest-logs', ['CreateLogStreamCommand', 'PutLogEventsCommand', 'UpdateItemCommand']],
      ['ingest-loki', ['CreateLogStreamCommand', 'PutLogEventsCommand', 'WriteRecordsCommand']],
      ['ingest-otlp-metrics', ['TransactWriteItemsCommand', 'WriteRecordsCommand']],
      ['ingest-otlp-logs', ['CreateLogStreamCommand', 'PutLogEventsCommand', 'UpdateItemCommand']],
      ['import-gpu-metrics', ['GetMetricDataCommand', 'ListMetricsCommand', 'WriteRecordsCommand']],
      ['health', []],
      ['authorize', []],
    ])('records what %s sends on its main paths', (handler, expected) => {
      // Act
      const commands = commandsOf(handler);

      // Assess
      expect(commands).toEqual(expect.arrayContaining(expected));
      if (expected.length === 0) expect(commands).toEqual([]);
    });

    it.each(['read-series', 'query', 'evaluate-rules'])(
      'records the DESCRIBE and the SELECT %s runs on the samples table',
      (handler) => {
        // Act
        const sql = sqlOf(handler);

        // Assess
        expect(sql).toContainEqual(expect.stringMatching(/^DESCRIBE "vigil-test"\."samples"$/));
        expect(sql).toContainEqual(
          expect.stringMatching(/^SELECT .*FROM "vigil-test"\."samples"/s),
        );
      },
    );

    it('records the drift function describing and selecting prediction events', () => {
      // Act
      const sql = sqlOf('run-drift-monitors');

      // Assess
      expect(sql).toContain('DESCRIBE "vigil-test"."events"');
      expect(sql).toContainEqual(expect.stringMatching(/FROM "vigil-test"\."events"/));
    });

    it('records conditional puts of alert state and the publish to the critical topic', () => {
      // Act
      const calls = recordingOf('evaluate-rules').calls;
      const puts = calls.filter((c) => c.command === 'PutItemCommand');
      const publishes = calls.filter((c) => c.command === 'PublishCommand');

      // Assess
      expect(puts.every((c) => typeof c.input.ConditionExpression === 'string')).toBe(true);
      expect(publishes.map((c) => c.input.TopicArn)).toEqual([
        expect.stringMatching(/^arn:aws:sns:eu-west-1:123456789012:.*CriticalTopic/),
      ]);
    });

    it('records the run-now invoke of the drift function by its deployed name', () => {
      // Prepare
      const [driftId] = run.functions
        .filter((f) => f.handlerName === 'run-drift-monitors')
        .map((f) => f.logicalId);

      // Act
      const invokes = recordingOf('drift-reports').calls.filter(
        (c) => c.command === 'InvokeCommand',
      );

      // Assess
      expect(invokes.map((c) => [c.input.FunctionName, c.input.InvocationType])).toEqual([
        [driftId, 'Event'],
      ]);
    });
  });

  describe('permissions', () => {
    it('allows every call of every function, with the implicit endpoint discovery and KMS calls', () => {
      // Act
      const findings = [...run.results.values()].flatMap((r) => r.findings);

      // Assess
      expect(describeFindings(findings)).toBe('');
    });

    it('counts endpoint discovery and the KMS key uses among what the functions need', () => {
      // Act
      const needs = (handler: string) => {
        const fn = recordingOf(handler).fn;
        return (run.results.get(fn.logicalId)?.required ?? []).map((p) => p.action);
      };

      // Assess
      expect(needs('ingest-metrics')).toEqual(
        expect.arrayContaining(['timestream:DescribeEndpoints', 'kms:Decrypt']),
      );
      expect(needs('evaluate-rules')).toEqual(
        expect.arrayContaining(['timestream:DescribeTable', 'sns:Publish', 'kms:GenerateDataKey']),
      );
      expect(needs('notify-slack')).toEqual(
        expect.arrayContaining(['secretsmanager:GetSecretValue', 'kms:Decrypt']),
      );
      expect(needs('run-drift-monitors')).toEqual(expect.arrayContaining(['kms:GenerateDataKey']));
    });

    it('allows the calls of the Timestream availability check (DescribeEndpoints, then ListDatabases)', () => {
      // Prepare
      const [check] = customResourceCalls(run.model);
      if (!check) throw new Error('no AwsCustomResource in the stack');

      // Act
      const { required, findings } = checkCalls(
        run.model,
        'availability check',
        check.roleId,
        check.calls,
      );

      // Assess
      expect(required.map((p) => p.action).sort()).toEqual([
        'timestream:DescribeEndpoints',
        'timestream:ListDatabases',
      ]);
      expect(describeFindings(findings)).toBe('');
    });

    it('grants the readers timestream:DescribeTable on exactly the tables they read', () => {
      // Prepare
      const tables = (handler: string) => {
        const fn = recordingOf(handler).fn;
        return roleStatements(run.model, fn.roleId)
          .filter((s) => JSON.stringify(s.Action ?? '').includes('timestream:DescribeTable'))
          .flatMap((s) => s.Resource ?? [])
          .sort();
      };
      const samples = 'arn:aws:timestream:eu-west-1:123456789012:database/vigil-test/table/samples';
      const events = 'arn:aws:timestream:eu-west-1:123456789012:database/vigil-test/table/events';

      // Act
      const granted = Object.fromEntries(
        [
          'read-series',
          'query',
          'evaluate-rules',
          'run-drift-monitors',
          'ingest-metrics',
          'ingest-logs',
        ].map((h) => [h, tables(h)]),
      );

      // Assess
      expect(granted).toEqual({
        'read-series': [samples],
        query: [samples],
        'evaluate-rules': [samples],
        'run-drift-monitors': [events, samples],
        'ingest-metrics': [],
        'ingest-logs': [],
      });
    });
  });

  describe('figures', () => {
    it('counts per function the actions used and granted, and what no call needs', () => {
      // Act
      const figures = Object.fromEntries(figuresOf(run).map((f) => [f.handler, f]));

      // Assess
      expect(Object.keys(figures).sort()).toEqual(EVERY_HANDLER);
      expect(Object.values(figures).every((f) => f.missing === 0)).toBe(true);
      expect(figures.health).toMatchObject({ used: [], unused: [] });
      expect(figures['drift-reports']).toMatchObject({
        used: ['kms:Decrypt', 'lambda:InvokeFunction', 's3:GetObject', 's3:ListBucket'],
        unused: [],
      });
      expect(figures['notify-slack']?.used).toEqual(
        expect.arrayContaining(['sqs:SendMessage', 'kms:GenerateDataKey']),
      );
    });
  });

  describe('a policy without the WriteRecords grant', () => {
    it('fails and names the function, the action and the resource', () => {
      // Prepare: the template with the samples-table WriteRecords statement of ingest-metrics removed
      const recording = recordingOf('ingest-metrics');
      const template = structuredClone(run.full.template) as CfnJson;
      const roleRef = { Ref: recording.fn.roleId };
      let removed = 0;
      for (const r of Object.values(template.Resources as Record<string, CfnJson>)) {
        if (r.Type !== 'AWS::IAM::Policy') continue;
        if (!r.Properties.Roles.some((x: unknown) => JSON.stringify(x) === JSON.stringify(roleRef)))
          continue;
        const doc = r.Properties.PolicyDocument;
        const before = doc.Statement.length;
        doc.Statement = doc.Statement.filter(
          (s: CfnJson) => s.Action !== 'timestream:WriteRecords',
        );
        removed += before - doc.Statement.length;
      }
      expect(removed).toBe(1);

      // Act
      const { findings } = checkFunction(
        new TemplateModel(template),
        recording.fn,
        recording.calls,
      );

      // Assess
      expect(describeFindings(findings)).toBe(
        `${recording.fn.logicalId} (ingest-metrics): timestream:WriteRecords on arn:aws:timestream:eu-west-1:123456789012:database/vigil-test/table/samples (implicit-deny; needed by TimestreamWriteClient WriteRecordsCommand)`,
      );
    });

    it('fails for a call the role never needed before, e.g. a query from an ingest function', () => {
      // Prepare
      const recording = recordingOf('ingest-metrics');
      const query: RecordedCall = {
        client: 'TimestreamQueryClient',
        command: 'QueryCommand',
        input: { QueryString: 'SELECT 1 FROM "vigil-test"."samples" WHERE time > ago(1m)' },
      };

      // Act
      const { findings } = checkFunction(run.model, recording.fn, [...recording.calls, query]);

      // Assess
      expect(findings.map((f) => `${f.action} ${f.resource}`)).toEqual([
        'timestream:Select arn:aws:timestream:eu-west-1:123456789012:database/vigil-test/table/samples',
      ]);
    });
  });
});
