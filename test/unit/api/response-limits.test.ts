import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { makeQueryHandler } from '../../../lambdas/api/query';
import { makeReadSeriesHandler } from '../../../lambdas/api/read-series';
import { ResponseHint } from '../../../lambdas/api/response-budget';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { localApiDeps } from '../../../lambdas/wiring/local-deps';
import { InMemorySeriesStore } from '../../helpers/in-memory-series-store';

/** 2025-11-25T16:00:00Z */
const NOW = 1_764_086_400_000;
const NOW_S = String(NOW / 1000);
const HOUR_AGO_S = String(NOW / 1000 - 3600);
const SERIES = 200;

const CONTEXT = {
  functionName: 'vigil-test',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** An API Gateway REST proxy event for a GET with query parameters. */
const get = (path: string, query: [string, string][]): APIGatewayProxyEvent => {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [k, v] of query) {
    single[k] = v;
    multi[k] = [...(multi[k] ?? []), v];
  }
  const hasQuery = query.length > 0;
  return {
    resource: path,
    path,
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: hasQuery ? single : null,
    multiValueQueryStringParameters: hasQuery ? multi : null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
};

/** Bytes of a body inside the Lambda response document (JSON-escaped, UTF-8). */
const lambdaBodyBytes = (body: string): number => Buffer.byteLength(JSON.stringify(body)) - 2;

interface Endpoint {
  readonly name: string;
  readonly fn: 'query' | 'read';
  readonly event: APIGatewayProxyEvent;
  /** What the refusal counts, and how many there are. */
  readonly unit: string;
  readonly items: number;
  readonly hint: string;
  /** Items reported as written when the last byte is refused (federation has no closing piece). */
  readonly doneAtLastByte: number;
}

const ENDPOINTS: readonly Endpoint[] = [
  {
    name: 'GET /api/v1/query_range',
    fn: 'query',
    event: get('/api/v1/query_range', [
      ['query', 'http_requests_total'],
      ['start', HOUR_AGO_S],
      ['end', NOW_S],
      ['step', '60'],
    ]),
    unit: 'series',
    items: SERIES,
    hint: ResponseHint.QueryRange,
    doneAtLastByte: SERIES,
  },
  {
    name: 'GET /api/v1/query',
    fn: 'query',
    event: get('/api/v1/query', [
      ['query', 'http_requests_total'],
      ['time', NOW_S],
    ]),
    unit: 'samples',
    items: SERIES,
    hint: ResponseHint.Query,
    doneAtLastByte: SERIES,
  },
  {
    name: 'GET /api/v1/series',
    fn: 'read',
    event: get('/api/v1/series', [['match[]', 'http_requests_total']]),
    unit: 'series',
    items: SERIES,
    hint: ResponseHint.Series,
    doneAtLastByte: SERIES,
  },
  {
    name: 'GET /api/v1/labels',
    fn: 'read',
    event: get('/api/v1/labels', []),
    unit: 'label names',
    items: 3,
    hint: ResponseHint.Labels,
    doneAtLastByte: 3,
  },
  {
    name: 'GET /api/v1/label/instance/values',
    fn: 'read',
    event: get('/api/v1/label/instance/values', []),
    unit: 'label values',
    items: SERIES,
    hint: ResponseHint.Labels,
    doneAtLastByte: SERIES,
  },
  {
    name: 'GET /federate',
    fn: 'read',
    event: get('/federate', [['match[]', 'http_requests_total']]),
    unit: 'series',
    items: SERIES,
    hint: ResponseHint.Federate,
    doneAtLastByte: SERIES - 1,
  },
];

describe('Feature: response size limit (limits.maxResponseBytes)', () => {
  let dir: string;
  let store: InMemorySeriesStore;
  const closers: (() => void)[] = [];

  /** The endpoint's handler over the shared store, with `maxResponseBytes` set as given. */
  const handlerFor = (endpoint: Endpoint, maxResponseBytes?: number): Handler => {
    const { config } = validateConfig(
      maxResponseBytes === undefined ? {} : { limits: { maxResponseBytes } },
    );
    const local = localApiDeps(config, dir, { now: () => NOW });
    closers.push(() => local.close());
    const deps = { ...local, store };
    return (
      endpoint.fn === 'query' ? makeQueryHandler(deps) : makeReadSeriesHandler(deps)
    ) as Handler;
  };

  const call = async (endpoint: Endpoint, maxResponseBytes?: number) => {
    const start = performance.now();
    const res = await handlerFor(endpoint, maxResponseBytes)(endpoint.event, CONTEXT);
    return { res, ms: performance.now() - start };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-response-limits-'));
    // Prepare: 200 series of the same size, a sample a minute over the last hour.
    store = new InMemorySeriesStore();
    await store.write(
      Array.from({ length: SERIES }, (_, i) => ({
        labels: {
          __name__: 'http_requests_total',
          instance: `pod-${String(i).padStart(3, '0')}`,
          job: 'inference-api',
        },
        samples: Array.from({ length: 61 }, (_, j) => ({
          t: NOW - 3_600_000 + j * 60_000,
          v: 1000 + j,
        })),
      })),
    );
  });
  afterAll(() => {
    for (const close of closers) close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each(ENDPOINTS)('$name', (endpoint) => {
    it('answers 200 with the whole body when it is exactly the limit', async () => {
      // Prepare
      const { res: full } = await call(endpoint);
      const size = lambdaBodyBytes(full.body);

      // Act
      const { res } = await call(endpoint, size);

      // Assess
      expect(full.statusCode).toBe(200);
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(full.body);
    });

    it('answers 422 execution, naming the limit and the remedy, one byte over the limit', async () => {
      // Prepare
      const { res: full } = await call(endpoint);
      const limit = lambdaBodyBytes(full.body) - 1;

      // Act
      const { res } = await call(endpoint, limit);

      // Assess
      expect(res.statusCode).toBe(422);
      expect(res.headers?.['Content-Type']).toBe('application/json');
      expect(JSON.parse(res.body)).toEqual({
        status: 'error',
        errorType: 'execution',
        error: `response larger than the limit of ${limit} bytes (limits.maxResponseBytes) after ${endpoint.doneAtLastByte} of ${endpoint.items} ${endpoint.unit}: ${endpoint.hint}`,
      });
    });

    it('refuses a body ten times the limit in under a second, having encoded a tenth of it at most', async () => {
      // Prepare
      const { res: full } = await call(endpoint);
      const limit = Math.floor(lambdaBodyBytes(full.body) / 10);

      // Act
      const { res, ms } = await call(endpoint, limit);

      // Assess
      expect(res.statusCode).toBe(422);
      const error = (JSON.parse(res.body) as { error: string }).error;
      const done = Number(new RegExp(`after (\\d+) of ${endpoint.items} `).exec(error)?.[1]);
      expect(done).toBeLessThanOrEqual(Math.ceil(endpoint.items / 10));
      expect(ms).toBeLessThan(1_000);
    });
  });

  it('applies the default limit of 5 MiB to a query_range result of 10 MB', async () => {
    // Prepare: 4,500 series × 61 points, values as rate() gives them: about 10 MB of body.
    const big = new InMemorySeriesStore();
    await big.write(
      Array.from({ length: 4_500 }, (_, i) => ({
        labels: {
          __name__: 'model_predictions_total',
          model: `fraud-detector-${String(i).padStart(13, '0')}`,
        },
        samples: Array.from({ length: 61 }, (_, j) => ({
          t: NOW - 3_600_000 + j * 60_000,
          v: (i + 1) / 3 + j / 7,
        })),
      })),
    );
    const { config } = validateConfig({});
    const local = localApiDeps(config, dir, { now: () => NOW });
    closers.push(() => local.close());
    const handler = makeQueryHandler({ ...local, store: big }) as Handler;

    // Act
    const res = await handler(
      get('/api/v1/query_range', [
        ['query', 'model_predictions_total'],
        ['start', HOUR_AGO_S],
        ['end', NOW_S],
        ['step', '60'],
      ]),
      CONTEXT,
    );

    // Assess
    expect(res.statusCode).toBe(422);
    const error = (JSON.parse(res.body) as { error: string }).error;
    expect(error).toMatch(
      /^response larger than the limit of 5242880 bytes \(limits\.maxResponseBytes\) after \d+ of 4500 series: /,
    );
    const done = Number(/after (\d+) of/.exec(error)?.[1]);
    expect(done).toBeGreaterThan(1_500);
    expect(done).toBeLessThan(3_000);
  });
});
