import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../../../../lambdas/domain/errors';
import {
  decodeLokiPush,
  entryFields,
  LokiPushDecodeError,
  lokiStreamsToLogEvents,
  parseStreamLabels,
} from '../../../../lambdas/domain/logs/loki-push';
import { snappyCompress } from '../../../../lambdas/domain/remote-write/encode';
import {
  encodePushRequest,
  lokiJsonBody,
  lokiProtobufBody,
} from '../../../helpers/loki-push-client';

const T = Date.UTC(2026, 10, 25, 10, 30, 0, 250);
const OPTS = {
  receivedAtMs: T + 60_000,
  headers: {},
  maxEvents: 100,
  maxEventBytes: 10_000,
} as const;
const JSON_TYPE = { contentType: 'application/json', maxDecompressedBytes: 1 << 20 };
const PROTO_TYPE = { contentType: 'application/x-protobuf', maxDecompressedBytes: 1 << 20 };
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The example service's pneumonia-detector log line (its "Log Format Structure"), as a container writes it. */
const EXAMPLE_LINE = JSON.stringify({
  timestamp: '2024-07-30T10:30:00Z',
  level: 'INFO',
  service: 'pneumonia-detector',
  version: '1.2.0',
  trace_id: 'abc123',
  span_id: 'def456',
  message: 'Model inference completed',
  context: {
    model_version: 'v2.1',
    image_id: 'chest_xray_001.jpg',
    prediction: 'pneumonia',
    confidence: 0.95,
    inference_time_ms: 120,
  },
});

describe('Loki push decoding', () => {
  describe('JSON pushes', () => {
    it('reads streams and values as Promtail and Loki clients send them, with the entry time', () => {
      // Prepare
      const body = lokiJsonBody([
        {
          stream: { job: 'inference', host: 'gpu-1' },
          entries: [
            { ms: T, line: EXAMPLE_LINE },
            { ms: T + 1, line: 'plain text line', metadata: { trace_id: 'f00d' } },
          ],
        },
      ]);

      // Act
      const streams = decodeLokiPush(utf8(body), JSON_TYPE);
      const { events, rejected } = lokiStreamsToLogEvents(streams, OPTS);

      // Assess
      expect(rejected).toEqual([]);
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({
        timestampMs: T,
        level: 'INFO',
        service: 'pneumonia-detector',
        message: 'Model inference completed',
        correlationId: 'abc123',
        traceId: 'abc123',
        spanId: 'def456',
      });
      expect(events[0]?.fields).toMatchObject({
        job: 'inference',
        host: 'gpu-1',
        timestamp: '2024-07-30T10:30:00Z',
        context: { confidence: 0.95, inference_time_ms: 120 },
      });
      expect(events[1]).toMatchObject({
        timestampMs: T + 1,
        message: 'plain text line',
        correlationId: 'f00d',
        fields: { job: 'inference', host: 'gpu-1', trace_id: 'f00d', message: 'plain text line' },
      });
    });

    it('keeps nanosecond timestamps beyond 2^53 exact to the millisecond', () => {
      // Prepare
      const body = JSON.stringify({
        streams: [{ stream: { job: 'a' }, values: [['1764066600250999999', 'x']] }],
      });

      // Act
      const [stream] = decodeLokiPush(utf8(body), JSON_TYPE);

      // Assess
      expect(stream?.entries[0]?.timestampMs).toBe(1_764_066_600_250);
    });

    it('reads the older labels-string form with RFC 3339 entry times', () => {
      // Prepare
      const body = JSON.stringify({
        streams: [
          {
            labels: '{job="batch", env="prod"}',
            entries: [
              { ts: '2026-11-25T10:30:00.250Z', line: '{"level":"error","message":"boom"}' },
            ],
          },
        ],
      });

      // Act
      const { events } = lokiStreamsToLogEvents(decodeLokiPush(utf8(body), JSON_TYPE), OPTS);

      // Assess
      expect(events[0]).toMatchObject({
        timestampMs: T,
        level: 'ERROR',
        message: 'boom',
        fields: { job: 'batch', env: 'prod' },
      });
    });

    it('rejects malformed entries and entries of a stream with bad labels by index, keeping the rest', () => {
      // Prepare
      const body = JSON.stringify({
        streams: [
          {
            stream: { job: 'a' },
            values: [
              ['not-a-time', 'x'],
              [`${T}000000`, 'ok 1'],
            ],
          },
          { stream: { 'bad-name': 'v' }, values: [[`${T}000000`, 'dropped']] },
          {
            stream: { job: 'b' },
            values: [
              [`${T}000000`, 42],
              [`${T}000000`, 'ok 2'],
            ],
          },
        ],
      });

      // Act
      const { events, rejected } = lokiStreamsToLogEvents(
        decodeLokiPush(utf8(body), JSON_TYPE),
        OPTS,
      );

      // Assess
      expect(events.map((e) => e.message)).toEqual(['ok 1', 'ok 2']);
      expect(rejected).toEqual([
        {
          index: 0,
          reason:
            'stream 0 entry 0: timestamp "not-a-time" is not a string of nanoseconds since the epoch',
        },
        { index: 2, reason: 'stream 1 entry 0: invalid label name "bad-name"' },
        { index: 3, reason: 'stream 2 entry 0: the log line must be a string' },
      ]);
    });

    it('answers 400 for a body that is not a push', () => {
      // Act / Assess
      expect(() => decodeLokiPush(utf8('{"streams": {}}'), JSON_TYPE)).toThrow(LokiPushDecodeError);
      expect(() => decodeLokiPush(utf8('{"streams": ['), JSON_TYPE)).toThrow(
        /invalid JSON Loki push/,
      );
      expect(new LokiPushDecodeError('x')).toBeInstanceOf(BadRequestError);
    });
  });

  describe('snappy protobuf pushes (Promtail)', () => {
    it('decodes a logproto.PushRequest with several streams and structured metadata', () => {
      // Prepare
      const body = lokiProtobufBody([
        {
          labels: '{job="varlogs", filename="/var/log/api.log", service="api"}',
          entries: [
            { ms: T, line: '{"level":"warning","message":"slow","request_id":"r-1"}' },
            { ms: T + 5, line: 'GET /predict 200', metadata: { pod: 'api-0' } },
          ],
        },
        { labels: '{job="inference"}', entries: [{ ms: T + 9, line: EXAMPLE_LINE }] },
      ]);

      // Act
      const streams = decodeLokiPush(body, PROTO_TYPE);
      const { events, rejected } = lokiStreamsToLogEvents(streams, OPTS);

      // Assess
      expect(streams.map((s) => s.labels)).toEqual([
        { job: 'varlogs', filename: '/var/log/api.log', service: 'api' },
        { job: 'inference' },
      ]);
      expect(rejected).toEqual([]);
      expect(events.map((e) => [e.timestampMs, e.service, e.level, e.message])).toEqual([
        [T, 'api', 'WARN', 'slow'],
        [T + 5, 'api', 'UNKNOWN', 'GET /predict 200'],
        [T + 9, 'pneumonia-detector', 'INFO', 'Model inference completed'],
      ]);
      expect(events[0]?.correlationId).toBe('r-1');
      expect(events[1]?.fields.pod).toBe('api-0');
    });

    it('rejects an entry beyond the range of dates by index and keeps the valid ones (JSON and protobuf)', () => {
      // Prepare
      const json = JSON.stringify({
        streams: [
          {
            stream: { service: 'api' },
            values: [
              ['8640000000000001000000', 'too late'],
              [`${BigInt(T) * 1_000_000n}`, 'kept'],
            ],
          },
        ],
      });
      const proto = lokiProtobufBody([
        {
          labels: '{service="api"}',
          entries: [
            { ms: T, line: 'kept' },
            { ms: 1e16, line: 'seconds = 1e13' },
          ],
        },
      ]);

      // Act
      const fromJson = lokiStreamsToLogEvents(decodeLokiPush(utf8(json), JSON_TYPE), OPTS);
      const fromProto = lokiStreamsToLogEvents(decodeLokiPush(proto, PROTO_TYPE), OPTS);

      // Assess
      expect(fromJson.events.map((e) => [e.timestampMs, e.message])).toEqual([[T, 'kept']]);
      expect(fromJson.rejected).toEqual([
        {
          index: 0,
          reason:
            'stream 0 entry 0: timestamp 8640000000000001 ms since the epoch is outside the range of dates (±8640000000000000 ms, about ±275,000 years)',
        },
      ]);
      expect(fromProto.events.map((e) => [e.timestampMs, e.message])).toEqual([[T, 'kept']]);
      expect(fromProto.rejected.map((r) => r.index)).toEqual([1]);
      expect(fromProto.rejected[0]?.reason).toMatch(
        /^stream 0 entry 1: timestamp 10000000000000000 ms/,
      );
    });

    it("reads a request without Content-Type as snappy protobuf (Loki's default)", () => {
      // Prepare
      const body = lokiProtobufBody([{ labels: '{job="a"}', entries: [{ ms: T, line: 'x' }] }]);

      // Act
      const streams = decodeLokiPush(body, { maxDecompressedBytes: 1 << 20 });

      // Assess
      expect(streams[0]?.entries).toEqual([{ timestampMs: T, line: 'x', metadata: {} }]);
    });

    it('rejects entries of streams whose labels are not an equality label set', () => {
      // Prepare
      const body = lokiProtobufBody([
        { labels: '{job=~"a.*"}', entries: [{ ms: T, line: 'x' }] },
        { labels: 'up{job="a"}', entries: [{ ms: T, line: 'y' }] },
        { labels: '{job="ok"}', entries: [{ ms: T, line: 'z' }] },
      ]);

      // Act
      const { events, rejected } = lokiStreamsToLogEvents(decodeLokiPush(body, PROTO_TYPE), OPTS);

      // Assess
      expect(events.map((e) => e.message)).toEqual(['z']);
      expect(rejected.map((r) => r.index)).toEqual([0, 1]);
      expect(rejected[0]?.reason).toBe(
        'stream 0 entry 0: labels "{job=~\\"a.*\\"}": only = is allowed, got job=~',
      );
      expect(rejected[1]?.reason).toContain('are not a {name="value", ...} label set');
    });

    it('answers 400 for a body that is not snappy, or not protobuf, naming the byte', () => {
      // Prepare
      const proto = encodePushRequest([{ labels: '{job="a"}', entries: [{ ms: T, line: 'x' }] }]);
      const truncated = snappyCompress(proto.subarray(0, proto.length - 3));

      // Act / Assess
      expect(() => decodeLokiPush(proto, PROTO_TYPE)).toThrow(LokiPushDecodeError);
      expect(() => decodeLokiPush(truncated, PROTO_TYPE)).toThrow(
        /^Loki push \(snappy protobuf\): invalid protobuf at byte \d+/,
      );
    });

    it('refuses a body whose decompressed size is over the limit before inflating it (413)', () => {
      // Prepare
      const body = lokiProtobufBody([
        { labels: '{job="a"}', entries: [{ ms: T, line: 'x'.repeat(5000) }] },
      ]);

      // Act / Assess
      expect(() => decodeLokiPush(body, { ...PROTO_TYPE, maxDecompressedBytes: 1000 })).toThrow(
        PayloadTooLargeError,
      );
    });
  });

  describe('requests and limits', () => {
    it('refuses content types that are neither JSON nor protobuf (415)', () => {
      // Act / Assess
      expect(() =>
        decodeLokiPush(utf8('x'), { contentType: 'text/plain', maxDecompressedBytes: 10 }),
      ).toThrow(UnsupportedMediaTypeError);
    });

    it('refuses more entries than maxEvents (413) and rejects an entry over maxEventBytes', () => {
      // Prepare
      const streams = decodeLokiPush(
        utf8(
          lokiJsonBody([
            {
              stream: { job: 'a' },
              entries: [
                { ms: T, line: 'x'.repeat(200) },
                { ms: T, line: 'short' },
              ],
            },
          ]),
        ),
        JSON_TYPE,
      );

      // Act / Assess
      expect(() => lokiStreamsToLogEvents(streams, { ...OPTS, maxEvents: 1 })).toThrow(
        '2 log entries in one push, more than the limit of 1',
      );
      const { events, rejected } = lokiStreamsToLogEvents(streams, { ...OPTS, maxEventBytes: 100 });
      expect(events.map((e) => e.message)).toEqual(['short']);
      expect(rejected[0]?.reason).toMatch(
        /^stream 0 entry 0: event is 2\d\d bytes, more than the limit of 100$/,
      );
    });

    it('marks prediction events by the configured field and value', () => {
      // Prepare
      const streams = decodeLokiPush(
        utf8(
          lokiJsonBody([
            {
              stream: { job: 'a' },
              entries: [
                { ms: T, line: '{"kind":"inference","model":"m"}' },
                { ms: T, line: '{"kind":"startup"}' },
              ],
            },
          ]),
        ),
        JSON_TYPE,
      );

      // Act
      const { events } = lokiStreamsToLogEvents(streams, {
        ...OPTS,
        predictionField: 'kind',
        predictionValue: 'inference',
      });

      // Assess
      expect(events.map((e) => e.isPrediction)).toEqual([true, false]);
    });
  });

  describe('stream labels and line keys', () => {
    it('lets stream labels win and keeps the line key as <key>_extracted, as LogQL | json does', () => {
      // Act
      const fields = entryFields(
        { service: 'api', job: 'varlogs' },
        { timestampMs: T, line: '{"service":"legacy","msg":"hi"}', metadata: { pod: 'p' } },
      );

      // Assess
      expect(fields).toEqual({
        service: 'api',
        service_extracted: 'legacy',
        job: 'varlogs',
        pod: 'p',
        msg: 'hi',
      });
    });

    it('parses a labels string with the PromQL selector grammar (escapes, spacing, empty values)', () => {
      // Act / Assess
      expect(parseStreamLabels('{ a = "x\\"y" ,b="", c="\\u00e9"}')).toEqual({ a: 'x"y', c: 'é' });
      expect(parseStreamLabels('{}')).toMatch(/do not parse/);
      expect(parseStreamLabels('{a="b"} offset 5m')).toMatch(
        /not a \{name="value", \.\.\.\} label set/,
      );
    });

    it('reads raw and single-quoted values and a trailing comma, and refuses what is no label set', () => {
      // Act / Assess
      expect(parseStreamLabels("{a=`x\\y`, b='it\\'s',}")).toEqual({ a: 'x\\y', b: "it's" });
      expect(parseStreamLabels('{a=""}')).toMatch(/do not parse: .*non-empty/);
      expect(parseStreamLabels('{a="b"')).toMatch(/do not parse/);
      expect(parseStreamLabels('{a="b}')).toMatch(/do not parse: unterminated quoted string/);
      expect(parseStreamLabels('{a="\\q"}')).toMatch(/do not parse: unknown escape sequence/);
      expect(parseStreamLabels('{a!="b"}')).toBe(
        'labels "{a!=\\"b\\"}": only = is allowed, got a!=',
      );
      expect(parseStreamLabels('{a="b"}[5m]')).toMatch(/not a \{name="value", \.\.\.\} label set/);
    });
  });
});
