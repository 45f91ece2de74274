import { NoopCardinalityTracker } from '../../../lambdas/adapters/cardinality/noop-cardinality-tracker';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { makeIngestLogsHandler } from '../../../lambdas/api/ingest-logs';
import { makeIngestLokiHandler } from '../../../lambdas/api/ingest-loki';
import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { StorageThrottledError } from '../../../lambdas/domain/errors';
import { counterKey } from '../../../lambdas/domain/logs/ingest-log-events';
import { validateLogsConfig } from '../../../lambdas/domain/logs/logs-config';
import {
  InMemoryCounterStore,
  InMemoryEventStore,
  InMemoryLogSink,
} from '../../helpers/in-memory-log-stores';
import { InMemorySeriesStore } from '../../helpers/in-memory-series-store';
import { lokiJsonBody, lokiProtobufBody } from '../../helpers/loki-push-client';
import { RecordingMetricsMirror } from '../../helpers/recording-metrics-mirror';
import { binaryPostEvent, lambdaContext } from '../../helpers/api-gateway-event';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const context = lambdaContext();

const event = binaryPostEvent;

const depsWith = (
  over: Partial<{
    logSink: InMemoryLogSink;
    events: InMemoryEventStore;
    counters: InMemoryCounterStore;
  }> = {},
  logs: unknown = {},
) => ({
  store: new InMemorySeriesStore(),
  cardinality: new NoopCardinalityTracker(),
  mirror: new RecordingMetricsMirror(),
  clock: { now: () => NOW },
  config: runtimeConfigOf(validateConfig({}).config),
  logs: validateLogsConfig({
    services: ['api'],
    measures: ['context.confidence'],
    ...(logs as object),
  }).config,
  logSink: new InMemoryLogSink(),
  events: new InMemoryEventStore(),
  counters: new InMemoryCounterStore(),
  ...over,
});

type Handler = (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;
const call = (h: Handler, e: APIGatewayProxyEvent) => h(e, context);

describe('POST /ingest/logs', () => {
  it('stores a JSON array and answers 200 with the accepted and prediction counts', async () => {
    // Prepare
    const deps = depsWith();
    const body = JSON.stringify([
      { level: 'INFO', service: 'api', message: 'ok' },
      { event: 'prediction', service: 'api', context: { confidence: 0.7 } },
    ]);

    // Act
    const res = await call(
      makeIngestLogsHandler(deps),
      event('/ingest/logs', body, { 'Content-Type': 'application/json' }),
    );

    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'success', accepted: 2, predictions: 1 });
    expect(deps.logSink.stored).toHaveLength(2);
    expect(deps.counters.totals.get(counterKey('api', 'INFO'))).toBe(1);
  });

  it('answers 400 naming the broken NDJSON line, and stores the others', async () => {
    // Prepare
    const deps = depsWith();
    const body = '{"message":"a"}\n{"message":\n{"message":"c"}\n';

    // Act
    const res = await call(
      makeIngestLogsHandler(deps),
      event('/ingest/logs', body, { 'Content-Type': 'application/x-ndjson' }),
    );

    // Assess
    expect(res.statusCode).toBe(400);
    const answer = JSON.parse(res.body);
    expect(answer).toMatchObject({
      status: 'error',
      errorType: 'bad_data',
      error:
        '1 of 3 log events rejected, 0 prediction records refused; the other 2 events were stored',
      accepted: 2,
    });
    expect(answer.rejected).toEqual([
      { index: 1, line: 2, reason: expect.stringMatching(/^line 2: invalid JSON: /) },
    ]);
    expect(deps.logSink.stored.map((e) => e.message)).toEqual(['a', 'c']);
  });

  it('reads an unchanged Python logging.handlers.HTTPHandler post (form-encoded LogRecord)', async () => {
    // Prepare: what HTTPHandler.emit sends: urlencode(record.__dict__)
    const deps = depsWith();
    const form = new URLSearchParams({
      name: 'api',
      msg: 'user %s logged in',
      args: "('bob',)",
      levelname: 'WARNING',
      levelno: '30',
      created: '1764072000.25',
      request_id: 'r-42',
    }).toString();

    // Act
    const res = await call(
      makeIngestLogsHandler(deps),
      event('/ingest/logs', form, { 'Content-type': 'application/x-www-form-urlencoded' }),
    );

    // Assess
    expect(res.statusCode).toBe(200);
    expect(deps.logSink.stored[0]).toMatchObject({
      timestampMs: 1_764_072_000_250,
      level: 'WARN',
      service: 'api',
      message: 'user %s logged in',
      correlationId: 'r-42',
      fields: { args: "('bob',)", levelno: '30' },
    });
  });

  it('reads JSON sent with curl -d (labelled form-encoded) as JSON, and gzip bodies', async () => {
    // Prepare
    const deps = depsWith();
    const { gzipSync } = await import('node:zlib');

    // Act
    const curl = await call(
      makeIngestLogsHandler(deps),
      event('/ingest/logs', '{"service":"api","message":"from curl"}', {
        'Content-Type': 'application/x-www-form-urlencoded',
      }),
    );
    const gz = await call(
      makeIngestLogsHandler(deps),
      event('/ingest/logs', gzipSync('[{"service":"api","message":"zipped"}]'), {
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
      }),
    );

    // Assess
    expect([curl.statusCode, gz.statusCode]).toEqual([200, 200]);
    expect(deps.logSink.stored.map((e) => e.message)).toEqual(['from curl', 'zipped']);
  });

  it('takes the correlation id from X-Correlation-Id when the event has none', async () => {
    // Prepare
    const deps = depsWith();

    // Act
    await call(
      makeIngestLogsHandler(deps),
      event('/ingest/logs', '{"message":"x"}', { 'x-correlation-id': 'c-9' }),
    );

    // Assess
    expect(deps.logSink.stored[0]?.correlationId).toBe('c-9');
  });

  it('answers 415 for other content types, 413 over the event limit, 503 when the log store throttles', async () => {
    // Prepare
    const few = depsWith({}, { limits: { maxEvents: 1 } });
    const throttled = depsWith({
      logSink: new InMemoryLogSink(undefined, new StorageThrottledError('x', 2000)),
    });

    // Act
    const csv = await call(
      makeIngestLogsHandler(depsWith()),
      event('/ingest/logs', 'a,b', { 'content-type': 'text/csv' }),
    );
    const many = await call(makeIngestLogsHandler(few), event('/ingest/logs', '[{},{}]'));
    const busy = await call(makeIngestLogsHandler(throttled), event('/ingest/logs', '{}'));

    // Assess
    expect(csv.statusCode).toBe(415);
    expect(many.statusCode).toBe(413);
    expect(JSON.parse(many.body).error).toBe(
      '2 log events in one request, more than the limit of 1',
    );
    expect(busy.statusCode).toBe(503);
    expect(busy.headers?.['Retry-After']).toBe('2');
  });

  it('answers 413 for a body over logs.limits.maxBodyBytes', async () => {
    // Prepare
    const deps = depsWith({}, { limits: { maxBodyBytes: 100 } });

    // Act
    const res = await call(
      makeIngestLogsHandler(deps),
      event('/ingest/logs', `{"message":"${'x'.repeat(200)}"}`),
    );

    // Assess
    expect(res.statusCode).toBe(413);
  });
});

describe('POST /loki/api/v1/push', () => {
  it('answers 204 to a Promtail snappy protobuf push and stores every entry', async () => {
    // Prepare
    const deps = depsWith();
    const body = lokiProtobufBody([
      {
        labels: '{service="api", job="varlogs"}',
        entries: [{ ms: NOW - 1000, line: '{"level":"error","message":"boom"}' }],
      },
    ]);

    // Act
    const res = await call(
      makeIngestLokiHandler(deps),
      event('/loki/api/v1/push', body, { 'Content-Type': 'application/x-protobuf' }),
    );

    // Assess
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(deps.logSink.stored[0]).toMatchObject({
      service: 'api',
      level: 'ERROR',
      timestampMs: NOW - 1000,
    });
    expect(deps.counters.totals.get(counterKey('api', 'ERROR'))).toBe(1);
  });

  it('answers 400 in plain text naming rejected entries of a JSON push, and stores the rest', async () => {
    // Prepare
    const deps = depsWith();
    const body = lokiJsonBody([
      { stream: { job: 'a' }, entries: [{ ms: NOW, line: 'one' }] },
      { stream: { '0bad': 'x' }, entries: [{ ms: NOW, line: 'two' }] },
    ]);

    // Act
    const res = await call(
      makeIngestLokiHandler(deps),
      event('/loki/api/v1/push', body, { 'Content-Type': 'application/json' }),
    );

    // Assess
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe(
      '1 of 2 log events rejected, 0 prediction records refused; the other 1 events were stored:\nstream 1 entry 0: invalid label name "0bad"\n',
    );
    expect(deps.logSink.stored.map((e) => e.message)).toEqual(['one']);
  });

  it('answers 400 to a body that is not snappy', async () => {
    // Act
    const res = await call(
      makeIngestLokiHandler(depsWith()),
      event('/loki/api/v1/push', 'not snappy at all', { 'Content-Type': 'application/x-protobuf' }),
    );

    // Assess
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/^Loki push \(snappy protobuf\): invalid snappy block/);
  });
});
