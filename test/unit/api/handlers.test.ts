import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { makeIngestMetricsHandler } from '../../../lambdas/api/ingest-metrics';
import { makePushgatewayHandler } from '../../../lambdas/api/ingest-pushgateway';
import { makeRemoteWriteHandler } from '../../../lambdas/api/ingest-remote-write';
import { makeReadSeriesHandler } from '../../../lambdas/api/read-series';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { localApiDeps } from '../../../lambdas/wiring/local-deps';
import { buildRemoteWriteRequest, REMOTE_WRITE_HEADERS } from '../../helpers/remote-write-client';
import { lambdaContext } from '../../helpers/api-gateway-event';

const NOW = 1_764_086_400_000;

const context = lambdaContext();

/** An API Gateway REST proxy event, shaped like lambdas/local/http-server.ts `toEvent`. */
const event = (
  method: string,
  path: string,
  opts: {
    body?: string | Uint8Array;
    headers?: Record<string, string>;
    query?: [string, string][];
  } = {},
): APIGatewayProxyEvent => {
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const query: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of opts.query ?? []) {
    query[k] = v;
    multi[k] = [...(multi[k] ?? []), v];
  }
  const hasQuery = (opts.query ?? []).length > 0;
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: opts.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters: null,
    stageVariables: null,
    body: body ? body.toString('base64') : null,
    isBase64Encoded: body !== undefined,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
};

describe('HTTP API handlers (local deps)', () => {
  let dir: string;
  let deps: ReturnType<typeof localApiDeps>;
  let now: number;
  type Call = (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  let ingest: Call;
  let remoteWrite: Call;
  let push: Call;
  let read: Call;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-api-'));
    now = NOW;
    deps = localApiDeps(validateConfig({}).config, dir, { now: () => now });
    const wrap =
      (h: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>) =>
      (e: APIGatewayProxyEvent) =>
        h(e, context);
    ingest = wrap(makeIngestMetricsHandler(deps));
    remoteWrite = wrap(makeRemoteWriteHandler(deps));
    push = wrap(makePushgatewayHandler(deps));
    read = wrap(makeReadSeriesHandler(deps));
  });
  afterEach(() => {
    deps.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const seriesOf = async (match: string) => {
    const res = await read(event('GET', '/api/v1/series', { query: [['match[]', match]] }));
    expect(res.statusCode).toBe(200);
    return (JSON.parse(res.body) as { data: Record<string, string>[] }).data;
  };

  describe('POST /ingest/metrics', () => {
    it('answers 200 with the accepted count and stores the sample', async () => {
      // Act
      const res = await ingest(
        event('POST', '/ingest/metrics', {
          body: '{"name":"ml_model_accuracy","labels":{"model_version":"v3"},"value":0.93}',
        }),
      );

      // Assess
      expect(res.statusCode).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ status: 'success', accepted: 1 });
      expect(await seriesOf('ml_model_accuracy')).toEqual([
        { __name__: 'ml_model_accuracy', model_version: 'v3' },
      ]);
    });

    it('answers 400 listing the rejected samples and stores the others', async () => {
      // Act
      const res = await ingest(
        event('POST', '/ingest/metrics', {
          body: JSON.stringify([
            { name: 'ok', value: 1 },
            { name: 'late', value: 2, timestamp: NOW + 3_600_000 },
          ]),
        }),
      );

      // Assess
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toEqual({
        status: 'error',
        errorType: 'bad_data',
        error: '1 of 2 samples rejected; the other 1 were stored',
        accepted: 1,
        rejected: [
          {
            series: 'late{}',
            timestamp: NOW + 3_600_000,
            value: '2',
            reason: `timestamp ${NOW + 3_600_000} is more than 900s in the future in series late{}`,
          },
        ],
      });
    });

    it('answers 400 in the Prometheus JSON shape for malformed JSON', async () => {
      // Act
      const res = await ingest(
        event('POST', '/ingest/metrics', { body: '{"name":"a","value":"x"}' }),
      );

      // Assess
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ status: 'error', errorType: 'bad_data' });
      expect(JSON.parse(res.body).error).toContain('(body).value');
    });
  });

  describe('POST /api/v1/write', () => {
    it('answers 204 and stores the samples', async () => {
      // Prepare
      const req = buildRemoteWriteRequest([
        { labels: { __name__: 'up', job: 'node' }, samples: [{ t: NOW, v: 1 }] },
      ]);

      // Act
      const res = await remoteWrite(event('POST', '/api/v1/write', req));

      // Assess
      expect(res.statusCode).toBe(204);
      expect(await seriesOf('up')).toEqual([{ __name__: 'up', job: 'node' }]);
    });

    it('answers 400 with a reason per rejected sample', async () => {
      // Prepare
      const req = buildRemoteWriteRequest([
        { labels: { __name__: 'up', __tenant: 'x' }, samples: [{ t: NOW, v: 1 }] },
        { labels: { __name__: 'ok' }, samples: [{ t: NOW, v: 1 }] },
      ]);

      // Act
      const res = await remoteWrite(event('POST', '/api/v1/write', req));

      // Assess
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('1 of 2 samples rejected (the other 1 were stored):');
      expect(res.body).toContain('label name "__tenant" is reserved');
    });

    it('answers 415 for a remote write 2.0 content type', async () => {
      // Prepare
      const req = buildRemoteWriteRequest([
        { labels: { __name__: 'up' }, samples: [{ t: NOW, v: 1 }] },
      ]);

      // Act
      const res = await remoteWrite(
        event('POST', '/api/v1/write', {
          body: req.body,
          headers: {
            ...REMOTE_WRITE_HEADERS,
            'Content-Type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
            'X-Prometheus-Remote-Write-Version': '2.0.0',
          },
        }),
      );

      // Assess
      expect(res.statusCode).toBe(415);
    });

    it('answers 413 for a body that decompresses past the limit (snappy bomb)', async () => {
      // Prepare: a snappy header claiming 1 GiB (varint) of decompressed data.
      const bomb = Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x04, 0x00, 0x61]);

      // Act
      const res = await remoteWrite(
        event('POST', '/api/v1/write', { body: bomb, headers: { ...REMOTE_WRITE_HEADERS } }),
      );

      // Assess
      expect(res.statusCode).toBe(413);
    });
  });

  describe('Pushgateway PUT/POST/DELETE', () => {
    const text = 'rows_processed{stage="etl"} 42\n# TYPE loss gauge\nloss 0.5\n';

    it('PUT answers 200 and the group shows up in series, labels, label values and federate', async () => {
      // Act
      const res = await push(event('PUT', '/metrics/job/batch/instance/n1', { body: text }));
      now = NOW + 20_000;

      // Assess
      expect(res.statusCode).toBe(200);
      expect((await seriesOf('{job="batch"}')).map((l) => l.__name__).sort()).toEqual([
        'loss',
        'push_failure_time_seconds',
        'push_time_seconds',
        'rows_processed',
      ]);
      const labels = await read(event('GET', '/api/v1/labels'));
      expect(JSON.parse(labels.body).data).toEqual(['__name__', 'instance', 'job', 'stage']);
      const jobs = await read(event('GET', '/api/v1/label/job/values'));
      expect(JSON.parse(jobs.body)).toEqual({ status: 'success', data: ['batch'] });
      const fed = await read(event('GET', '/federate', { query: [['match[]', 'rows_processed']] }));
      expect(fed.statusCode).toBe(200);
      expect(fed.body).toContain(
        `rows_processed{instance="n1",job="batch",stage="etl"} 42 ${NOW + 15_000}`,
      );
    });

    it('POST answers 200 and replaces only the pushed family', async () => {
      // Prepare
      await push(event('PUT', '/metrics/job/batch', { body: text }));

      // Act
      now = NOW + 1000;
      const res = await push(event('POST', '/metrics/job/batch', { body: 'loss 0.25\n' }));

      // Assess
      expect(res.statusCode).toBe(200);
      const fed = await read(event('GET', '/federate', { query: [['match[]', '{job="batch"}']] }));
      expect(fed.body).toContain('loss{job="batch"} 0.25');
      expect(fed.body).toContain('rows_processed{job="batch",stage="etl"} 42');
    });

    it('DELETE answers 202 and the group disappears from federate', async () => {
      // Prepare
      await push(event('PUT', '/metrics/job/batch', { body: text }));
      now = NOW + 1000;

      // Act
      const res = await push(event('DELETE', '/metrics/job/batch'));
      now = NOW + 2000;

      // Assess
      expect(res.statusCode).toBe(202);
      const fed = await read(event('GET', '/federate', { query: [['match[]', '{job="batch"}']] }));
      expect(fed.body).toBe('');
      expect((await push(event('DELETE', '/metrics/job/never'))).statusCode).toBe(202);
    });

    it('answers 400 with the line number for invalid exposition and records the failure', async () => {
      // Prepare
      await push(event('PUT', '/metrics/job/batch', { body: text }));
      now = NOW + 5000;

      // Act
      const res = await push(event('PUT', '/metrics/job/batch', { body: 'ok 1\nbad{ 2\n' }));
      now = NOW + 6000;

      // Assess
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/line 2/);
      const fed = await read(
        event('GET', '/federate', { query: [['match[]', 'push_failure_time_seconds']] }),
      );
      expect(fed.body).toContain('push_failure_time_seconds{job="batch"} 1.764086405e+09');
    });

    it('answers 400 for a push with timestamps', async () => {
      // Act
      const res = await push(event('PUT', '/metrics/job/batch', { body: `x 1 ${NOW}\n` }));

      // Assess
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('must not have timestamps');
    });
  });

  describe('read endpoints', () => {
    it('answers 400 bad_data in the Prometheus shape for /api/v1/series without match[]', async () => {
      // Act
      const res = await read(event('GET', '/api/v1/series'));

      // Assess
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toEqual({
        status: 'error',
        errorType: 'bad_data',
        error: 'no match[] parameter provided',
      });
    });
  });
});
