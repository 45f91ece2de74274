import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { QueryCommand, TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { validateDriftConfig } from '../../../lambdas/domain/drift/drift-config';
import { ENV } from '../../../lambdas/shared/env';

const s3 = mockClient(S3Client);
const ddb = mockClient(DynamoDBClient);
const tsQuery = mockClient(TimestreamQueryClient);
const tsWrite = mockClient(TimestreamWriteClient);

const ENV_SET = {
  [ENV.DRIFT_REPORTS_BUCKET]: 'vigil-drift-reports',
  [ENV.SAMPLES_DATABASE]: 'vigil-test',
  [ENV.SAMPLES_TABLE]: 'samples',
  [ENV.EVENTS_DATABASE]: 'vigil-test',
  [ENV.EVENTS_TABLE]: 'events',
  [ENV.PUSH_GROUPS_TABLE]: 'vigil-push-groups',
  [ENV.SERIES_INDEX_TABLE]: 'vigil-series-index',
  [ENV.RUNTIME_CONFIG]: JSON.stringify(runtimeConfigOf(validateConfig({}).config)),
};

describe('Function: run-drift-monitors handler', () => {
  let dir: string;
  const stdout: string[] = [];
  let writeSpy: ReturnType<typeof jest.spyOn>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-drift-handler-'));
    const { config } = validateDriftConfig({
      monitors: [
        {
          name: 'faces',
          source: { events: { model: 'faces', fields: ['confidence'] } },
          reference: { window: '1h', offset: '1h' },
          schedule: { every: '1h' },
        },
      ],
    });
    writeFileSync(join(dir, 'drift.json'), JSON.stringify({ drift: config, baselines: {} }));
    Object.assign(process.env, ENV_SET, { [ENV.DRIFT_DOCUMENT]: join(dir, 'drift.json') });
  });
  beforeEach(() => {
    stdout.length = 0;
    writeSpy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      stdout.push(String(chunk));
      return true;
    });
    s3.on(PutObjectCommand).resolves({});
    ddb.onAnyCommand().resolves({});
    tsQuery.on(QueryCommand).resolves({ Rows: [], ColumnInfo: [], QueryId: 'q1' });
    tsWrite.on(WriteRecordsCommand).resolves({ RecordsIngested: { Total: 1 } });
  });
  afterEach(() => {
    writeSpy.mockRestore();
    s3.reset();
    ddb.reset();
    tsQuery.reset();
    tsWrite.reset();
  });
  afterAll(() => {
    for (const k of [...Object.keys(ENV_SET), ENV.DRIFT_DOCUMENT]) delete process.env[k];
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the monitors of a schedule tick: events queried, series written and mirrored, report put', async () => {
    // Prepare
    const { handler } = await import('../../../lambdas/handlers/run-drift-monitors');

    // Act
    const result = await handler({ everyMs: 3_600_000, time: '2026-11-25T12:00:07Z' });

    // Assess
    expect(result).toEqual({ runs: 1 });
    const sql = tsQuery.commandCalls(QueryCommand).map((c) => String(c.args[0].input.QueryString));
    // Both windows read the events table (no histogram source here).
    expect(sql.length).toBeGreaterThanOrEqual(2);
    expect(sql.every((q) => q.includes('"vigil-test"."events"'))).toBe(true);
    const records = tsWrite
      .commandCalls(WriteRecordsCommand)
      .flatMap((c) => c.args[0].input.Records ?? []);
    expect(records.some((r) => r.MeasureName === 'vigil_drift_sample_size')).toBe(true);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: 'vigil-drift-reports',
      Key: `reports/faces/${9_999_999_999_999 - Date.parse('2026-11-25T12:00:00Z')}.json`,
      ContentType: 'application/json',
    });
    expect(ddb).toHaveReceivedCommand(PutItemCommand);
    const emf = stdout.filter((l) => l.includes('"_aws"')).join('');
    expect(emf).toContain('vigil_drift_sample_size');
    expect(emf).toContain('"monitor","feature","method","window"');
  });

  it('fails an event naming no configured monitor', async () => {
    // Prepare
    const { handler } = await import('../../../lambdas/handlers/run-drift-monitors');

    // Act
    const run = handler({ monitor: 'nope', runAtMs: 0 });

    // Assess
    await expect(run).rejects.toThrow('no drift monitor "nope" to run');
  });
});
