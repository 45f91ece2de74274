import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { TimestreamWriteClient, WriteRecordsCommand } from '@aws-sdk/client-timestream-write';
import { mockClient } from 'aws-sdk-client-mock';
import { validateLogsConfig } from '../../../lambdas/domain/logs/logs-config';
import { awsCardinality, awsSamples } from '../../../lambdas/wiring/aws-deps';
import { awsIngestApiDeps } from '../../../lambdas/wiring/ingest-deps';
import { awsLogsApiDeps } from '../../../lambdas/wiring/logs-deps';
import { awsQueryApiDeps } from '../../../lambdas/wiring/query-deps';
import { ENV } from '../../../lambdas/shared/env';

const URL_BASE = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234';
const RUNTIME = {
  limits: {},
  cloudwatch: { namespace: 'Vigil', mirror: [] },
  pushgateway: { scrapeIntervalSeconds: 15 },
  maxSampleAgeMs: 86_400_000,
};
const AMP_ENV = {
  [ENV.STORE]: 'amp',
  [ENV.AMP_WORKSPACE_ID]: 'ws-1234',
  [ENV.AMP_WORKSPACE_URL]: URL_BASE,
  [ENV.AMP_REGION]: 'eu-west-1',
  [ENV.PUSH_GROUPS_TABLE]: 'push-groups',
  [ENV.SERIES_INDEX_TABLE]: 'series-index',
  [ENV.EVENTS_BUCKET]: 'events-bucket',
  [ENV.RUNTIME_CONFIG]: JSON.stringify(RUNTIME),
  [ENV.LOGS_CONFIG]: JSON.stringify({ project: 'test', logs: validateLogsConfig({}).config }),
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

describe('Composition roots: the store chosen by VIGIL_STORE', () => {
  const saved = { ...process.env };
  const savedFetch = globalThis.fetch;
  afterEach(() => {
    process.env = { ...saved };
    globalThis.fetch = savedFetch;
  });

  it('writes to Timestream and has no query engine when the store is unset (earlier deployments)', async () => {
    // Prepare
    Object.assign(process.env, {
      [ENV.SAMPLES_DATABASE]: 'vigil-test',
      [ENV.SAMPLES_TABLE]: 'samples',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    delete process.env[ENV.STORE];
    const write = mockClient(TimestreamWriteClient).on(WriteRecordsCommand).resolves({});

    // Act
    const samples = awsSamples();
    const written = await samples.store.write([
      { labels: { __name__: 'up', job: 'api' }, samples: [{ t: Date.now(), v: 1 }] },
    ]);

    // Assess
    expect(samples.queryEngine).toBeUndefined();
    expect(written).toEqual({ accepted: 1, rejected: [] });
    expect(write.commandCalls(WriteRecordsCommand)[0]?.args[0].input).toMatchObject({
      DatabaseName: 'vigil-test',
      TableName: 'samples',
    });
    write.restore();
  });

  it('with amp, writes SigV4-signed remote_write requests to the workspace and queries its API', async () => {
    // Prepare
    Object.assign(process.env, AMP_ENV);
    const calls: { url: string; method: string; headers: Record<string, string> }[] = [];
    globalThis.fetch = (async (url: string, init: RequestInit) => {
      calls.push({
        url,
        method: String(init.method),
        headers: init.headers as Record<string, string>,
      });
      return url.endsWith('/api/v1/remote_write')
        ? new Response(null, { status: 204 })
        : new Response(
            JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
            {
              status: 200,
              headers: { 'content-type': 'application/json' },
            },
          );
    }) as typeof fetch;

    // Act
    const written = await awsIngestApiDeps().store.write([
      { labels: { __name__: 'up', job: 'api' }, samples: [{ t: Date.now(), v: 1 }] },
    ]);
    const answer = await awsQueryApiDeps().queryEngine?.instantQuery({
      query: 'up',
      timeMs: Date.now(),
    });

    // Assess
    expect(answer?.value).toEqual({ type: 'vector', samples: [] });
    expect(written).toEqual({ accepted: 1, rejected: [] });
    expect(calls.map((c) => `${c.method} ${c.url.split('?')[0]}`)).toEqual([
      `POST ${URL_BASE}/api/v1/remote_write`,
      expect.stringMatching(new RegExp(`^(GET|POST) ${URL_BASE}/api/v1/query$`)),
    ]);
    for (const c of calls) {
      expect(c.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/aps\/aws4_request/,
      );
    }
  });

  it('with amp, keeps pushed groups out of the read path and events in S3', async () => {
    // Prepare
    Object.assign(process.env, AMP_ENV);
    const dynamo = mockClient(DynamoDBClient);
    const s3 = mockClient(S3Client).on(PutObjectCommand).resolves({});

    // Act
    const read = awsQueryApiDeps().store.select([{ name: '__name__', op: '=', value: 'up' }], {
      startMs: 0,
      endMs: 1,
    });
    await awsLogsApiDeps().events.write([
      {
        timestampMs: Date.now(),
        service: 'api',
        model: 'm',
        modelVersion: '1',
        measures: { p: 1 },
      },
    ]);

    // Assess
    await expect(read).rejects.toThrow(/select/);
    expect(dynamo.calls()).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Bucket).toBe('events-bucket');
    dynamo.restore();
    s3.restore();
  });

  it("with amp, admits new label and metric names without Timestream's budgets or a table call", async () => {
    // Prepare
    Object.assign(process.env, AMP_ENV);
    const dynamo = mockClient(DynamoDBClient);
    const names = Array.from({ length: 200 }, (_, i) => ({
      measure: `metric_${i}`,
      dimensions: [`label_${i}`],
    }));

    // Act
    const refused = await awsCardinality('series-index').admitNames(names, {
      dimensions: 112,
      measures: 7936,
    });

    // Assess
    expect(refused.size).toBe(0);
    expect(dynamo.calls()).toHaveLength(0);
    dynamo.restore();
  });

  it('refuses an unknown store name', () => {
    // Prepare
    Object.assign(process.env, { ...AMP_ENV, [ENV.STORE]: 'influx' });

    // Act & Assess
    expect(() => awsSamples()).toThrow(/VIGIL_STORE must be timestream or amp, got "influx"/);
  });
});
