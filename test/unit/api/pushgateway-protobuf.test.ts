import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { makePushgatewayHandler } from '../../../lambdas/api/ingest-pushgateway';
import { makeQueryHandler } from '../../../lambdas/api/query';
import { validateConfig } from '../../../lambdas/domain/config/validate';
import { localApiDeps } from '../../../lambdas/wiring/local-deps';
import {
  encodeDelimited,
  GO_BATCH_JOB_SAMPLES,
  GO_PUSH_CONTENT_TYPE,
  goBatchJobFamilies,
  type MetricFamilyObject,
} from '../../helpers/go-push-client';
import { type LocalVigil, startTestVigil } from '../../helpers/local-vigil';
import { lambdaContext } from '../../helpers/api-gateway-event';

const NOW = 1_764_086_400_000;
const PROTO = { 'Content-Type': GO_PUSH_CONTENT_TYPE };

/** `pod/7` in the URL-safe base64 the Go client writes for values with a `/`. */
const POD_B64 = Buffer.from('pod/7').toString('base64url');

type Vector = { metric: Record<string, string>; value: [number, string] }[];

/** `{__name__="x",a="b"}` → `x{a="b"}`, labels sorted, as GO_BATCH_JOB_SAMPLES writes them. */
const seriesText = (metric: Record<string, string>, drop: readonly string[]): string => {
  const { __name__: name, ...rest } = metric;
  const labels = Object.entries(rest)
    .filter(([k]) => !drop.includes(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return labels.length === 0 ? String(name) : `${name}{${labels.join(',')}}`;
};

const sortedSamples = (vector: Vector, drop: readonly string[]): [string, number][] =>
  vector
    .filter((r) => !String(r.metric.__name__).startsWith('push_'))
    .map((r): [string, number] => [seriesText(r.metric, drop), Number(r.value[1])])
    .sort(([a], [b]) => a.localeCompare(b));

const expectedSamples = (): [string, number][] =>
  [...GO_BATCH_JOB_SAMPLES].sort(([a], [b]) => a.localeCompare(b));

describe('Pushgateway API: delimited protobuf pushes (the Go client)', () => {
  let vigil: LocalVigil;

  beforeEach(async () => {
    vigil = await startTestVigil({ now: () => NOW });
  });
  afterEach(async () => {
    await vigil.close();
  });

  const query = async (expr: string): Promise<Vector> => {
    const res = await vigil.request(
      'GET',
      `/api/v1/query?query=${encodeURIComponent(expr)}&time=${NOW / 1000}`,
    );
    expect(res.status).toBe(200);
    return (JSON.parse(res.body) as { data: { result: Vector } }).data.result;
  };

  it('PUT stores every family with exact values under the grouping key, base64 label values decoded', async () => {
    // Act
    const res = await vigil.request(
      'PUT',
      `/metrics/job/go-batch/instance@base64/${POD_B64}`,
      encodeDelimited(goBatchJobFamilies()),
      PROTO,
    );

    // Assess
    expect(res.status).toBe(200);
    const vector = await query('{job="go-batch",instance="pod/7"}');
    expect(sortedSamples(vector, ['job', 'instance'])).toEqual(expectedSamples());
    const pushTime = vector.find((r) => r.metric.__name__ === 'push_time_seconds');
    expect(pushTime?.value[1]).toBe(String(NOW / 1000));
  });

  it.each([
    ['/metrics/job/etl/', { job: 'etl' }],
    ['/metrics/job/etl/path/data%2Fin', { job: 'etl', path: 'data/in' }],
    [
      `/metrics/job@base64/${Buffer.from('etl/nightly').toString('base64url')}`,
      { job: 'etl/nightly' },
    ],
    ['/metrics/job/etl/shard@base64/=', { job: 'etl' }],
    ['/metrics/job/etl/shard@base64/MQ==', { job: 'etl', shard: '1' }],
  ])('stores a protobuf push to %s under its grouping key', async (path, key) => {
    // Prepare
    const gauge: MetricFamilyObject = { name: 'rows', type: 1, metric: [{ gauge: { value: 7 } }] };

    // Act
    const res = await vigil.request('PUT', path, encodeDelimited([gauge]), PROTO);

    // Assess
    expect(res.status).toBe(200);
    const vector = await query('rows');
    expect(vector.map((r) => [r.metric, r.value[1]])).toEqual([
      [{ __name__: 'rows', ...key }, '7'],
    ]);
  });

  it('answers a protobuf push exactly as the same metrics pushed as text', async () => {
    // Prepare
    const text = [
      '# TYPE batch_records_total counter',
      'batch_records_total{model="resnet50",outcome="ok"} 1234',
      'batch_records_total{model="resnet50",outcome="error"} 3',
      '',
    ].join('\n');
    const families = goBatchJobFamilies().filter((f) => f.name === 'batch_records_total');

    // Act
    const asText = await vigil.request('PUT', '/metrics/job/as-text', text);
    const asProto = await vigil.request(
      'PUT',
      '/metrics/job/as-proto',
      encodeDelimited(families),
      PROTO,
    );

    // Assess
    expect([asText.status, asProto.status]).toEqual([200, 200]);
    const text1 = sortedSamples(await query('{job="as-text"}'), ['job']);
    const proto1 = sortedSamples(await query('{job="as-proto"}'), ['job']);
    expect(proto1).toEqual(text1);
    expect(proto1).toEqual([
      ['batch_records_total{model="resnet50",outcome="error"}', 3],
      ['batch_records_total{model="resnet50",outcome="ok"}', 1234],
    ]);
  });

  it('POST replaces only the pushed families, and grouping labels win over pushed labels', async () => {
    // Prepare
    await vigil.request(
      'PUT',
      '/metrics/job/go-batch',
      encodeDelimited(goBatchJobFamilies()),
      PROTO,
    );
    const gauge: MetricFamilyObject = {
      name: 'batch_temperature',
      type: 1,
      metric: [{ label: [{ name: 'job', value: 'spoofed' }], gauge: { value: 21.5 } }],
    };

    // Act
    const res = await vigil.request(
      'POST',
      '/metrics/job/go-batch',
      encodeDelimited([gauge]),
      PROTO,
    );

    // Assess
    expect(res.status).toBe(200);
    expect(sortedSamples(await query('batch_temperature'), [])).toEqual([
      ['batch_temperature{job="go-batch"}', 21.5],
    ]);
    expect(sortedSamples(await query('batch_records_total{job="go-batch"}'), ['job'])).toEqual([
      ['batch_records_total{model="resnet50",outcome="error"}', 3],
      ['batch_records_total{model="resnet50",outcome="ok"}', 1234],
    ]);
  });

  it('a family sent twice in one body counts once, the later one, as on the Pushgateway', async () => {
    // Prepare
    const gauge = (value: number): MetricFamilyObject => ({
      name: 'queue_depth',
      type: 1,
      metric: [{ gauge: { value } }],
    });

    // Act
    const res = await vigil.request(
      'PUT',
      '/metrics/job/twice',
      encodeDelimited([gauge(1), gauge(2)]),
      PROTO,
    );

    // Assess
    expect(res.status).toBe(200);
    expect(sortedSamples(await query('queue_depth'), [])).toEqual([
      ['queue_depth{job="twice"}', 2],
    ]);
  });

  it('an empty body with PUT empties the group but keeps push_time_seconds', async () => {
    // Prepare
    await vigil.request(
      'PUT',
      '/metrics/job/go-batch',
      encodeDelimited(goBatchJobFamilies()),
      PROTO,
    );

    // Act
    const res = await vigil.request('PUT', '/metrics/job/go-batch', new Uint8Array(0), PROTO);

    // Assess
    expect(res.status).toBe(200);
    const names = (await query('{job="go-batch"}')).map((r) => r.metric.__name__).sort();
    expect(names).toEqual(['push_failure_time_seconds', 'push_time_seconds']);
  });

  it.each<[string, Uint8Array, RegExp]>([
    [
      'a length past the end of the body',
      Buffer.from([0x20, 0x0a, 0x01, 0x78]),
      /byte 0.*runs past the end/,
    ],
    ['a varint that never ends', Buffer.from([0xff, 0xff, 0xff]), /truncated varint/],
    [
      'a string that is not UTF-8',
      encodeDelimited([{ name: 'x', type: 1, metric: [{ gauge: { value: 1 } }] }]).map((b) =>
        b === 0x78 ? 0xff : b,
      ),
      /not valid UTF-8/,
    ],
    [
      'a counter family holding a gauge',
      encodeDelimited([{ name: 'jobs_total', type: 0, metric: [{ gauge: { value: 1 } }] }]),
      /"jobs_total" of type COUNTER has a metric without a counter value/,
    ],
    [
      'a native histogram without classic buckets',
      encodeDelimited([
        {
          name: 'latency_seconds',
          type: 4,
          metric: [
            {
              histogram: {
                sampleCount: 2,
                sampleSum: 0.3,
                schema: 3,
                zeroThreshold: 1e-128,
                positiveSpan: [{ offset: -10, length: 1 }],
                positiveDelta: [2],
              },
            },
          ],
        },
      ]),
      /"latency_seconds" is a native histogram/,
    ],
    [
      'a gauge histogram',
      encodeDelimited([{ name: 'q', type: 5, metric: [{ histogram: { sampleCount: 1 } }] }]),
      /"q" is a GAUGE_HISTOGRAM/,
    ],
    [
      'an invalid metric name',
      encodeDelimited([{ name: 'bad-name', type: 1, metric: [{ gauge: { value: 1 } }] }]),
      /invalid metric family name "bad-name"/,
    ],
    [
      'a repeated label',
      encodeDelimited([
        {
          name: 'x',
          type: 1,
          metric: [
            {
              label: [
                { name: 'a', value: '1' },
                { name: 'a', value: '2' },
              ],
              gauge: { value: 1 },
            },
          ],
        },
      ]),
      /two labels named "a"/,
    ],
    [
      'a timestamp',
      encodeDelimited([
        { name: 'x', type: 1, metric: [{ gauge: { value: 1 }, timestampMs: NOW }] },
      ]),
      /must not have timestamps/,
    ],
  ])('answers 400 naming the problem for %s', async (_what, body, message) => {
    // Act
    const res = await vigil.request('PUT', '/metrics/job/bad', body, PROTO);

    // Assess
    expect(res.status).toBe(400);
    expect(res.body).toMatch(message);
    expect(await query('{job="bad"}')).toEqual([]);
  });

  it('keeps the classic buckets of a histogram that also has native buckets', async () => {
    // Prepare
    const both: MetricFamilyObject = {
      name: 'rpc_seconds',
      type: 4,
      metric: [
        {
          histogram: {
            sampleCount: 3,
            sampleSum: 1.5,
            bucket: [{ cumulativeCount: 2, upperBound: 1 }],
            schema: 0,
            zeroThreshold: 1e-128,
            positiveSpan: [{ offset: 0, length: 1 }],
            positiveDelta: [3],
          },
        },
      ],
    };

    // Act
    const res = await vigil.request('PUT', '/metrics/job/both', encodeDelimited([both]), PROTO);

    // Assess
    expect(res.status).toBe(200);
    expect(sortedSamples(await query('{job="both"}'), ['job'])).toEqual([
      ['rpc_seconds_bucket{le="+Inf"}', 3],
      ['rpc_seconds_bucket{le="1"}', 2],
      ['rpc_seconds_count', 3],
      ['rpc_seconds_sum', 1.5],
    ]);
  });

  it('answers 415 for the protobuf media type with another encoding', async () => {
    // Act
    const res = await vigil.request('PUT', '/metrics/job/x', 'name: "x"', {
      'Content-Type':
        'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text',
    });

    // Assess
    expect(res.status).toBe(415);
    expect(res.body).toContain('encoding=delimited');
  });
});

describe('Pushgateway Lambda function: a delimited protobuf push through API Gateway', () => {
  const context = lambdaContext('vigil-ingest-pushgateway');

  /** API Gateway REST proxy event for `/metrics/{proxy+}`; binary media types arrive base64. */
  const event = (
    method: string,
    path: string,
    body: Uint8Array | undefined,
    headers: Record<string, string>,
    query: Record<string, string> | null = null,
  ): APIGatewayProxyEvent => ({
    resource: path.startsWith('/metrics/') ? '/metrics/{proxy+}' : path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: path.startsWith('/metrics/') ? { proxy: path.slice('/metrics/'.length) } : null,
    stageVariables: null,
    body: body === undefined ? null : Buffer.from(body).toString('base64'),
    isBase64Encoded: body !== undefined,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  });

  it('stores the Go client push with exact values, read back through the query function', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-proto-'));
    const deps = localApiDeps(validateConfig({}).config, dir, { now: () => NOW });
    const push = makePushgatewayHandler(deps) as (
      e: APIGatewayProxyEvent,
      c: Context,
    ) => Promise<APIGatewayProxyResult>;
    const query = makeQueryHandler(deps) as typeof push;
    try {
      // Act
      const res = await push(
        event(
          'PUT',
          `/metrics/job@base64/${Buffer.from('go-batch').toString('base64url')}/instance@base64/${POD_B64}`,
          encodeDelimited(goBatchJobFamilies()),
          { 'content-type': GO_PUSH_CONTENT_TYPE, 'User-Agent': 'Go-http-client/1.1' },
        ),
        context,
      );
      const read = await query(
        event(
          'GET',
          '/api/v1/query',
          undefined,
          {},
          {
            query: '{job="go-batch",instance="pod/7"}',
            time: String(NOW / 1000),
          },
        ),
        context,
      );

      // Assess
      expect(res.statusCode).toBe(200);
      expect(read.statusCode).toBe(200);
      const vector = (JSON.parse(read.body) as { data: { result: Vector } }).data.result;
      expect(sortedSamples(vector, ['job', 'instance'])).toEqual(expectedSamples());
    } finally {
      deps.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
