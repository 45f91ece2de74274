import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  PrometheusApiQueryEngine,
  type QueryFetch,
  RemoteQueryError,
} from '../../../../lambdas/adapters/query/prometheus-api-query-engine';
import { makeQueryHandler } from '../../../../lambdas/api/query';
import { makeReadSeriesHandler } from '../../../../lambdas/api/read-series';
import { runtimeConfigOf, validateConfig } from '../../../../lambdas/domain/config/validate';
import { BadRequestError, QueryUnavailableError } from '../../../../lambdas/domain/errors';
import type { NameRefusal } from '../../../../lambdas/domain/ports';
import { PromqlExecutionError, PromqlTimeoutError } from '../../../../lambdas/domain/promql';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';

const BASE = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234';

interface SentRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** A fetch that records what it is sent and answers `status` with `body`. */
const stubFetch = (
  status: number,
  body: string,
  headers: Record<string, string> = {},
): { fetch: QueryFetch; sent: SentRequest[] } => {
  const sent: SentRequest[] = [];
  const fetch: QueryFetch = async (url, init) => {
    sent.push({ url, method: init.method, headers: init.headers ?? {}, body: init.body });
    return new Response(body, { status, headers });
  };
  return { fetch, sent };
};

const success = (data: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ status: 'success', data, ...extra });

const formOf = (body: string | undefined) => [...new URLSearchParams(body ?? '').entries()];

describe('PrometheusApiQueryEngine requests', () => {
  it('posts an instant query as a form with time in seconds and the timeout', async () => {
    // Prepare
    const { fetch, sent } = stubFetch(200, success({ resultType: 'vector', result: [] }));
    const engine = new PrometheusApiQueryEngine({ baseUrl: `${BASE}/`, fetch });

    // Act
    await engine.instantQuery({
      query: 'sum by (job) (rate(http_requests_total[5m]))',
      timeMs: 1_764_086_400_123,
      timeoutMs: 20_000,
    });

    // Assess
    expect(sent).toEqual([
      {
        url: `${BASE}/api/v1/query`,
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'query=sum+by+%28job%29+%28rate%28http_requests_total%5B5m%5D%29%29&time=1764086400.123&timeout=20000ms',
      },
    ]);
  });

  it('posts a range query with start, end and step in seconds', async () => {
    // Prepare
    const { fetch, sent } = stubFetch(200, success({ resultType: 'matrix', result: [] }));
    const engine = new PrometheusApiQueryEngine({ baseUrl: BASE, fetch });

    // Act
    await engine.rangeQuery({ query: 'up', startMs: 1000, endMs: 61_000, stepMs: 500 });

    // Assess
    expect(sent[0]?.url).toBe(`${BASE}/api/v1/query_range`);
    expect(formOf(sent[0]?.body)).toEqual([
      ['query', 'up'],
      ['start', '1'],
      ['end', '61'],
      ['step', '0.500'],
    ]);
  });

  it('posts series and labels with one match[] per matcher set, values escaped', async () => {
    // Prepare
    const { fetch, sent } = stubFetch(200, success([]));
    const engine = new PrometheusApiQueryEngine({ baseUrl: BASE, fetch });
    const query = {
      matcherSets: [
        [
          { name: '__name__', op: '=' as const, value: 'up' },
          { name: 'job', op: '=~' as const, value: 'a"b\\.c|d' },
        ],
        [{ name: 'instance', op: '!=' as const, value: '' }],
      ],
      range: { startMs: 0, endMs: 3_600_000 },
    };

    // Act
    await engine.series(query);
    await engine.labelNames(query);

    // Assess
    expect(sent.map((s) => [s.method, s.url])).toEqual([
      ['POST', `${BASE}/api/v1/series`],
      ['POST', `${BASE}/api/v1/labels`],
    ]);
    const expected = [
      ['match[]', '{__name__="up",job=~"a\\"b\\\\.c|d"}'],
      ['match[]', '{instance!=""}'],
      ['start', '0'],
      ['end', '3600'],
    ];
    expect(formOf(sent[0]?.body)).toEqual(expected);
    expect(formOf(sent[1]?.body)).toEqual(expected);
  });

  it('gets label values and metadata (GET-only endpoints) with the parameters in the URL', async () => {
    // Prepare
    const { fetch, sent } = stubFetch(200, success([]));
    const engine = new PrometheusApiQueryEngine({ baseUrl: BASE, fetch });

    // Act
    await engine.labelValues('job', {
      matcherSets: [[{ name: '__name__', op: '=', value: 'up' }]],
      range: { startMs: 1000, endMs: 2000 },
    });
    await engine.metadata('http_requests_total');

    // Assess
    expect(sent.map((s) => [s.method, s.url, s.body])).toEqual([
      [
        'GET',
        `${BASE}/api/v1/label/job/values?match%5B%5D=%7B__name__%3D%22up%22%7D&start=1&end=2`,
        undefined,
      ],
      ['GET', `${BASE}/api/v1/metadata?metric=http_requests_total`, undefined],
    ]);
  });
});

describe('PrometheusApiQueryEngine answers', () => {
  it('parses vectors with special values and keeps the body as received', async () => {
    // Prepare
    const body = success(
      {
        resultType: 'vector',
        result: [
          { metric: { __name__: 'up', job: 'a' }, value: [1764086400.5, '1'] },
          { metric: { job: 'b' }, value: [1764086400.5, '+Inf'] },
          { metric: { job: 'c' }, value: [1764086400.5, 'NaN'] },
          { metric: { job: 'd' }, value: [1764086400.5, '-Inf'] },
        ],
      },
      { warnings: ['PromQL warning: w'], infos: ['PromQL info: i'] },
    );
    const engine = new PrometheusApiQueryEngine({
      baseUrl: BASE,
      fetch: stubFetch(200, body).fetch,
    });

    // Act
    const result = await engine.instantQuery({ query: 'up', timeMs: 1_764_086_400_500 });

    // Assess
    expect(result.raw).toBe(body);
    expect(result.warnings).toEqual(['PromQL warning: w']);
    expect(result.infos).toEqual(['PromQL info: i']);
    expect(result.value).toEqual({
      type: 'vector',
      samples: [
        { labels: { __name__: 'up', job: 'a' }, t: 1_764_086_400_500, v: 1 },
        { labels: { job: 'b' }, t: 1_764_086_400_500, v: Number.POSITIVE_INFINITY },
        { labels: { job: 'c' }, t: 1_764_086_400_500, v: Number.NaN },
        { labels: { job: 'd' }, t: 1_764_086_400_500, v: Number.NEGATIVE_INFINITY },
      ],
    });
  });

  it('parses matrices, scalars and strings', async () => {
    // Prepare
    const answers = [
      success({
        resultType: 'matrix',
        result: [
          {
            metric: { job: 'a' },
            values: [
              [1, '0.25'],
              [1.001, '1e-7'],
            ],
          },
        ],
      }),
      success({ resultType: 'scalar', result: [12, '3.5'] }),
      success({ resultType: 'string', result: [12, 'hello'] }),
    ];
    let i = 0;
    const engine = new PrometheusApiQueryEngine({
      baseUrl: BASE,
      fetch: async () => new Response(answers[i++], { status: 200 }),
    });

    // Act
    const matrix = await engine.rangeQuery({ query: 'x', startMs: 1000, endMs: 1001, stepMs: 1 });
    const scalar = await engine.instantQuery({ query: '3.5', timeMs: 12_000 });
    const string = await engine.instantQuery({ query: '"hello"', timeMs: 12_000 });

    // Assess
    expect(matrix.value).toEqual({
      type: 'matrix',
      series: [
        {
          labels: { job: 'a' },
          points: [
            { t: 1000, v: 0.25 },
            { t: 1001, v: 1e-7 },
          ],
        },
      ],
    });
    expect(scalar.value).toEqual({ type: 'scalar', t: 12_000, v: 3.5 });
    expect(string.value).toEqual({ type: 'string', t: 12_000, v: 'hello' });
  });
});

describe('PrometheusApiQueryEngine error mapping', () => {
  const promError = (errorType: string, error: string) =>
    JSON.stringify({ status: 'error', errorType, error });

  it.each([
    [
      400,
      promError('bad_data', 'invalid parameter "query": 1:1: parse error: x'),
      BadRequestError,
      'invalid parameter "query": 1:1: parse error: x',
    ],
    [
      422,
      promError(
        'execution',
        'query processing would load too many samples into memory in query execution',
      ),
      PromqlExecutionError,
      'query processing would load too many samples into memory in query execution',
    ],
    [
      503,
      promError('timeout', 'query timed out in expression evaluation'),
      PromqlTimeoutError,
      'query timed out in expression evaluation',
    ],
    [422, promError('canceled', 'query was canceled'), QueryUnavailableError, 'query was canceled'],
    [500, promError('internal', 'unexpected error'), QueryUnavailableError, 'unexpected error'],
    [429, '{"message":"Rate exceeded"}', QueryUnavailableError, 'Rate exceeded'],
    [502, '<html>Bad Gateway</html>', QueryUnavailableError, '<html>Bad Gateway</html>'],
    [
      400,
      '{"message":"1 validation error detected"}',
      BadRequestError,
      '1 validation error detected',
    ],
    [
      403,
      '{"message":"The security token included in the request is invalid."}',
      RemoteQueryError,
      'query engine answered HTTP 403: The security token included in the request is invalid.',
    ],
  ])(
    'HTTP %i answering %s becomes the matching domain error',
    async (status, body, type, message) => {
      // Prepare
      const engine = new PrometheusApiQueryEngine({
        baseUrl: BASE,
        fetch: stubFetch(status, body).fetch,
      });

      // Act
      const error = await engine.instantQuery({ query: 'up', timeMs: 0 }).catch((e: Error) => e);

      // Assess
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toBe(message);
    },
  );

  it('keeps the Retry-After of a throttling answer', async () => {
    // Prepare
    const { fetch } = stubFetch(429, '{"message":"Rate exceeded"}', { 'Retry-After': '7' });
    const engine = new PrometheusApiQueryEngine({ baseUrl: BASE, fetch });

    // Act
    const error = await engine
      .labelNames({ matcherSets: [], range: { startMs: 0, endMs: 1 } })
      .catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(QueryUnavailableError);
    expect((error as QueryUnavailableError).retryAfterMs).toBe(7000);
  });

  it('retries throttling and unavailable answers, then answers', async () => {
    // Prepare
    const statuses = [429, 503, 200];
    const sent: number[] = [];
    const engine = new PrometheusApiQueryEngine({
      baseUrl: BASE,
      retryBaseMs: 1,
      fetch: async () => {
        const status = statuses[sent.length] as number;
        sent.push(status);
        return new Response(
          status === 200 ? success({ resultType: 'scalar', result: [1, '4'] }) : 'busy',
          { status },
        );
      },
    });

    // Act
    const result = await engine.instantQuery({ query: '4', timeMs: 1000 });

    // Assess
    expect(sent).toEqual([429, 503, 200]);
    expect(result.value).toEqual({ type: 'scalar', t: 1000, v: 4 });
  });

  it('gives up after the retries with the last failure, and never retries bad data', async () => {
    // Prepare
    let throttled = 0;
    let refused = 0;
    const throttling = new PrometheusApiQueryEngine({
      baseUrl: BASE,
      retryBaseMs: 1,
      fetch: async () => {
        throttled++;
        return new Response('{"message":"Rate exceeded"}', { status: 429 });
      },
    });
    const refusing = new PrometheusApiQueryEngine({
      baseUrl: BASE,
      retryBaseMs: 1,
      fetch: async () => {
        refused++;
        return new Response(
          JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'bad' }),
          { status: 400 },
        );
      },
    });

    // Act
    const gaveUp = await throttling.instantQuery({ query: 'up', timeMs: 0 }).catch((e: Error) => e);
    const bad = await refusing.instantQuery({ query: 'up', timeMs: 0 }).catch((e: Error) => e);

    // Assess
    expect(gaveUp).toBeInstanceOf(QueryUnavailableError);
    expect(throttled).toBe(3);
    expect(bad).toBeInstanceOf(BadRequestError);
    expect(refused).toBe(1);
  });

  it('turns a network failure into a retryable error', async () => {
    // Prepare
    const engine = new PrometheusApiQueryEngine({
      baseUrl: BASE,
      fetch: async () => {
        throw new TypeError('fetch failed');
      },
    });

    // Act
    const error = await engine.instantQuery({ query: 'up', timeMs: 0 }).catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(QueryUnavailableError);
    expect((error as Error).message).toBe('cannot reach the query engine: fetch failed');
  });

  it('times out and aborts the request when no answer comes within the query timeout plus a second', async () => {
    // Prepare
    let signal: AbortSignal | undefined;
    const engine = new PrometheusApiQueryEngine({
      baseUrl: BASE,
      fetch: (_url, init) => {
        signal = init.signal;
        return new Promise<Response>(() => {});
      },
      timeoutMs: 60_000,
    });
    const started = performance.now();

    // Act
    const error = await engine
      .instantQuery({ query: 'up', timeMs: 0, timeoutMs: 50 })
      .catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(PromqlTimeoutError);
    expect((error as Error).message).toBe(
      'query timed out in remote query (no answer within 1050 ms)',
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    expect(signal?.aborted).toBe(true);
  });
});

const context = {
  functionName: 'vigil-test',
  awsRequestId: 'r',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const apiEvent = (path: string, query: [string, string][]): APIGatewayProxyEvent => {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of query) {
    single[k] = v;
    multi[k] = [...(multi[k] ?? []), v];
  }
  return {
    resource: path,
    path,
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: single,
    multiValueQueryStringParameters: multi,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
};

describe('HTTP API over a remote query engine', () => {
  type Handler = (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
  const depsWith = (fetch: QueryFetch) => ({
    store: new InMemorySeriesStore(),
    cardinality: {
      admit: async () => new Set<string>(),
      admitNames: async () => new Map<number, NameRefusal>(),
    },
    mirror: { mirror: async () => {} },
    pushGroups: {
      get: async () => undefined,
      put: async () => {},
      delete: async () => {},
      list: async () => [],
    },
    clock: { now: () => 1_764_086_400_000 },
    config: runtimeConfigOf(validateConfig({}).config),
    queryEngine: new PrometheusApiQueryEngine({ baseUrl: BASE, fetch }),
  });

  it('answers a query with the remote body unchanged', async () => {
    // Prepare
    const body = success({
      resultType: 'vector',
      result: [{ metric: { job: 'a' }, value: [1764086400, '2'] }],
    });
    const { fetch, sent } = stubFetch(200, body);
    const handler = makeQueryHandler(depsWith(fetch)) as Handler;

    // Act
    const res = await handler(apiEvent('/api/v1/query', [['query', 'up']]), context);

    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(body);
    expect(formOf(sent[0]?.body)).toEqual([
      ['query', 'up'],
      ['time', '1764086400'],
      ['timeout', '120000ms'],
    ]);
  });

  it('applies limit to a remote result, with Prometheus warning', async () => {
    // Prepare
    const body = success({
      resultType: 'vector',
      result: [
        { metric: { job: 'a' }, value: [1764086400, '1'] },
        { metric: { job: 'b' }, value: [1764086400, '2'] },
      ],
    });
    const handler = makeQueryHandler(depsWith(stubFetch(200, body).fetch)) as Handler;

    // Act
    const res = await handler(
      apiEvent('/api/v1/query', [
        ['query', 'up'],
        ['limit', '1'],
      ]),
      context,
    );

    // Assess
    expect(JSON.parse(res.body)).toEqual({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { job: 'a' }, value: [1764086400, '1'] }] },
      warnings: ['results truncated due to limit'],
    });
  });

  it.each([
    [
      422,
      JSON.stringify({ status: 'error', errorType: 'execution', error: 'many samples' }),
      {},
      422,
      { status: 'error', errorType: 'execution', error: 'many samples' },
      undefined,
    ],
    [
      503,
      JSON.stringify({
        status: 'error',
        errorType: 'timeout',
        error: 'query timed out in expression evaluation',
      }),
      {},
      503,
      { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' },
      undefined,
    ],
    [
      400,
      JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'bad' }),
      {},
      400,
      { status: 'error', errorType: 'bad_data', error: 'bad' },
      undefined,
    ],
    [
      429,
      '{"message":"Rate exceeded"}',
      { 'Retry-After': '3' },
      503,
      {
        status: 'error',
        errorType: 'unavailable',
        error: 'query engine is unavailable, retry later: Rate exceeded',
      },
      '3',
    ],
  ])(
    'remote HTTP %i answers as Prometheus would (%s)',
    async (status, body, headers, expectedStatus, expectedBody, retryAfter) => {
      // Prepare
      const handler = makeQueryHandler(depsWith(stubFetch(status, body, headers).fetch)) as Handler;

      // Act
      const res = await handler(apiEvent('/api/v1/query', [['query', 'up']]), context);

      // Assess
      expect(res.statusCode).toBe(expectedStatus);
      expect(JSON.parse(res.body)).toEqual(expectedBody);
      expect(res.headers?.['Retry-After']).toBe(retryAfter);
    },
  );

  it('answers series and label calls with the remote body, and federates by instant queries', async () => {
    // Prepare
    const answers: Record<string, string> = {
      '/api/v1/series': success([{ __name__: 'up', job: 'a' }]),
      '/api/v1/query': success({
        resultType: 'vector',
        result: [{ metric: { __name__: 'up', job: 'a' }, value: [1764086400, '1'] }],
      }),
    };
    const sent: string[] = [];
    const handler = makeReadSeriesHandler(
      depsWith(async (url, init) => {
        const path = url.slice(BASE.length);
        sent.push(`${init.method} ${path} ${init.body ?? ''}`);
        return new Response(answers[path], { status: 200 });
      }),
    ) as Handler;

    // Act
    const series = await handler(apiEvent('/api/v1/series', [['match[]', 'up']]), context);
    const federate = await handler(apiEvent('/federate', [['match[]', '{job="a"}']]), context);

    // Assess
    expect(series.body).toBe(answers['/api/v1/series']);
    expect(federate.body).toBe('# TYPE up untyped\nup{job="a"} 1 1764086400000\n');
    expect(sent).toEqual([
      `POST /api/v1/series match%5B%5D=%7B__name__%3D%22up%22%7D&start=${1_764_086_400 - runtimeConfigOf(validateConfig({}).config).maxSampleAgeMs / 1000}&end=1764086400`,
      'POST /api/v1/query query=%7Bjob%3D%22a%22%7D&time=1764086400&timeout=25000ms',
    ]);
  });
});
