import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { makePushgatewayHandler } from '../../../lambdas/api/ingest-pushgateway';
import { makeQueryHandler } from '../../../lambdas/api/query';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import type { SeriesStore } from '../../../lambdas/domain/ports';
import { localApiDeps } from '../../../lambdas/wiring/local-deps';
import { VIGIL_VERSION } from '../../../lambdas/shared/version';

/** 2025-01-01T00:00:00Z */
const T0 = Date.UTC(2025, 0, 1);
const T0S = T0 / 1000;

const CONTEXT = {
  functionName: 'query',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const event = (
  method: string,
  path: string,
  query: Record<string, string> = {},
  body?: string,
  contentType = 'application/x-www-form-urlencoded',
): APIGatewayProxyEvent => {
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: body === undefined ? {} : { 'Content-Type': contentType },
    multiValueHeaders: {},
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: null,
    stageVariables: null,
    body: body ?? null,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
};

const { config } = validateConfig({ project: 'test' });

describe('Feature: Prometheus query API', () => {
  let dir: string;
  let deps: ReturnType<typeof localApiDeps>;
  let handler: Handler;
  let now: number;

  const call = async (
    method: string,
    path: string,
    query: Record<string, string> = {},
    body?: string,
  ) => {
    const res = await handler(event(method, path, query, body), CONTEXT);
    return { status: res.statusCode, body: res.body, json: JSON.parse(res.body) as unknown };
  };

  const write = (store: SeriesStore, labels: Record<string, string>, points: [number, number][]) =>
    store.write([{ labels, samples: points.map(([t, v]) => ({ t, v })) }]);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-query-'));
    now = T0 + 600_000;
    deps = localApiDeps(config, dir, { now: () => now });
    handler = makeQueryHandler(deps) as Handler;
    // Prepare: two counters every 15 s over the first 10 minutes, and one gauge.
    for (const [pod, rate] of [
      ['a', 1],
      ['b', 2],
    ] as const) {
      const points: [number, number][] = [];
      for (let i = 0; i <= 40; i++) points.push([T0 + i * 15_000, i * 15 * rate]);
      await write(deps.store, { __name__: 'http_requests_total', job: 'api', pod }, points);
    }
    await write(deps.store, { __name__: 'temperature', room: '<lab&1>' }, [[T0, 21.5]]);
  });

  afterEach(() => {
    deps.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('Endpoint: /api/v1/query', () => {
    it('answers an instant vector in exact Prometheus JSON, at the current time by default', async () => {
      // Act
      const res = await call('GET', '/api/v1/query', {
        query: 'sum by (job) (http_requests_total)',
      });

      // Assess
      expect(res.status).toBe(200);
      expect(res.body).toBe(
        `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"api"},"value":[${T0S + 600},"1800"]}]}}`,
      );
    });

    it('writes milliseconds of the time after a point, and values like Go', async () => {
      // Act
      const res = await call('GET', '/api/v1/query', {
        query: 'http_requests_total{pod="b"} * 1e20',
        time: String(T0S + 30.25),
      });

      // Assess
      expect(res.body).toBe(
        `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"api","pod":"b"},"value":[${T0S + 30}.250,"6000000000000000000000"]}]}}`,
      );
    });

    it('answers scalars, strings and special values', async () => {
      // Act
      const scalar = await call('GET', '/api/v1/query', { query: '1/0', time: String(T0S) });
      const nan = await call('GET', '/api/v1/query', { query: '-1/0 * 0', time: '1.5' });
      const str = await call('GET', '/api/v1/query', { query: '"hello"', time: String(T0S) });
      const neg = await call('GET', '/api/v1/query', { query: '-(1/0)', time: '0.001' });

      // Assess
      expect(scalar.body).toBe(
        `{"status":"success","data":{"resultType":"scalar","result":[${T0S},"+Inf"]}}`,
      );
      expect(nan.body).toBe(
        '{"status":"success","data":{"resultType":"scalar","result":[1.500,"NaN"]}}',
      );
      expect(str.body).toBe(
        `{"status":"success","data":{"resultType":"string","result":[${T0S},"hello"]}}`,
      );
      expect(neg.body).toBe(
        '{"status":"success","data":{"resultType":"scalar","result":[0.001,"-Inf"]}}',
      );
    });

    it('answers a range selector as a matrix, escaping HTML characters like Go', async () => {
      // Act
      const res = await call('GET', '/api/v1/query', {
        query: 'temperature[1m]',
        time: String(T0S + 30),
      });

      // Assess
      expect(res.body).toBe(
        `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"temperature","room":"\\u003clab\\u00261\\u003e"},"values":[[${T0S},"21.5"]]}]}}`,
      );
      expect(res.json).toEqual({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            { metric: { __name__: 'temperature', room: '<lab&1>' }, values: [[T0S, '21.5']] },
          ],
        },
      });
    });

    it('takes the parameters from a POST form body', async () => {
      // Act
      const res = await call(
        'POST',
        '/api/v1/query',
        {},
        `query=${encodeURIComponent('count(http_requests_total)')}&time=${T0S + 60}`,
      );

      // Assess
      expect(res.json).toEqual({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [T0S + 60, '2'] }] },
      });
    });

    it('cuts the result at limit and says so in a warning', async () => {
      // Act
      const res = await call('GET', '/api/v1/query', {
        query: 'http_requests_total',
        time: String(T0S + 60),
        limit: '1',
      });

      // Assess
      expect(res.json).toEqual({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [
            {
              metric: { __name__: 'http_requests_total', job: 'api', pod: 'a' },
              value: [T0S + 60, '60'],
            },
          ],
        },
        warnings: ['results truncated due to limit'],
      });
    });

    it('returns the engine infos beside the data', async () => {
      // Prepare
      await write(deps.store, { __name__: 'queue_length' }, [
        [T0, 1],
        [T0 + 15_000, 3],
      ]);

      // Act
      const res = await call('GET', '/api/v1/query', {
        query: 'rate(queue_length[5m])',
        time: String(T0S + 60),
      });

      // Assess
      expect(res.json).toEqual({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [{ metric: {}, value: [T0S + 60, '0.013333333333333334'] }],
        },
        infos: [
          'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "queue_length" (1:6)',
        ],
      });
    });

    it('sees a metric pushed through the Pushgateway API minutes after the push', async () => {
      // Prepare
      const push = makePushgatewayHandler(deps) as Handler;
      now = T0 + 60_000;
      const pushed = await push(
        {
          ...event(
            'PUT',
            '/metrics/job/train',
            {},
            '# TYPE epoch gauge\nepoch 7\n',
            'text/plain; version=0.0.4',
          ),
          resource: '/metrics/{proxy+}',
          pathParameters: { proxy: 'job/train' },
        },
        CONTEXT,
      );
      expect(pushed.statusCode).toBeLessThan(300);
      now = T0 + 60_000 + 20 * 60_000;

      // Act
      const res = await call('GET', '/api/v1/query', { query: 'epoch' });

      // Assess
      expect(res.json).toEqual({
        status: 'success',
        data: {
          resultType: 'vector',
          result: [
            {
              metric: { __name__: 'epoch', job: 'train' },
              value: [T0S + 21 * 60, '7'],
            },
          ],
        },
      });
    });
  });

  describe('Endpoint: /api/v1/query_range', () => {
    it('answers a matrix over the ingested samples, step as a duration or as seconds', async () => {
      // Act
      const byDuration = await call('GET', '/api/v1/query_range', {
        query: 'http_requests_total{pod="a"}',
        start: String(T0S),
        end: String(T0S + 120),
        step: '1m',
      });
      const bySeconds = await call(
        'POST',
        '/api/v1/query_range',
        {},
        new URLSearchParams({
          query: 'http_requests_total{pod="a"}',
          start: new Date(T0).toISOString(),
          end: String(T0S + 120),
          step: '60',
        }).toString(),
      );

      // Assess
      expect(byDuration.body).toBe(
        `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"http_requests_total","job":"api","pod":"a"},"values":[[${T0S},"0"],[${T0S + 60},"60"],[${T0S + 120},"120"]]}]}}`,
      );
      expect(bySeconds.body).toBe(byDuration.body);
    });

    it('answers a scalar expression as a matrix with an empty metric', async () => {
      // Act
      const res = await call('GET', '/api/v1/query_range', {
        query: '2 * 3',
        start: '0',
        end: '30',
        step: '15s',
      });

      // Assess
      expect(res.json).toEqual({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [
            {
              metric: {},
              values: [
                [0, '6'],
                [15, '6'],
                [30, '6'],
              ],
            },
          ],
        },
      });
    });

    it.each([
      [
        { query: 'up', start: '10', end: '5', step: '1' },
        'end timestamp must not be before start time',
      ],
      [
        { query: 'up', start: '0', end: '5', step: '0' },
        'zero or negative query resolution step widths are not accepted. Try a positive integer',
      ],
      [
        { query: 'up', start: '0', end: '11001', step: '1' },
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      ],
      [
        { query: 'up', start: '0', end: '5', step: 'soon' },
        'invalid parameter "step": cannot parse "soon" to a valid duration',
      ],
      [
        { query: 'up', end: '5', step: '1' },
        'invalid parameter "start": cannot parse "" to a valid timestamp',
      ],
      [
        { query: 'up', start: 'yesterday', end: '5', step: '1' },
        'invalid parameter "start": cannot parse "yesterday" to a valid timestamp',
      ],
      [
        { query: 'up[5m]', start: '0', end: '5', step: '1' },
        'invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector',
      ],
    ])('refuses %j with 400 bad_data', async (params, message) => {
      // Act
      const res = await call('GET', '/api/v1/query_range', params);

      // Assess
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ status: 'error', errorType: 'bad_data', error: message });
    });
  });

  describe('Feature: errors', () => {
    it('answers a syntax error with 400 bad_data and its position', async () => {
      // Act
      const res = await call('GET', '/api/v1/query', { query: 'sum(rate(x[5m])' });

      // Assess
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ status: 'error', errorType: 'bad_data' });
      expect((res.json as { error: string }).error).toMatch(
        /^invalid parameter "query": 1:\d+: parse error: /,
      );
    });

    it('answers a lookahead, which RE2 refuses, with 400 bad_data naming the pattern', async () => {
      // Act
      const res = await call('GET', '/api/v1/query', { query: 'up{job=~"(?!api).*"}' });

      // Assess
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        status: 'error',
        errorType: 'bad_data',
        error:
          'invalid parameter "query": 1:4: parse error: error parsing regexp: invalid or unsupported Perl syntax: `(?!`',
      });
    });

    it.each([
      [{}, /^invalid parameter "query": 1:1: parse error: /],
      [{ query: 'up', time: 'noon' }, /^invalid parameter "time": cannot parse "noon"/],
      [{ query: 'up', timeout: '5 minutes' }, /^invalid parameter "timeout": cannot parse/],
      [
        { query: 'up', timeout: '-1' },
        /^invalid parameter "timeout": must be a positive duration, got "-1"$/,
      ],
      [{ query: 'up', timeout: '0s' }, /^invalid parameter "timeout": must be a positive duration/],
      [{ query: 'up', limit: '-1' }, /^invalid parameter "limit": limit must be non-negative$/],
    ])('refuses bad parameters %j with 400 bad_data', async (params, message) => {
      // Act
      const res = await call('GET', '/api/v1/query', params);

      // Assess
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ status: 'error', errorType: 'bad_data' });
      expect((res.json as { error: string }).error).toMatch(message);
    });

    it('answers a query loading too many samples with 422 execution', async () => {
      // Prepare
      handler = makeQueryHandler(deps, { maxSamples: 10 }) as Handler;

      // Act
      const res = await call('GET', '/api/v1/query', {
        query: 'sum(rate(http_requests_total[10m]))',
      });

      // Assess
      expect(res.status).toBe(422);
      expect(res.json).toEqual({
        status: 'error',
        errorType: 'execution',
        error: 'query processing would load too many samples into memory in query execution',
      });
    });

    it('answers a query past its timeout with 503 timeout', async () => {
      // Prepare: every look at the clock is a second later.
      let t = T0;
      handler = makeQueryHandler({ ...deps, clock: { now: () => (t += 1000) } }) as Handler;

      // Act
      const res = await call('GET', '/api/v1/query', {
        query: 'http_requests_total',
        time: String(T0S),
        timeout: '500ms',
      });

      // Assess
      expect(res.status).toBe(503);
      expect(res.json).toEqual({
        status: 'error',
        errorType: 'timeout',
        error: 'query timed out in query execution',
      });
    });
  });

  describe('Endpoint: metadata, exemplars and build information', () => {
    it('answers metadata with an empty object (Vigil keeps no HELP/TYPE yet)', async () => {
      // Act
      const res = await call('GET', '/api/v1/metadata');

      // Assess
      expect(res.body).toBe('{"status":"success","data":{}}');
    });

    it('answers exemplar queries with an empty list, but checks the query', async () => {
      // Act
      const ok = await call('GET', '/api/v1/query_exemplars', { query: 'up' });
      const bad = await call('GET', '/api/v1/query_exemplars', { query: 'up{' });

      // Assess
      expect(ok.body).toBe('{"status":"success","data":[]}');
      expect(bad.status).toBe(400);
    });

    it('answers build information with Prometheus fields and Vigil version', async () => {
      // Act
      const res = await call('GET', '/api/v1/status/buildinfo');

      // Assess
      expect(res.json).toEqual({
        status: 'success',
        data: {
          version: VIGIL_VERSION,
          revision: '',
          branch: '',
          buildUser: 'vigil',
          buildDate: '',
          goVersion: `node ${process.version}`,
        },
      });
    });
  });
});
