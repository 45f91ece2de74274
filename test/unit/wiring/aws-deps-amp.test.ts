import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { S3EventStore } from '../../../lambdas/adapters/events/s3-event-store';
import { PrometheusApiQueryEngine } from '../../../lambdas/adapters/query/prometheus-api-query-engine';
import { RemoteWriteSeriesStore } from '../../../lambdas/adapters/storage/amp/remote-write-series-store';
import { TimestreamSeriesStore } from '../../../lambdas/adapters/storage/timestream-series-store';
import { validateLogsConfig } from '../../../lambdas/domain/logs/logs-config';
import {
  awsApiDeps,
  awsCardinality,
  awsLogsApiDeps,
  awsSamples,
} from '../../../lambdas/wiring/aws-deps';
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

  it('builds Timestream and no query engine when the store is unset (earlier deployments)', () => {
    // Prepare
    Object.assign(process.env, {
      [ENV.SAMPLES_DATABASE]: 'vigil-test',
      [ENV.SAMPLES_TABLE]: 'samples',
      AWS_REGION: 'eu-west-1',
    });
    delete process.env[ENV.STORE];

    // Act
    const samples = awsSamples();

    // Assess
    expect(samples.store).toBeInstanceOf(TimestreamSeriesStore);
    expect(samples.queryEngine).toBeUndefined();
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
    const deps = awsApiDeps();
    const written = await deps.store.write([
      { labels: { __name__: 'up', job: 'api' }, samples: [{ t: Date.now(), v: 1 }] },
    ]);
    await deps.queryEngine?.instantQuery({ query: 'up', timeMs: Date.now() });

    // Assess
    expect(deps.store).toBeInstanceOf(RemoteWriteSeriesStore);
    expect(deps.queryEngine).toBeInstanceOf(PrometheusApiQueryEngine);
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

  it('with amp, keeps pushed groups out of the read path and events in S3', () => {
    // Prepare
    Object.assign(process.env, AMP_ENV);

    // Act
    const api = awsApiDeps();
    const logs = awsLogsApiDeps();

    // Assess
    expect(api.store).toBeInstanceOf(RemoteWriteSeriesStore);
    expect(logs.events).toBeInstanceOf(S3EventStore);
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
