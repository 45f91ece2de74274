/**
 * Response size limit figures: the budget a Lambda response leaves to the body, the largest
 * `query_range` result that fits `limits.maxResponseBytes` at typical label sizes, and how long an
 * oversized result takes to be refused compared with encoding it whole.
 *
 * Run alone: `npx tsx bench/response-size.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { MemorySeriesStore } from '../lambdas/adapters/storage/memory-series-store';
import { makeQueryHandler } from '../lambdas/api/query';
import { queryDataJson, queryResponseJson, successJson } from '../lambdas/api/query-json';
import { jsonStringBytes, ResponseBudget, ResponseHint } from '../lambdas/api/response-budget';
import { DEFAULT_LIMITS } from '../lambdas/domain/config/defaults';
import { validateConfig } from '../lambdas/domain/config/validate';
import type { QueryValue } from '../lambdas/domain/promql';
import { ResponseTooLargeError } from '../lambdas/domain/errors';
import type { Labels } from '../lambdas/domain/series/labels';
import { localApiDeps } from '../lambdas/wiring/local-deps';
import { fmt, fmtMs, median, table, timeRuns } from './lib';

const LIMIT = DEFAULT_LIMITS.maxResponseBytes;
const T0 = Date.UTC(2026, 10, 25);

/** A typical service counter's label set (`http_requests_total` of a typical HTTP service). */
const labelsOf = (i: number): Labels => ({
  __name__: 'http_requests_total',
  instance: `10.0.${(i >> 8) & 255}.${i & 255}:9100`,
  job: 'inference-api',
  method: 'GET',
  status: '200',
});

/** A matrix as `rate(...)` gives it: 16–18 significant digits per value. */
const matrix = (series: number, points: number, stepMs: number): QueryValue => ({
  type: 'matrix',
  series: Array.from({ length: series }, (_, i) => ({
    labels: labelsOf(i),
    points: Array.from({ length: points }, (_, j) => ({
      t: T0 + j * stepMs,
      v: (i + 1) / 3 + j / 7,
    })),
  })),
});

/** Bytes of one series of `matrix(…)` as charged by the budget (with its separating comma). */
const seriesBytes = (points: number, stepMs: number): number => {
  const one = queryDataJson(matrix(1, points, stepMs));
  const two = queryDataJson(matrix(2, points, stepMs));
  return jsonStringBytes(two) - jsonStringBytes(one);
};

const envelopeRows = (): string[][] => {
  const empty: APIGatewayProxyResult = {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: '',
  };
  const envelope = Buffer.byteLength(JSON.stringify(empty));
  return [
    ['figure', 'bytes'],
    ["Lambda's synchronous response payload (6 MB, read as 10^6)", fmt(6_000_000)],
    ['response document without its body (status, Content-Type)', fmt(envelope)],
    ['largest limits.maxResponseBytes accepted', fmt(5_990_000)],
    ['default limits.maxResponseBytes', fmt(LIMIT)],
  ];
};

const fitRows = (): string[][] => {
  const rows = [['range', 'step', 'points/series', 'bytes/series', 'series that fit', 'points']];
  const cases: [string, string, number, number][] = [
    ['1 h', '15 s', 241, 15_000],
    ['6 h', '1 m', 361, 60_000],
    ['24 h', '1 m', 1_441, 60_000],
    ['7 d', '5 m', 2_017, 300_000],
    ['7 d', '55 s', 11_000, 55_000],
  ];
  const overhead = jsonStringBytes(
    '{"status":"success","data":{"resultType":"matrix","result":[]}}',
  );
  for (const [range, step, points, stepMs] of cases) {
    const per = seriesBytes(points, stepMs);
    const fit = Math.floor((LIMIT - overhead) / per);
    rows.push([range, step, fmt(points), fmt(per), fmt(fit), fmt(fit * points)]);
  }
  return rows;
};

const CONTEXT = { functionName: 'bench', awsRequestId: 'bench' } as unknown as Context;

const rangeEvent = (start: number, end: number, step: number): APIGatewayProxyEvent =>
  ({
    resource: '/api/v1/query_range',
    path: '/api/v1/query_range',
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: {
      query: 'http_requests_total',
      start: String(start / 1000),
      end: String(end / 1000),
      step: String(step / 1000),
    },
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {},
  }) as unknown as APIGatewayProxyEvent;

const refuseRows = async (): Promise<string[][]> => {
  const rows = [['result', 'body', 'encode whole', 'refuse at the limit', 'charged when refused']];
  for (const [series, points] of [
    [200, 1_441],
    [2_000, 1_441],
  ] as const) {
    const value = matrix(series, points, 60_000);
    const whole = successJson(queryDataJson(value));
    const wholeMs = median(
      await timeRuns(() => successJson(queryDataJson(value)), { warmup: 1, repeats: 3 }),
    );
    let charged = 0;
    const refuseMs = median(
      await timeRuns(
        () => {
          const budget = new ResponseBudget(LIMIT, ResponseHint.QueryRange);
          try {
            queryResponseJson(value, [], [], budget);
          } catch (e) {
            if (!(e instanceof ResponseTooLargeError)) throw e;
            charged = budget.usedBytes;
          }
        },
        { warmup: 1, repeats: 5 },
      ),
    );
    rows.push([
      `${fmt(series)} series × ${fmt(points)} points`,
      `${fmt(jsonStringBytes(whole) / 1e6, 1)} MB`,
      fmtMs(wholeMs),
      fmtMs(refuseMs),
      fmt(charged),
    ]);
  }
  return rows;
};

/** The whole request through the query handler: store select, PromQL range evaluation, refusal. */
const handlerRows = async (): Promise<string[][]> => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-response-'));
  const rows = [['query_range', 'status', 'time', 'message']];
  try {
    const { config } = validateConfig({ project: 'bench' });
    const store = new MemorySeriesStore();
    const points = 1_441;
    for (let i = 0; i < 2_000; i++) {
      await store.write([
        {
          labels: labelsOf(i),
          samples: Array.from({ length: points }, (_, j) => ({ t: T0 + j * 60_000, v: i + j })),
        },
      ]);
    }
    const local = localApiDeps(config, dir, { now: () => T0 + 86_400_000 });
    const handler = makeQueryHandler({ ...local, store });
    const event = rangeEvent(T0, T0 + 86_400_000, 60_000);
    const times = await timeRuns(() => handler(event, CONTEXT), { warmup: 1, repeats: 3 });
    const res = (await handler(event, CONTEXT)) as APIGatewayProxyResult;
    rows.push([
      'http_requests_total, 2,000 series, 24 h at 1 m',
      String(res.statusCode),
      fmtMs(median(times)),
      (JSON.parse(res.body) as { error?: string }).error ?? '',
    ]);
    local.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
};

const main = async () => {
  console.log('Response budget\n');
  console.log(table(envelopeRows()));
  console.log(
    `\nLargest query_range result under ${fmt(LIMIT)} bytes (labels of ${fmt(jsonStringBytes(JSON.stringify(labelsOf(0))))} bytes, values as rate() gives them)\n`,
  );
  console.log(table(fitRows()));
  console.log('\nRefusing an oversized result (encoder only)\n');
  console.log(table(await refuseRows()));
  console.log('\nRefusing an oversized result (query handler, memory store)\n');
  console.log(table(await handlerRows()));
};

await main();
