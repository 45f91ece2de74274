import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { LAMBDA_QUERY_TIMEOUT_MS, makeQueryHandler } from '../../../lambdas/api/query';
import { DEFAULT_MAX_ROWS_PER_SELECT } from '../../../lambdas/adapters/storage/timestream/limits';
import { DEFAULT_ALERTING_CONFIG } from '../../../lambdas/domain/alerting/config';
import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { runEvaluation } from '../../../lambdas/domain/rules/evaluation-run';
import { ENV } from '../../../lambdas/shared/env';
import { awsEvaluatorDeps } from '../../../lambdas/wiring/alerting-deps';
import { awsQueryApiDeps } from '../../../lambdas/wiring/query-deps';

const NOW = Date.UTC(2025, 0, 1, 12);

/**
 * Timestream's Query API as the reader sees it: `DESCRIBE` lists the `job` dimension, a
 * `count(*)` answers `rows`, any other statement returns no rows. Every statement is recorded.
 */
const fakeTimestream = (rows: number) => {
  const statements: string[] = [];
  const mock = mockClient(TimestreamQueryClient);
  mock.on(QueryCommand).callsFake(async (input: { QueryString: string }) => {
    const sql = input.QueryString;
    statements.push(sql);
    if (sql.startsWith('DESCRIBE ')) {
      return {
        ColumnInfo: [{ Name: 'Column' }, { Name: 'Type' }, { Name: 'Timestream attribute type' }],
        Rows: [
          {
            Data: [
              { ScalarValue: 'job' },
              { ScalarValue: 'varchar' },
              { ScalarValue: 'DIMENSION' },
            ],
          },
        ],
      };
    }
    if (sql.startsWith('SELECT count(*)')) {
      return { ColumnInfo: [{ Name: 'n' }], Rows: [{ Data: [{ ScalarValue: String(rows) }] }] };
    }
    return { ColumnInfo: [], Rows: [] };
  });
  return { mock, statements };
};

const event = (query: Record<string, string>): APIGatewayProxyEvent =>
  ({
    resource: '/api/v1/query',
    path: '/api/v1/query',
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: Object.fromEntries(
      Object.entries(query).map(([k, v]) => [k, [v]]),
    ),
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {},
  }) as unknown as APIGatewayProxyEvent;

const CONTEXT = {
  functionName: 'query',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 29_000,
} as unknown as Context;

describe('Feature: the Timestream read ceiling, per caller', () => {
  const saved = { ...process.env };
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-ceiling-'));
    writeFileSync(
      join(dir, 'rules.json'),
      JSON.stringify({
        groups: [
          {
            file: 'rules.yml',
            name: 'service',
            rules: [
              { alert: 'ServiceDown', expr: 'up{job="api"} == 0' },
              {
                record: 'job:http_requests:rate5m',
                expr: 'sum by (job) (rate(http_requests_total[5m]))',
              },
            ],
          },
        ],
        evaluation: { intervalMs: 60_000, externalLabels: {}, externalUrl: '' },
        alerting: DEFAULT_ALERTING_CONFIG,
      }),
    );
    Object.assign(process.env, {
      [ENV.STORE]: 'timestream',
      [ENV.SAMPLES_DATABASE]: 'vigil',
      [ENV.SAMPLES_TABLE]: 'samples',
      [ENV.SERIES_INDEX_TABLE]: 'series-index',
      [ENV.ALERT_STATE_TABLE]: 'alert-state',
      [ENV.ALERT_TOPICS]: JSON.stringify({ default: 'arn:aws:sns:eu-west-1:123456789012:vigil' }),
      [ENV.RULES_DOCUMENT]: join(dir, 'rules.json'),
      [ENV.RUNTIME_CONFIG]: JSON.stringify(runtimeConfigOf(validateConfig({}).config)),
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    delete process.env[ENV.PUSH_GROUPS_TABLE];
  });

  afterEach(() => {
    process.env = { ...saved };
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets the rule evaluator send one Timestream query per select, with no count first', async () => {
    // Prepare
    const timestream = fakeTimestream(10 * DEFAULT_MAX_ROWS_PER_SELECT);
    const dynamo = mockClient(DynamoDBClient).resolves({});

    // Act
    const summary = await runEvaluation(awsEvaluatorDeps(), NOW);

    // Assess
    expect(summary.rulesErr).toBe(0);
    expect(timestream.statements.filter((s) => s.startsWith('DESCRIBE '))).toHaveLength(1);
    const selects = timestream.statements.filter((s) => !s.startsWith('DESCRIBE '));
    expect(selects).toHaveLength(2);
    expect(selects.some((s) => s.includes('count(*)'))).toBe(false);
    timestream.mock.restore();
    dynamo.restore();
  });

  it('refuses a query API request over the ceiling with Prometheus error shape, before reading its rows', async () => {
    // Prepare
    const timestream = fakeTimestream(DEFAULT_MAX_ROWS_PER_SELECT + 1);
    const handler = makeQueryHandler(awsQueryApiDeps(), { maxTimeoutMs: LAMBDA_QUERY_TIMEOUT_MS });

    // Act
    const res = await handler(event({ query: 'up', time: String(NOW / 1000) }), CONTEXT);

    // Assess
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body)).toEqual({
      status: 'error',
      errorType: 'execution',
      error: expect.stringMatching(
        new RegExp(
          `^query would read too many samples: \\{__name__="up"\\} needs ${DEFAULT_MAX_ROWS_PER_SELECT + 1} samples from Timestream`,
        ),
      ),
    });
    const selects = timestream.statements.filter((s) => !s.startsWith('DESCRIBE '));
    expect(selects).toHaveLength(1);
    expect(selects[0]).toMatch(/^SELECT count\(\*\) AS n FROM/);
    timestream.mock.restore();
  });
});
