import fc from 'fast-check';
import protojson from 'protobufjs/ext/protojson.js';
import protobuf from 'protobufjs/light.js';
import {
  encodeLogsResponse,
  encodeMetricsResponse,
  encodeStatus,
} from '../../../../lambdas/domain/otlp/decode';
import { otlpTypes } from '../../../../lambdas/domain/otlp/json';
import { OTLP_SCHEMA } from '../../../../lambdas/domain/otlp/otlp-schema';
import {
  decodeLogsProtobuf,
  decodeMetricsProtobuf,
  type Int64Value,
} from '../../../../lambdas/domain/otlp/protobuf';
import { BadRequestError } from '../../../../lambdas/domain/errors';

/**
 * The oracle is protobufjs over the same schema: bodies it encodes must decode to what its own
 * decoder hands over, restricted to the fields Vigil reads (below, by message).
 */
const READ_FIELDS: Record<string, readonly string[]> = {
  ExportMetricsServiceRequest: ['resourceMetrics'],
  ResourceMetrics: ['resource', 'scopeMetrics'],
  ScopeMetrics: ['scope', 'metrics'],
  ExportLogsServiceRequest: ['resourceLogs'],
  ResourceLogs: ['resource', 'scopeLogs'],
  ScopeLogs: ['scope', 'logRecords'],
  Resource: ['attributes'],
  InstrumentationScope: ['name', 'version'],
  Metric: [
    'name',
    'description',
    'unit',
    'gauge',
    'sum',
    'histogram',
    'exponentialHistogram',
    'summary',
  ],
  Gauge: ['dataPoints'],
  Sum: ['dataPoints', 'aggregationTemporality', 'isMonotonic'],
  Histogram: ['dataPoints', 'aggregationTemporality'],
  ExponentialHistogram: ['dataPoints', 'aggregationTemporality'],
  Summary: ['dataPoints'],
  NumberDataPoint: [
    'attributes',
    'startTimeUnixNano',
    'timeUnixNano',
    'asDouble',
    'asInt',
    'flags',
  ],
  HistogramDataPoint: [
    'attributes',
    'timeUnixNano',
    'count',
    'sum',
    'bucketCounts',
    'explicitBounds',
    'flags',
  ],
  ExponentialHistogramDataPoint: [],
  SummaryDataPoint: ['attributes', 'timeUnixNano', 'count', 'sum', 'quantileValues', 'flags'],
  ValueAtQuantile: ['quantile', 'value'],
  KeyValue: ['key', 'value'],
  AnyValue: [
    'stringValue',
    'boolValue',
    'intValue',
    'doubleValue',
    'arrayValue',
    'kvlistValue',
    'bytesValue',
  ],
  ArrayValue: ['values'],
  KeyValueList: ['values'],
  LogRecord: [
    'timeUnixNano',
    'observedTimeUnixNano',
    'severityNumber',
    'severityText',
    'body',
    'attributes',
    'flags',
    'traceId',
    'spanId',
    'eventName',
  ],
};

/** A protobufjs message → its own fields that Vigil reads, recursively. */
const project = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(project);
  const type = (value as { $type?: protobuf.Type } | null)?.$type;
  if (!type) return value;
  const read = READ_FIELDS[type.name];
  if (!read) throw new Error(`no READ_FIELDS for ${type.name}`);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object))
    if (read.includes(key)) out[key] = project((value as Record<string, unknown>)[key]);
  return out;
};

/**
 * The schema with a field of every wire type added to every message (numbers no message uses),
 * so that bodies it encodes carry unknown fields everywhere; optionally the repeated scalars
 * unpacked.
 */
const extendedTypes = (packed: boolean) => {
  const schema = structuredClone(OTLP_SCHEMA) as unknown as protobuf.INamespace;
  const visit = (ns: Record<string, unknown>) => {
    const nested = ns.nested as Record<string, Record<string, unknown>> | undefined;
    for (const child of Object.values(nested ?? {})) {
      const fields = child.fields as
        | Record<string, protobuf.IField & { options?: object }>
        | undefined;
      if (fields) {
        fields.xVarint = { type: 'uint64', id: 900 };
        fields.xFixed64 = { type: 'fixed64', id: 901 };
        fields.xBytes = { type: 'bytes', id: 902 };
        fields.xFixed32 = { type: 'fixed32', id: 903 };
        fields.xPacked = { rule: 'repeated', type: 'sint32', id: 904 };
        if (!packed)
          for (const f of Object.values(fields))
            if (f.rule === 'repeated' && ['fixed64', 'double'].includes(f.type))
              f.options = { ...f.options, packed: false };
      }
      visit(child);
    }
  };
  visit(schema as unknown as Record<string, unknown>);
  const root = protobuf.Root.fromJSON(schema);
  return {
    metrics: root.lookupType(
      'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
    ),
    logs: root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest'),
    root,
  };
};
const PACKED = extendedTypes(true);
const UNPACKED = extendedTypes(false);

// ---- generators (protobufjs `fromObject` input) ----

const U64_EDGES = [
  0n,
  1n,
  2n ** 32n - 1n,
  2n ** 32n,
  2n ** 53n - 1n,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  2n ** 64n - 1n,
];
const uint64 = fc
  .oneof(fc.constantFrom(...U64_EDGES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))
  .map(String);
const int64 = fc
  .oneof(
    fc.constantFrom(-(2n ** 63n), -1n, 0n, 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  )
  .map(String);
const double = fc.oneof(
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 5e-324),
  fc.double(),
);
const text = fc.oneof(
  fc.constantFrom('', 'é', '\u{1F600}', '\uFEFFbom'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const bytes = fc.uint8Array({ maxLength: 16 });
const unknown = fc.record(
  {
    xVarint: uint64,
    xFixed64: uint64,
    xBytes: bytes,
    xFixed32: fc.nat(),
    xPacked: fc.array(fc.integer(), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

/** A message: some of `fields`, plus unknown fields. */
const message = <T extends Record<string, fc.Arbitrary<unknown>>>(fields: T) =>
  fc
    .tuple(fc.record(fields, { requiredKeys: [] }), fc.option(unknown, { nil: undefined }))
    .map(([m, x]) => ({ ...x, ...m }));

const { anyValue, keyValue } = fc.letrec<{ anyValue: unknown; keyValue: unknown }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant({}),
    fc.record({ stringValue: text }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ intValue: int64 }),
    fc.record({ doubleValue: double }),
    fc.record({ bytesValue: bytes }),
    fc.record({ stringValueStrindex: fc.integer() }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('anyValue'), { maxLength: 3 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(tie('keyValue'), { maxLength: 3 }) }) }),
  ),
  keyValue: message({ key: text, value: tie('anyValue'), keyStrindex: fc.integer() }),
}));
const attributes = fc.array(keyValue, { maxLength: 3 });
const scope = message({ name: text, version: text, attributes, droppedAttributesCount: fc.nat() });
const resource = message({ attributes, droppedAttributesCount: fc.nat() });
const exemplar = message({
  filteredAttributes: attributes,
  timeUnixNano: uint64,
  asDouble: double,
  spanId: bytes,
  traceId: bytes,
});
const numberPoint = fc
  .tuple(
    message({
      attributes,
      startTimeUnixNano: uint64,
      timeUnixNano: uint64,
      exemplars: fc.array(exemplar, { maxLength: 2 }),
      flags: fc.nat(),
    }),
    fc.oneof(fc.constant({}), fc.record({ asDouble: double }), fc.record({ asInt: int64 })),
  )
  .map(([p, v]) => ({ ...p, ...v }));
const histogramPoint = message({
  attributes,
  startTimeUnixNano: uint64,
  timeUnixNano: uint64,
  count: uint64,
  sum: double,
  bucketCounts: fc.array(uint64, { maxLength: 5 }),
  explicitBounds: fc.array(double, { maxLength: 5 }),
  exemplars: fc.array(exemplar, { maxLength: 1 }),
  flags: fc.nat(),
  min: double,
  max: double,
});
const expPoint = message({
  attributes,
  count: uint64,
  scale: fc.integer({ min: -10, max: 20 }),
  zeroCount: uint64,
  positive: fc.record({ offset: fc.integer(), bucketCounts: fc.array(uint64, { maxLength: 3 }) }),
  zeroThreshold: double,
});
const summaryPoint = message({
  attributes,
  timeUnixNano: uint64,
  count: uint64,
  sum: double,
  quantileValues: fc.array(message({ quantile: double, value: double }), { maxLength: 3 }),
  flags: fc.nat(),
});
const temporality = fc.integer({ min: -1, max: 3 });
const points = <T>(p: fc.Arbitrary<T>) => fc.array(p, { maxLength: 3 });
const metric = fc
  .tuple(
    message({ name: text, description: text, unit: text, metadata: attributes }),
    fc.oneof(
      fc.constant({}),
      fc.record({ gauge: message({ dataPoints: points(numberPoint) }) }),
      fc.record({
        sum: message({
          dataPoints: points(numberPoint),
          aggregationTemporality: temporality,
          isMonotonic: fc.boolean(),
        }),
      }),
      fc.record({
        histogram: message({
          dataPoints: points(histogramPoint),
          aggregationTemporality: temporality,
        }),
      }),
      fc.record({
        exponentialHistogram: message({
          dataPoints: points(expPoint),
          aggregationTemporality: temporality,
        }),
      }),
      fc.record({ summary: message({ dataPoints: points(summaryPoint) }) }),
    ),
  )
  .map(([m, data]) => ({ ...m, ...data }));
const metricsRequest = message({
  resourceMetrics: fc.array(
    message({
      resource,
      schemaUrl: text,
      scopeMetrics: fc.array(
        message({ scope, metrics: fc.array(metric, { maxLength: 3 }), schemaUrl: text }),
        {
          maxLength: 2,
        },
      ),
    }),
    { maxLength: 2 },
  ),
});
const logRecord = message({
  timeUnixNano: uint64,
  observedTimeUnixNano: uint64,
  severityNumber: fc.integer({ min: -2, max: 30 }),
  severityText: text,
  body: anyValue,
  attributes,
  droppedAttributesCount: fc.nat(),
  flags: fc.nat(),
  traceId: bytes,
  spanId: bytes,
  eventName: text,
});
const logsRequest = message({
  resourceLogs: fc.array(
    message({
      resource,
      scopeLogs: fc.array(message({ scope, logRecords: fc.array(logRecord, { maxLength: 3 }) }), {
        maxLength: 2,
      }),
    }),
    { maxLength: 2 },
  ),
});

const TYPE_NAMES = {
  metric: 'opentelemetry.proto.metrics.v1.Metric',
  numberPoint: 'opentelemetry.proto.metrics.v1.NumberDataPoint',
  histogramPoint: 'opentelemetry.proto.metrics.v1.HistogramDataPoint',
  logRecord: 'opentelemetry.proto.logs.v1.LogRecord',
  keyValue: 'opentelemetry.proto.common.v1.KeyValue',
} as const;

/** Singular scalar fields of `type` (those `pick` selects, cyclically) written at their defaults. */
const explicitDefaults = (type: protobuf.Type, pick: readonly boolean[]): Uint8Array => {
  const w = protobuf.Writer.create() as unknown as Record<string, (v: unknown) => unknown> & {
    uint32(v: number): unknown;
    finish(): Uint8Array;
  };
  type.fieldsArray.forEach((f, i) => {
    f.resolve();
    if (f.repeated || f.partOf || f.resolvedType instanceof protobuf.Type || !pick[i % pick.length])
      return;
    const t = f.resolvedType instanceof protobuf.Enum ? 'int32' : f.type;
    const wire = (protobuf.types.basic as Record<string, number>)[t];
    if (wire === undefined) return;
    w.uint32((f.id << 3) | wire);
    w[t]?.(t === 'string' ? '' : t === 'bytes' ? new Uint8Array(0) : t === 'bool' ? false : 0);
  });
  return w.finish();
};

const encodeWith = (type: protobuf.Type, obj: unknown): Uint8Array =>
  type.encode(type.fromObject(obj as Record<string, unknown>)).finish();

/** A length-delimited field `field` holding `payload`. */
const wrap = (field: number, payload: Uint8Array): Uint8Array =>
  protobuf.Writer.create()
    .uint32((field << 3) | 2)
    .bytes(payload)
    .finish();

const expectSameMetrics = (body: Uint8Array) =>
  expect(decodeMetricsProtobuf(body)).toEqual(project(otlpTypes.metricsRequest.decode(body)));
const expectSameLogs = (body: Uint8Array) =>
  expect(decodeLogsProtobuf(body)).toEqual(project(otlpTypes.logsRequest.decode(body)));

const outcome = (decode: () => unknown): unknown => {
  try {
    return decode();
  } catch {
    return 'refused';
  }
};

describe('OTLP protobuf decoding', () => {
  it('reads metrics requests as protobufjs does, unknown fields and packed or unpacked repeated scalars included', () => {
    fc.assert(
      fc.property(metricsRequest, fc.boolean(), (req, packed) => {
        expectSameMetrics(encodeWith((packed ? PACKED : UNPACKED).metrics, req));
      }),
      { numRuns: 300 },
    );
  });

  it('reads logs requests as protobufjs does', () => {
    fc.assert(
      fc.property(logsRequest, (req) => {
        expectSameLogs(encodeWith(PACKED.logs, req));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['Metric', 'metric', () => metric, (m: Uint8Array) => wrap(1, wrap(2, wrap(2, m))), 'metrics'],
    [
      'NumberDataPoint',
      'numberPoint',
      () => numberPoint,
      (p: Uint8Array) => wrap(1, wrap(2, wrap(2, wrap(5, wrap(1, p))))),
      'metrics',
    ],
    [
      'HistogramDataPoint',
      'histogramPoint',
      () => histogramPoint,
      (p: Uint8Array) => wrap(1, wrap(2, wrap(2, wrap(9, wrap(1, p))))),
      'metrics',
    ],
    [
      'LogRecord',
      'logRecord',
      () => logRecord,
      (r: Uint8Array) => wrap(1, wrap(2, wrap(2, r))),
      'logs',
    ],
    [
      'KeyValue',
      'keyValue',
      () => keyValue,
      (kv: Uint8Array) => wrap(1, wrap(2, wrap(2, wrap(6, kv)))),
      'logs',
    ],
  ] as const)(
    'reads a %s sent in two parts with defaults between them as protobufjs does (merged, last oneof member kept, a later default unsetting a value)',
    (_name, typeName, arb, place, signal) => {
      const type = PACKED.root.lookupType(TYPE_NAMES[typeName]);
      fc.assert(
        fc.property(
          arb() as fc.Arbitrary<unknown>,
          arb() as fc.Arbitrary<unknown>,
          fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
          (a, b, pick) => {
            const body = place(
              new Uint8Array([
                ...encodeWith(type, a),
                ...explicitDefaults(type, pick),
                ...encodeWith(type, b),
              ]),
            );
            if (signal === 'metrics') expectSameMetrics(body);
            else expectSameLogs(body);
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it('refuses exactly the truncated bodies protobufjs refuses, and reads the others alike', () => {
    fc.assert(
      fc.property(logsRequest, fc.double({ min: 0, max: 1, noNaN: true }), (req, cut) => {
        const body = encodeWith(PACKED.logs, req);
        const prefix = body.subarray(0, Math.floor(body.length * cut));
        const mine = outcome(() => decodeLogsProtobuf(prefix));
        const theirs = outcome(() => project(otlpTypes.logsRequest.decode(prefix)));
        expect(mine).toEqual(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it('answers any bytes with a request or a BadRequestError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (body) => {
        for (const decode of [decodeMetricsProtobuf, decodeLogsProtobuf]) {
          try {
            decode(body);
          } catch (e) {
            expect(e).toBeInstanceOf(BadRequestError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reads 64-bit integers exactly, as protobufjs Longs', () => {
    const body = encodeWith(otlpTypes.metricsRequest, {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'm',
                  gauge: {
                    dataPoints: [
                      { timeUnixNano: '18446744073709551615', asInt: '-9223372036854775808' },
                      { timeUnixNano: '1700000000123456789', asInt: '9223372036854775807' },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    const points =
      decodeMetricsProtobuf(body).resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.[0]?.gauge
        ?.dataPoints;
    expect(points?.map((p) => [String(p.timeUnixNano), String(p.asInt)])).toEqual([
      ['18446744073709551615', '-9223372036854775808'],
      ['1700000000123456789', '9223372036854775807'],
    ]);
    const [min, now] = (points ?? []).map((p) => [p.asInt, p.timeUnixNano] as Int64Value[]);
    expect(now?.[1]?.toNumber()).toBe(Number(1700000000123456789n));
    expect(min?.[0]?.toNumber()).toBe(-(2 ** 63));
  });

  it('skips a known field that arrives with another wire type, as protobuf-go and protobufjs do', () => {
    // LogRecord.severity_text (3) as a varint, LogRecord.time_unix_nano (1) as length-delimited.
    const record = new Uint8Array([0x18, 0x05, 0x0a, 0x02, 0x61, 0x62, 0x1a, 0x01, 0x78]);
    const body = wrap(1, wrap(2, wrap(2, record)));
    expectSameLogs(body);
    expect(decodeLogsProtobuf(body).resourceLogs?.[0]?.scopeLogs?.[0]?.logRecords?.[0]).toEqual({
      attributes: [],
      severityText: 'x',
    });
  });

  it.each([
    ['a truncated varint', new Uint8Array([0x0a, 0x80]), 'truncated varint'],
    [
      'a varint over 10 bytes',
      new Uint8Array([0x0a, ...new Array(10).fill(0xff), 0x01]),
      'varint longer than 10 bytes',
    ],
    ['a length past the end', new Uint8Array([0x0a, 0x05, 0x12]), 'runs past the end'],
    ['field number 0', new Uint8Array([0x02, 0x00]), 'invalid field number 0'],
    ['wire type 7', new Uint8Array([0x0f]), 'invalid wire type 7'],
    ['an unterminated group', new Uint8Array([0x0b]), 'unterminated group'],
  ])('refuses %s with a message naming it', (_what, body, message) => {
    expect(() => decodeMetricsProtobuf(body)).toThrow(BadRequestError);
    expect(() => decodeMetricsProtobuf(body)).toThrow(message);
    expect(() => otlpTypes.metricsRequest.decode(body)).toThrow();
  });

  it('refuses a 10-byte varint past 64 bits, as protobuf-go does', () => {
    const flags = new Uint8Array([0x40, ...new Array(9).fill(0xff), 0x02]); // NumberDataPoint.flags
    const body = wrap(1, wrap(2, wrap(2, wrap(5, wrap(1, flags)))));
    expect(() => decodeMetricsProtobuf(body)).toThrow('varint overflows 64 bits');
  });

  it('refuses a string that is not UTF-8, naming the field, as protobuf-go and protobufjs do', () => {
    const record = new Uint8Array([0x1a, 0x02, 0xff, 0xc0]); // LogRecord.severity_text
    const body = wrap(1, wrap(2, wrap(2, record)));
    expect(() => decodeLogsProtobuf(body)).toThrow('LogRecord.severity_text is not valid UTF-8');
    expect(() => otlpTypes.logsRequest.decode(body)).toThrow();
  });

  it('refuses packed bucket counts whose length is not a multiple of 8', () => {
    const point = new Uint8Array([0x32, 0x03, 1, 2, 3]); // HistogramDataPoint.bucket_counts
    const body = wrap(1, wrap(2, wrap(2, wrap(9, wrap(1, point)))));
    expect(() => decodeMetricsProtobuf(body)).toThrow('is not a multiple of 8');
    expect(() => otlpTypes.metricsRequest.decode(body)).toThrow();
  });

  it('reads attribute values nested as deep as protobufjs reads them and refuses deeper ones', () => {
    const nestedBody = (levels: number) => {
      let value: Uint8Array = new Uint8Array([0x0a, 0x01, 0x78]); // AnyValue{string_value: "x"}
      for (let i = 0; i < levels; i++) value = wrap(5, wrap(1, value)); // array_value.values
      const record = wrap(5, value); // LogRecord.body
      return wrap(1, wrap(2, wrap(2, record)));
    };
    const deepest = [10, 47, 48, 49, 60].map((n) => [
      n,
      outcome(() => decodeLogsProtobuf(nestedBody(n))) === 'refused',
      outcome(() => otlpTypes.logsRequest.decode(nestedBody(n))) === 'refused',
    ]);
    expect(deepest.map(([, mine]) => mine)).toEqual(deepest.map(([, , theirs]) => theirs));
    expect(deepest.some(([, mine]) => mine)).toBe(true);
    expect(() => decodeLogsProtobuf(nestedBody(60))).toThrow('nested deeper than 100 messages');
  });
});

describe('OTLP responses', () => {
  const count = fc.oneof(fc.constant(0), fc.nat(), fc.constant(2 ** 53 - 1));
  const message = fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme' }));

  it('writes partial_success bytes protobufjs reads back, and the JSON protobufjs writes', () => {
    fc.assert(
      fc.property(count, message, (rejected, text) => {
        for (const [encode, type, field] of [
          [encodeMetricsResponse, otlpTypes.metricsResponse, 'rejectedDataPoints'],
          [encodeLogsResponse, otlpTypes.logsResponse, 'rejectedLogRecords'],
        ] as const) {
          const expected =
            rejected === 0 && text === ''
              ? {}
              : { partialSuccess: { [field]: rejected, errorMessage: text } };
          const proto = encode(rejected, text, 'protobuf');
          expect(proto.contentType).toBe('application/x-protobuf');
          expect(type.toObject(type.decode(proto.body), { longs: Number })).toEqual(
            type.toObject(type.fromObject(expected), { longs: Number }),
          );
          expect(Buffer.from(type.encode(type.fromObject(expected)).finish())).toEqual(proto.body);
          const json = encode(rejected, text, 'json');
          expect(json.contentType).toBe('application/json');
          expect(json.body.toString()).toBe(
            JSON.stringify(protojson.toJson(type, type.fromObject(expected))),
          );
        }
      }),
    );
  });

  it('writes google.rpc.Status as protobufjs does in both encodings', () => {
    const type = otlpTypes.status;
    fc.assert(
      fc.property(fc.constantFrom(0, 3, 8, 13, 14), message, (code, text) => {
        const status = type.fromObject({ code, message: text });
        expect(encodeStatus(code, text, 'protobuf').body).toEqual(
          Buffer.from(type.encode(status).finish()),
        );
        expect(encodeStatus(code, text, 'json').body.toString()).toBe(
          JSON.stringify(protojson.toJson(type, status)),
        );
      }),
    );
  });
});
