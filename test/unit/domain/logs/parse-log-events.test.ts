import { PayloadTooLargeError } from '../../../../lambdas/domain/errors';
import {
  LogParseError,
  type ParseLogEventsOptions,
  parseLogEvents,
  traceIdFromTraceparent,
} from '../../../../lambdas/domain/logs';

const RECEIVED_AT_MS = Date.UTC(2026, 10, 25, 12, 0, 0);
const OPTS: ParseLogEventsOptions = {
  receivedAtMs: RECEIVED_AT_MS,
  headers: {},
  maxEvents: 100,
  maxEventBytes: 262_144,
};
const parse = (body: string, extra: Partial<ParseLogEventsOptions> = {}) =>
  parseLogEvents(body, { ...OPTS, ...extra });

/** Verbatim from the example service's "Log Format Structure" (pneumonia-detector). */
const EXAMPLE_LOG_FORMAT = `{
  "timestamp": "2024-07-30T10:30:00Z",
  "level": "INFO",
  "service": "pneumonia-detector",
  "version": "1.2.0",
  "trace_id": "abc123",
  "span_id": "def456",
  "message": "Model inference completed",
  "context": {
    "model_version": "v2.1",
    "image_id": "chest_xray_001.jpg",
    "prediction": "pneumonia",
    "confidence": 0.95,
    "inference_time_ms": 120
  }
}`;

/** What the example service's python-json-logger StructuredLogger.log_prediction emits (one line). */
const EXAMPLE_JSONLOGGER_LINE =
  '{"asctime": "2024-01-15 10:30:00,123", "name": "rxvision", "levelname": "INFO", "message": "Prediction made", "request_id": "req-42", "model_version": "v3", "prediction": {"class": "aspirin", "score": 0.91}, "metadata": {"latency_ms": 12}, "timestamp": "2024-01-15T10:30:00.123456"}';

/** What the example service's hand-written StructuredLogger formatter emits (robo-rlhf). */
const EXAMPLE_FORMATTER_LINE =
  '{"timestamp": "2024-01-15T10:30:00.500000", "level": "WARNING", "logger": "robo-rlhf", "message": "slow batch", "module": "train", "function": "step", "line": 88}';

describe('Function: parseLogEvents', () => {
  describe('example log lines', () => {
    it('reads the example log format structure with its context', () => {
      // Act
      const { events, rejected } = parse(EXAMPLE_LOG_FORMAT);

      // Assess
      expect(rejected).toEqual([]);
      expect(events).toHaveLength(1);
      expect(events[0]).toEqual({
        timestampMs: Date.UTC(2024, 6, 30, 10, 30, 0),
        level: 'INFO',
        service: 'pneumonia-detector',
        message: 'Model inference completed',
        correlationId: 'abc123',
        traceId: 'abc123',
        spanId: 'def456',
        isPrediction: false,
        fields: JSON.parse(EXAMPLE_LOG_FORMAT),
      });
      expect(events[0]?.fields.context).toEqual({
        model_version: 'v2.1',
        image_id: 'chest_xray_001.jpg',
        prediction: 'pneumonia',
        confidence: 0.95,
        inference_time_ms: 120,
      });
    });

    it('reads a python-json-logger line: levelname, request_id, utcnow() time as UTC', () => {
      // Act
      const { events } = parse(EXAMPLE_JSONLOGGER_LINE);

      // Assess
      expect(events[0]).toMatchObject({
        timestampMs: Date.UTC(2024, 0, 15, 10, 30, 0, 123),
        level: 'INFO',
        service: 'unknown',
        message: 'Prediction made',
        correlationId: 'req-42',
        requestId: 'req-42',
      });
      expect(events[0]?.fields.metadata).toEqual({ latency_ms: 12 });
    });

    it('normalises WARNING to WARN and keeps extra keys', () => {
      // Act
      const { events } = parse(EXAMPLE_FORMATTER_LINE);

      // Assess
      expect(events[0]).toMatchObject({
        level: 'WARN',
        timestampMs: Date.UTC(2024, 0, 15, 10, 30, 0, 500),
      });
      expect(events[0]?.fields).toMatchObject({ module: 'train', function: 'step', line: 88 });
    });
  });

  describe('body forms', () => {
    it('accepts a JSON array of objects', () => {
      // Act
      const { events } = parse('[{"message":"a"},{"msg":"b"}]');

      // Assess
      expect(events.map((e) => e.message)).toEqual(['a', 'b']);
    });

    it('accepts NDJSON by content type, skipping blank lines', () => {
      // Prepare
      const body = '{"message":"a"}\n\n  \n{"message":"b"}\n';

      // Act
      const { events, rejected } = parse(body, {
        contentType: 'application/x-ndjson; charset=utf-8',
      });

      // Assess
      expect(events.map((e) => e.message)).toEqual(['a', 'b']);
      expect(rejected).toEqual([]);
    });

    it('accepts NDJSON without its content type when each line is an object', () => {
      // Act
      const { events } = parse(`${EXAMPLE_JSONLOGGER_LINE}\n${EXAMPLE_FORMATTER_LINE}\r\n`, {
        contentType: 'application/json',
      });

      // Assess
      expect(events.map((e) => e.level)).toEqual(['INFO', 'WARN']);
    });

    it('rejects a broken NDJSON line by line number and keeps the rest', () => {
      // Prepare
      const body = '{"message":"a"}\n\n{"message": oops}\n[1]\n{"message":"d"}';

      // Act
      const { events, rejected } = parse(body, { contentType: 'application/x-ndjson' });

      // Assess
      expect(events.map((e) => e.message)).toEqual(['a', 'd']);
      expect(rejected).toHaveLength(2);
      expect(rejected[0]).toMatchObject({ index: 1, line: 3 });
      expect(rejected[0]?.reason).toMatch(/^line 3: invalid JSON: /);
      expect(rejected[1]).toEqual({
        index: 2,
        line: 4,
        reason: 'line 4: must be a JSON object, got array',
      });
    });

    it('detects NDJSON with a broken line when the first line parses', () => {
      // Act
      const { events, rejected } = parse('{"message":"a"}\n{"message":');

      // Assess
      expect(events).toHaveLength(1);
      expect(rejected[0]?.reason).toMatch(/^line 2: invalid JSON/);
    });

    it('throws LogParseError with a position for a broken object', () => {
      // Act
      let err: unknown;
      try {
        parse('{\n  "message": "a",\n  "level" "x"\n}');
      } catch (e) {
        err = e;
      }

      // Assess
      expect(err).toBeInstanceOf(LogParseError);
      expect(err).toMatchObject({
        position: 30,
        line: 3,
        column: 11,
        details: ['line 3, column 11:   "level" "x"'],
      });
      expect((err as Error).message).toMatch(/^invalid JSON: /);
    });

    it('points at the end of a truncated body', () => {
      // Act
      let err: unknown;
      try {
        parse('[{"message":"a"}');
      } catch (e) {
        err = e;
      }

      // Assess
      expect(err).toMatchObject({ name: 'LogParseError', position: 16, line: 1, column: 17 });
    });

    it('throws LogParseError for a truncated array, a scalar body and an empty body', () => {
      // Act / Assess
      expect(() => parse('[{"message":"a"}')).toThrow(LogParseError);
      expect(() => parse('42')).toThrow(
        'body must be a JSON object, a JSON array of objects, or NDJSON (application/x-ndjson)',
      );
      expect(() => parse('  \n')).toThrow(LogParseError);
    });

    it('rejects array items that are not objects by index', () => {
      // Act
      const { events, rejected } = parse('[{"message":"a"}, "text", null, 3]');

      // Assess
      expect(events).toHaveLength(1);
      expect(rejected).toEqual([
        { index: 1, reason: 'event 1: must be a JSON object, got string' },
        { index: 2, reason: 'event 2: must be a JSON object, got null' },
        { index: 3, reason: 'event 3: must be a JSON object, got number' },
      ]);
    });

    it('LogParseError is a BadRequestError named LogParseError', () => {
      // Act
      const err = new LogParseError('x');

      // Assess
      expect(err.name).toBe('LogParseError');
      expect(err.details).toEqual([]);
    });
  });

  describe('timestamps', () => {
    it.each([
      ['ISO with Z', '"2024-07-30T10:30:00Z"', Date.UTC(2024, 6, 30, 10, 30)],
      ['ISO with offset', '"2024-07-30T12:30:00.250+02:00"', Date.UTC(2024, 6, 30, 10, 30, 0, 250)],
      [
        'ISO without offset (UTC)',
        '"2024-07-30T10:30:00.123456"',
        Date.UTC(2024, 6, 30, 10, 30, 0, 123),
      ],
      [
        'ISO with negative compact offset',
        '"2024-07-30T05:30:00-0500"',
        Date.UTC(2024, 6, 30, 10, 30),
      ],
      ['ISO with hour-only offset', '"2024-07-30T15:30:00+05"', Date.UTC(2024, 6, 30, 10, 30)],
      ['asctime', '"2024-01-15 10:30:00,123"', Date.UTC(2024, 0, 15, 10, 30, 0, 123)],
      ['date only', '"2024-01-15"', Date.UTC(2024, 0, 15)],
      ['epoch ms', '1722335400000', Date.UTC(2024, 6, 30, 10, 30)],
      ['epoch seconds', '1722335400.5', Date.UTC(2024, 6, 30, 10, 30, 0, 500)],
      ['epoch ms as string', '"1722335400000"', Date.UTC(2024, 6, 30, 10, 30)],
    ])('reads %s', (_name, json, expected) => {
      // Act
      const { events } = parse(`{"timestamp": ${json}}`);

      // Assess
      expect(events[0]?.timestampMs).toBe(expected);
    });

    it('reads @timestamp, time and ts', () => {
      // Act
      const { events } = parse(
        '[{"@timestamp":"2024-01-01T00:00:00Z"},{"time":1704067200},{"ts":1704067200000}]',
      );

      // Assess
      expect(events.map((e) => e.timestampMs)).toEqual([
        1704067200000, 1704067200000, 1704067200000,
      ]);
    });

    it('uses the arrival time for an event without a timestamp', () => {
      // Act
      const { events } = parse('{"message":"x","timestamp":null}');

      // Assess
      expect(events[0]?.timestampMs).toBe(RECEIVED_AT_MS);
    });

    it.each(['"yesterday"', '"2024-02-31T00:00:00Z"', '"2024-01-01T25:00:00Z"', '-5', 'true'])(
      'rejects the unreadable timestamp %s',
      (json) => {
        // Act
        const { events, rejected } = parse(`[{"timestamp": ${json}}]`);

        // Assess
        expect(events).toEqual([]);
        expect(rejected[0]?.reason).toMatch(/^event 0: timestamp: not an ISO 8601 time or epoch/);
      },
    );
  });

  describe('levels, service, message', () => {
    it('reads severity, pino numbers and defaults', () => {
      // Act
      const { events } = parse(
        '[{"severity":"error"},{"level":50},{"level":"warn"},{},{"level":"Critical"}]',
      );

      // Assess
      expect(events.map((e) => e.level)).toEqual(['ERROR', 'ERROR', 'WARN', 'UNKNOWN', 'CRITICAL']);
    });

    it('stringifies a non-string message and defaults to empty', () => {
      // Act
      const { events } = parse('[{"message":{"a":1}},{"msg":7},{}]');

      // Assess
      expect(events.map((e) => e.message)).toEqual(['{"a":1}', '7', '']);
    });
  });

  describe('correlation ids', () => {
    const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

    it('prefers correlation_id, then request_id, then trace_id', () => {
      // Act
      const { events } = parse(
        '[{"correlation_id":"c","request_id":"r","trace_id":"t"},{"request_id":"r","trace_id":"t"},{"trace_id":"t"}]',
        { headers: { 'X-Correlation-Id': 'h', traceparent: TRACEPARENT } },
      );

      // Assess
      expect(events.map((e) => e.correlationId)).toEqual(['c', 'r', 't']);
      expect(events.map((e) => e.traceId)).toEqual(['t', 't', 't']);
    });

    it('falls back to X-Correlation-Id in any case, then traceparent', () => {
      // Act
      const withHeader = parse('{}', {
        headers: { 'x-correlation-id': 'hdr-1', traceparent: TRACEPARENT },
      });
      const withTraceparent = parse('{}', { headers: { Traceparent: TRACEPARENT } });

      // Assess
      expect(withHeader.events[0]).toMatchObject({
        correlationId: 'hdr-1',
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      });
      expect(withTraceparent.events[0]?.correlationId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    });

    it('leaves the correlation id absent when nothing gives one', () => {
      // Act
      const { events } = parse('{"request_id":"  "}', {
        headers: { 'X-Correlation-Id': undefined },
      });

      // Assess
      expect(events[0]).not.toHaveProperty('correlationId');
      expect(events[0]).not.toHaveProperty('traceId');
    });

    it.each([
      ['valid', TRACEPARENT, '4bf92f3577b34da6a3ce929d0e0e4736'],
      [
        'future version with extra field',
        `cc-${TRACEPARENT.slice(3)}-what`,
        '4bf92f3577b34da6a3ce929d0e0e4736',
      ],
      ['version ff', `ff-${TRACEPARENT.slice(3)}`, undefined],
      ['version 00 with extra field', `${TRACEPARENT}-x`, undefined],
      ['zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, undefined],
      ['zero parent id', `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`, undefined],
      ['upper-case hex', TRACEPARENT.toUpperCase(), undefined],
      ['short', '00-abc-def-01', undefined],
      ['absent', undefined, undefined],
    ])('traceparent %s', (_name, header, expected) => {
      // Act / Assess
      expect(traceIdFromTraceparent(header)).toBe(expected);
    });

    it('takes numeric ids as strings', () => {
      // Act
      const { events } = parse('{"request_id": 12345}');

      // Assess
      expect(events[0]).toMatchObject({ correlationId: '12345', requestId: '12345' });
    });
  });

  describe('prediction events', () => {
    it('flags events whose event field is prediction', () => {
      // Act
      const { events } = parse('[{"event":"prediction"},{"event":"startup"},{}]');

      // Assess
      expect(events.map((e) => e.isPrediction)).toEqual([true, false, false]);
    });

    it('uses a configured field and value', () => {
      // Act
      const { events } = parse('[{"kind":"inference"},{"event":"prediction"}]', {
        predictionField: 'kind',
        predictionValue: 'inference',
      });

      // Assess
      expect(events.map((e) => e.isPrediction)).toEqual([true, false]);
    });

    it('does not read the prediction field from the prototype', () => {
      // Act
      const { events } = parse('{}', { predictionField: 'toString', predictionValue: 'x' });

      // Assess
      expect(events[0]?.isPrediction).toBe(false);
    });
  });

  describe('limits', () => {
    it('throws PayloadTooLargeError for too many array events', () => {
      // Act / Assess
      expect(() => parse('[{},{},{}]', { maxEvents: 2 })).toThrow(
        new PayloadTooLargeError('3 log events in one request, more than the limit of 2'),
      );
    });

    it('counts non-blank NDJSON lines against maxEvents', () => {
      // Act / Assess
      expect(() =>
        parse('{}\n\n{}\n', { maxEvents: 2, contentType: 'application/x-ndjson' }),
      ).not.toThrow();
      expect(() =>
        parse('{}\n{}\n{}', { maxEvents: 2, contentType: 'application/x-ndjson' }),
      ).toThrow(PayloadTooLargeError);
    });

    it('rejects an event larger than maxEventBytes in UTF-8', () => {
      // Prepare: 'é' is 2 bytes in UTF-8; {"message":"éééé"} is 14 + 8 = 22 bytes
      const body = '[{"message":"éééé"},{"message":"ok"}]';

      // Act
      const { events, rejected } = parse(body, { maxEventBytes: 21 });

      // Assess
      expect(events.map((e) => e.message)).toEqual(['ok']);
      expect(rejected).toEqual([
        { index: 0, reason: 'event 0: event is 22 bytes, more than the limit of 21' },
      ]);
    });

    it('rejects an event nested more than 100 levels deep by index and keeps the others', () => {
      // Prepare: 5,000 levels would overflow the stack of a recursive JSON.stringify
      const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
      const atLimit = `${'{"a":'.repeat(99)}1${'}'.repeat(99)}`;
      const body = `[${deep},{"message":"ok","nested":${atLimit}}]`;

      // Act
      const { events, rejected } = parse(body);

      // Assess
      expect(events.map((e) => e.message)).toEqual(['ok']);
      expect(rejected).toEqual([
        { index: 0, reason: 'event 0: event nests objects and arrays more than 100 levels deep' },
      ]);
    });
  });
});
