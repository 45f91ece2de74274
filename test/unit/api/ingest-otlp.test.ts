import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import { NoopCardinalityTracker } from '../../../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { makeOtlpLogsHandler, makeOtlpMetricsHandler } from '../../../lambdas/api/ingest-otlp';
import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { StorageThrottledError } from '../../../lambdas/domain/errors';
import { validateLogsConfig } from '../../../lambdas/domain/logs/logs-config';
import { otlpTypes } from '../../../lambdas/domain/otlp/json';
import type { Labels } from '../../../lambdas/domain/series/labels';
import type { Sample } from '../../../lambdas/domain/series/sample';
import {
  InMemoryCounterStore,
  InMemoryEventStore,
  InMemoryLogSink,
} from '../../helpers/in-memory-log-stores';
import { InMemorySeriesStore } from '../../helpers/in-memory-series-store';
import { RecordingMetricsMirror } from '../../helpers/recording-metrics-mirror';
import { binaryPostEvent, lambdaContext } from '../../helpers/api-gateway-event';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const NOW_NS = `${BigInt(NOW) * 1_000_000n}`;
const context = lambdaContext();

const event = binaryPostEvent;

const PROTOBUF = { 'Content-Type': 'application/x-protobuf' };
const JSON_TYPE = { 'Content-Type': 'application/json' };

const metricsDeps = (store = new InMemorySeriesStore()) => ({
  store,
  cardinality: new NoopCardinalityTracker(),
  mirror: new RecordingMetricsMirror(),
  pushGroups: undefined as never,
  clock: { now: () => NOW },
  config: runtimeConfigOf(validateConfig({}).config),
});

const logsDeps = (logSink = new InMemoryLogSink()) => ({
  ...metricsDeps(),
  logs: validateLogsConfig({ measures: ['confidence'] }).config,
  logSink,
  events: new InMemoryEventStore(),
  counters: new InMemoryCounterStore(),
});

const metricsRequest = (metrics: unknown[]) => ({
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'inference' } }] },
      scopeMetrics: [{ scope: { name: 'test' }, metrics }],
    },
  ],
});

const counter = (name: string, value: number, temporality = 2) => ({
  name,
  sum: {
    aggregationTemporality: temporality,
    isMonotonic: true,
    dataPoints: [{ asDouble: value, timeUnixNano: NOW_NS }],
  },
});

const protobufOf = (obj: object) =>
  otlpTypes.metricsRequest.encode(otlpTypes.metricsRequest.fromObject(obj)).finish();

const bodyOf = (res: APIGatewayProxyResult) =>
  res.isBase64Encoded ? Buffer.from(res.body, 'base64') : Buffer.from(res.body);

const stored = async (store: InMemorySeriesStore, name: string) =>
  (
    await store.select([{ name: '__name__', op: '=', value: name }], { startMs: 0, endMs: NOW + 1 })
  ).map((s: { labels: Labels; samples: readonly Sample[] }) => [
    s.labels,
    s.samples.map((p) => p.v),
  ]);

describe('POST /v1/metrics', () => {
  it('stores a gzipped protobuf request and answers 200 with an empty protobuf response', async () => {
    // Prepare
    const store = new InMemorySeriesStore();
    const handler = makeOtlpMetricsHandler(metricsDeps(store));
    const body = gzipSync(protobufOf(metricsRequest([counter('requests', 3)])));

    // Act
    const res = await handler(
      event('/v1/metrics', body, { ...PROTOBUF, 'Content-Encoding': 'gzip' }),
      context,
    );

    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('application/x-protobuf');
    expect(bodyOf(res).length).toBe(0);
    expect(await stored(store, 'requests_total')).toEqual([
      [{ __name__: 'requests_total', job: 'inference' }, [3]],
    ]);
  });

  it('answers partial success in JSON naming the delta metric, storing the others', async () => {
    // Prepare
    const store = new InMemorySeriesStore();
    const handler = makeOtlpMetricsHandler(metricsDeps(store));
    const body = JSON.stringify(
      metricsRequest([counter('delta.requests', 3, 1), counter('requests', 5)]),
    );

    // Act
    const res = await handler(event('/v1/metrics', body, JSON_TYPE), context);

    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('application/json');
    expect(JSON.parse(bodyOf(res).toString())).toEqual({
      partialSuccess: {
        rejectedDataPoints: '1',
        errorMessage: `1 data points refused: metric "delta.requests" has delta temporality: Vigil stores cumulative series only (set the exporter's temporality preference to cumulative)`,
      },
    });
    expect(await stored(store, 'requests_total')).toHaveLength(1);
  });

  it('stores several points of one series in one request, as a Collector batches them', async () => {
    // Prepare
    const store = new InMemorySeriesStore();
    const handler = makeOtlpMetricsHandler(metricsDeps(store));
    const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
    const gauge = {
      name: 'queue.depth',
      gauge: {
        dataPoints: [
          { asInt: 4, timeUnixNano: ns(NOW - 2000) },
          { asInt: 7, timeUnixNano: ns(NOW - 1000) },
        ],
      },
    };

    // Act
    const res = await handler(
      event('/v1/metrics', JSON.stringify(metricsRequest([gauge])), JSON_TYPE),
      context,
    );

    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(bodyOf(res).toString())).toEqual({});
    expect(await stored(store, 'queue_depth')).toEqual([
      [{ __name__: 'queue_depth', job: 'inference' }, [4, 7]],
    ]);
  });

  it('counts a point the ingest pipeline refuses as a rejected data point', async () => {
    // Prepare
    const handler = makeOtlpMetricsHandler(metricsDeps());
    const old = {
      name: 'old',
      gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: '1000000' }] },
    };

    // Act
    const res = await handler(
      event('/v1/metrics', JSON.stringify(metricsRequest([old, counter('ok', 1)])), JSON_TYPE),
      context,
    );

    // Assess
    const answer = JSON.parse(bodyOf(res).toString());
    expect(res.statusCode).toBe(200);
    expect(answer.partialSuccess.rejectedDataPoints).toBe('1');
    expect(answer.partialSuccess.errorMessage).toMatch(/^1 data points refused: old: timestamp 1 /);
  });

  it('answers 400 with a protobuf Status for a malformed protobuf body', async () => {
    // Prepare
    const handler = makeOtlpMetricsHandler(metricsDeps());

    // Act
    const res = await handler(
      event('/v1/metrics', Buffer.from([0x0a, 0xff, 0xff]), PROTOBUF),
      context,
    );

    // Assess
    const status = otlpTypes.status.toObject(otlpTypes.status.decode(bodyOf(res)));
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['Content-Type']).toBe('application/x-protobuf');
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^malformed OTLP metrics body \(protobuf\): /);
  });

  it('answers 400 for a JSON id that is not hex and 415 for another content type', async () => {
    // Prepare
    const handler = makeOtlpMetricsHandler(metricsDeps());
    const badId = JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'g',
                  gauge: { dataPoints: [{ asDouble: 1, exemplars: [{ traceId: 'xyz' }] }] },
                },
              ],
            },
          ],
        },
      ],
    });

    // Act
    const bad = await handler(event('/v1/metrics', badId, JSON_TYPE), context);
    const text = await handler(
      event('/v1/metrics', 'up 1', { 'Content-Type': 'text/plain' }),
      context,
    );

    // Assess
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bodyOf(bad).toString())).toEqual({
      code: 3,
      message: 'invalid OTLP metrics: traceId "xyz" is not hex',
    });
    expect(text.statusCode).toBe(415);
    expect(JSON.parse(bodyOf(text).toString()).message).toBe(
      'Content-Type "text/plain" is not an OTLP/HTTP encoding: send application/x-protobuf or application/json',
    );
  });

  it('answers 503 with Retry-After and an UNAVAILABLE Status when the store throttles', async () => {
    // Prepare
    const store = new InMemorySeriesStore();
    store.write = async () => {
      throw new StorageThrottledError('throttled', 2500);
    };
    const handler = makeOtlpMetricsHandler(metricsDeps(store));

    // Act
    const res = await handler(
      event('/v1/metrics', protobufOf(metricsRequest([counter('requests', 1)])), PROTOBUF),
      context,
    );

    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('3');
    expect(otlpTypes.status.toObject(otlpTypes.status.decode(bodyOf(res)))).toEqual({
      code: 14,
      message: 'storage is throttling writes, retry later',
    });
  });

  it('answers any body with 200 or 400 (415 for an unknown type), never a 5xx', async () => {
    // Prepare
    const handler = makeOtlpMetricsHandler(metricsDeps());
    const valid = protobufOf(metricsRequest([counter('requests', 1)]));
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 40 }).map((junk) => Buffer.concat([valid, junk])),
      fc.integer({ min: 0, max: valid.length - 1 }).map((n) => valid.slice(0, n)),
      fc.json().map((j) => Buffer.from(j)),
      fc.anything().map((a) => Buffer.from(JSON.stringify({ resourceMetrics: [a] }) ?? '')),
    );

    // Act & Assess
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(PROTOBUF, JSON_TYPE), async (b, headers) => {
        const res = await handler(event('/v1/metrics', b, headers), context);
        expect([200, 400]).toContain(res.statusCode);
      }),
      { numRuns: 300 },
    );
  });
});

describe('POST /v1/logs', () => {
  const logsRequest = (records: unknown[]) => ({
    resourceLogs: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: 'inference' } },
            { key: 'host.name', value: { stringValue: 'gpu-1' } },
          ],
        },
        scopeLogs: [{ scope: { name: 'app' }, logRecords: records }],
      },
    ],
  });

  it('stores records as log events: severity as level, hex trace id as correlation id, attributes kept', async () => {
    // Prepare
    const sink = new InMemoryLogSink();
    const deps = logsDeps(sink);
    const handler = makeOtlpLogsHandler(deps);
    const body = JSON.stringify(
      logsRequest([
        {
          timeUnixNano: NOW_NS,
          severityNumber: 13,
          severityText: 'Warning',
          body: { stringValue: 'slow request' },
          traceId: '5b8efff798038103d269b633813fc60c',
          spanId: 'eee19b7ec3c1b174',
          attributes: [
            { key: 'event', value: { stringValue: 'prediction' } },
            { key: 'confidence', value: { doubleValue: 0.9 } },
            { key: 'service', value: { stringValue: 'spoofed' } },
          ],
        },
        {
          severityText: 'debug',
          body: { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }] } },
        },
      ]),
    );

    // Act
    const res = await handler(event('/v1/logs', body, JSON_TYPE), context);

    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(bodyOf(res).toString())).toEqual({});
    expect(
      sink.stored.map((e) => [e.service, e.level, e.message, e.correlationId, e.timestampMs]),
    ).toEqual([
      ['inference', 'WARN', 'slow request', '5b8efff798038103d269b633813fc60c', NOW],
      ['inference', 'DEBUG', '{"a":1}', undefined, NOW],
    ]);
    expect(sink.stored[0]?.fields).toEqual({
      service: 'inference',
      level: 'WARN',
      severity_text: 'Warning',
      message: 'slow request',
      trace_id: '5b8efff798038103d269b633813fc60c',
      span_id: 'eee19b7ec3c1b174',
      resource: { 'host.name': 'gpu-1' },
      scope: 'app',
      event: 'prediction',
      confidence: 0.9,
      service_extracted: 'spoofed',
    });
    expect(deps.events.records).toHaveLength(1);
  });

  it('answers partial success counting the records the log refused', async () => {
    // Prepare
    const sink = new InMemoryLogSink((e) =>
      e.message === 'bad' ? 'refused by the log' : undefined,
    );
    const handler = makeOtlpLogsHandler(logsDeps(sink));
    const req = logsRequest([{ body: { stringValue: 'ok' } }, { body: { stringValue: 'bad' } }]);
    const body = otlpTypes.logsRequest.encode(otlpTypes.logsRequest.fromObject(req)).finish();

    // Act
    const res = await handler(event('/v1/logs', body, PROTOBUF), context);

    // Assess
    expect(res.statusCode).toBe(200);
    expect(
      otlpTypes.logsResponse.toObject(otlpTypes.logsResponse.decode(bodyOf(res)), {
        longs: Number,
      }),
    ).toEqual({
      partialSuccess: {
        rejectedLogRecords: 1,
        errorMessage: '1 log records refused: event 1: refused by the log',
      },
    });
    expect(sink.stored.map((e) => e.message)).toEqual(['ok']);
  });

  it('answers any body with 200 or 400, never a 5xx', async () => {
    // Prepare
    const handler = makeOtlpLogsHandler(logsDeps());
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.json().map((j) => Buffer.from(j)),
      fc
        .anything()
        .map((a) =>
          Buffer.from(
            JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [a] }] }] }) ?? '',
          ),
        ),
    );

    // Act & Assess
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom(PROTOBUF, JSON_TYPE), async (b, headers) => {
        const res = await handler(event('/v1/logs', b, headers), context);
        expect([200, 400]).toContain(res.statusCode);
      }),
      { numRuns: 300 },
    );
  });
});
