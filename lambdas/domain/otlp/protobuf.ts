/**
 * OTLP/HTTP binary protobuf: `ExportMetricsServiceRequest` and `ExportLogsServiceRequest` bodies
 * read on the bounds-checked {@link ProtoReader}, and the two responses and `google.rpc.Status`
 * written by hand, so that a function reading protobuf never loads protobufjs.
 *
 * Messages come out as protobufjs hands them over (see ./types.ts): a field is set when it is on
 * the wire with a value other than its proto3 default (`optional` and `oneof` members whenever
 * they are on the wire; of a `oneof`, the last one read), repeated fields are arrays (packed or
 * not), a message field read twice is merged, 64-bit integers are {@link Int64Value}s (the fields
 * and methods of a protobufjs `Long`), `bytes` are views of the body. Fields Vigil does not read
 * (exemplars, exponential histogram buckets, scope attributes, schema URLs, dropped counts,
 * min/max, entity refs, metric metadata) are skipped by wire type without looking inside; a field
 * that arrives with another wire type than its own is an unknown field and skipped too, as
 * protobuf-go and protobufjs do. A body that is not protobuf (truncated, a length past the end of
 * its message, a varint over 10 bytes or past 64 bits, field number 0, a string that is not
 * UTF-8 — proto3 strings must be, and protobuf-go and protobufjs refuse them too — messages nested
 * deeper than 100) throws a `RemoteWriteDecodeError` (400) naming the byte and the field.
 * @see https://github.com/open-telemetry/opentelemetry-proto (./proto)
 * @see https://protobuf.dev/programming-guides/encoding/
 */
import { ProtoReader, WireType } from '../remote-write/proto-reader';
import { lenField, ProtoWriter, utf8, varintSize } from '../remote-write/proto-writer';
import type {
  AnyValue,
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  HistogramDataPoint,
  InstrumentationScope,
  Int64,
  KeyValue,
  LogRecord,
  Metric,
  NumberDataPoint,
  Resource,
  SummaryDataPoint,
} from './types';

/** protoc's and protobufjs's default recursion limit. */
const MAX_DEPTH = 100;

const VARINT = WireType.Varint;
const I64 = WireType.Fixed64;
const LEN = WireType.LengthDelimited;
const I32 = WireType.Fixed32;

const TWO_POW_32 = 0x1_0000_0000;

/** A 64-bit integer as two 32-bit halves, shaped as protobufjs's `Long`. */
class Int64Value {
  readonly low: number;
  readonly high: number;
  readonly unsigned: boolean;
  constructor(low: number, high: number, unsigned: boolean) {
    this.low = low | 0;
    this.high = high | 0;
    this.unsigned = unsigned;
  }
  /** The nearest float64 (exact up to 2^53). */
  toNumber(): number {
    return this.unsigned
      ? (this.high >>> 0) * TWO_POW_32 + (this.low >>> 0)
      : this.high * TWO_POW_32 + (this.low >>> 0);
  }
  /** Decimal, exact. */
  toString(): string {
    const bits = (BigInt(this.high >>> 0) << 32n) | BigInt(this.low >>> 0);
    return (this.unsigned ? bits : BigInt.asIntN(64, bits)).toString();
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Reader = ProtoReader;

/** Reads the fields of a message until `end`; `on` consumes the known ones and returns true. */
const fields = (r: Reader, end: number, on: (tag: number, at: number) => boolean): void => {
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    if (!on(tag, at)) r.skip(tag, end, at);
  }
};

/** The end of an embedded message whose length prefix is at the cursor; refused past `MAX_DEPTH`. */
const nested = (r: Reader, end: number, field: string, depth: number): number => {
  if (depth > MAX_DEPTH) throw r.fail(`${field} nested deeper than ${MAX_DEPTH} messages`, r.pos);
  return r.delimited(end, field);
};

const string = (r: Reader, end: number, field: string, at: number): string => {
  const e = r.delimited(end, field);
  const s = r.string(r.pos, e, true);
  if (s === undefined) throw r.fail(`${field} is not valid UTF-8`, at);
  r.pos = e;
  return s;
};

const bytes = (r: Reader, end: number, field: string): Uint8Array => {
  const e = r.delimited(end, field);
  const b = r.buf.subarray(r.pos, e);
  r.pos = e;
  return b;
};

const fixed64 = (r: Reader, end: number, unsigned: boolean): Int64Value => {
  r.fixed64(end);
  return new Int64Value(r.lo, r.hi, unsigned);
};

/**
 * A field without presence: set unless `value` is its default, which unsets it (a later default
 * clears an earlier value, as in a merge).
 */
const put = <T, K extends keyof T>(m: T, key: K, value: T[K], isSet: boolean): void => {
  if (isSet) m[key] = value;
  else delete m[key];
};

/** A fixed64 field without presence: unset when 0 (a later 0 clears an earlier value). */
const setFixed64 = <K extends string>(
  m: { [P in K]?: Int64 },
  key: K,
  r: Reader,
  end: number,
): void => {
  r.fixed64(end);
  put(m, key, new Int64Value(r.lo, r.hi, true), (r.lo | r.hi) !== 0);
};

/** The low 32 bits of a varint, unsigned (`uint32`). */
const uint32 = (r: Reader, end: number): number => {
  r.varint64(end);
  return r.lo;
};

/** `int32` and enums: the low 32 bits of a varint, signed. */
const int32 = (r: Reader, end: number): number => {
  r.varint64(end);
  return r.lo | 0;
};

const bool = (r: Reader, end: number): boolean => {
  r.varint64(end);
  return (r.lo | r.hi) !== 0;
};

/** Repeated 8-byte scalars (`fixed64`, `double`), packed or not. */
const repeated8 = <T>(
  r: Reader,
  tag: number,
  end: number,
  out: T[],
  read: (end: number) => T,
  field: string,
  at: number,
): void => {
  if ((tag & 7) === I64) {
    out.push(read(end));
    return;
  }
  const e = r.delimited(end, field);
  if ((e - r.pos) % 8 !== 0)
    throw r.fail(`packed ${field} length ${e - r.pos} is not a multiple of 8`, at);
  while (r.pos < e) out.push(read(e));
};

/**
 * `ArrayValue` and `KeyValueList` (`values`, field 1), appended to the values of the same member
 * read before (a merge).
 */
const valueList = <T>(
  r: Reader,
  end: number,
  field: string,
  depth: number,
  prev: readonly T[] | undefined,
  read: (r: Reader, end: number, depth: number) => T,
): { values: T[] } => {
  const e = nested(r, end, field, depth + 1);
  const values = prev && prev.length > 0 ? (prev as T[]) : [];
  fields(r, e, (tag) => {
    if (tag !== ((1 << 3) | LEN)) return false;
    values.push(read(r, nested(r, e, `${field}.values`, depth + 2), depth + 2));
    return true;
  });
  return { values };
};

const ANY_VALUE_MEMBERS = [
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
  'arrayValue',
  'kvlistValue',
  'bytesValue',
] as const;

/** Sets one member of `AnyValue.value`, unsetting the others. */
const setAnyValue = (m: Record<string, unknown>, key: string, value: unknown): void => {
  for (const k of ANY_VALUE_MEMBERS) if (k !== key && k in m) delete m[k];
  if (key !== '') m[key] = value;
};

const anyValue = (r: Reader, end: number, depth: number, into?: AnyValue): AnyValue => {
  const m: Mutable<AnyValue> = into ?? {};
  fields(r, end, (tag, at) => {
    switch (tag) {
      case (1 << 3) | LEN:
        setAnyValue(m, 'stringValue', string(r, end, 'AnyValue.string_value', at));
        return true;
      case (2 << 3) | VARINT:
        setAnyValue(m, 'boolValue', bool(r, end));
        return true;
      case (3 << 3) | VARINT:
        r.varint64(end);
        setAnyValue(m, 'intValue', new Int64Value(r.lo, r.hi, false));
        return true;
      case (4 << 3) | I64:
        setAnyValue(m, 'doubleValue', r.double(end));
        return true;
      case (5 << 3) | LEN:
        setAnyValue(
          m,
          'arrayValue',
          valueList(r, end, 'AnyValue.array_value', depth, m.arrayValue?.values, anyValue),
        );
        return true;
      case (6 << 3) | LEN:
        setAnyValue(
          m,
          'kvlistValue',
          valueList(r, end, 'AnyValue.kvlist_value', depth, m.kvlistValue?.values, keyValue),
        );
        return true;
      case (7 << 3) | LEN:
        setAnyValue(m, 'bytesValue', bytes(r, end, 'AnyValue.bytes_value'));
        return true;
      case (8 << 3) | VARINT:
        // string_value_strindex (profiles' string table): no value Vigil reads.
        r.varint64(end);
        setAnyValue(m, '', undefined);
        return true;
      default:
        return false;
    }
  });
  return m;
};

const keyValue = (r: Reader, end: number, depth: number): KeyValue => {
  const m: Mutable<KeyValue> = {};
  fields(r, end, (tag, at) => {
    if (tag === ((1 << 3) | LEN)) {
      const key = string(r, end, 'KeyValue.key', at);
      put(m, 'key', key, key !== '');
    } else if (tag === ((2 << 3) | LEN)) {
      const e = nested(r, end, 'KeyValue.value', depth + 1);
      m.value = anyValue(r, e, depth + 1, m.value ?? undefined);
    } else return false;
    return true;
  });
  return m;
};

/** A repeated `KeyValue` field: appends one. */
const attribute = (r: Reader, end: number, out: KeyValue[], field: string, depth: number) => {
  const e = nested(r, end, field, depth + 1);
  out.push(keyValue(r, e, depth + 1));
};

const resource = (r: Reader, end: number, depth: number, into?: Resource | null): Resource => {
  const attributes = (into?.attributes as KeyValue[] | undefined) ?? [];
  fields(r, end, (tag) => {
    if (tag !== ((1 << 3) | LEN)) return false;
    attribute(r, end, attributes, 'Resource.attributes', depth);
    return true;
  });
  return { attributes };
};

const scope = (
  r: Reader,
  end: number,
  into?: InstrumentationScope | null,
): InstrumentationScope => {
  const m: Mutable<InstrumentationScope> = { ...into };
  fields(r, end, (tag, at) => {
    if (tag === ((1 << 3) | LEN)) {
      const s = string(r, end, 'InstrumentationScope.name', at);
      put(m, 'name', s, s !== '');
    } else if (tag === ((2 << 3) | LEN)) {
      const s = string(r, end, 'InstrumentationScope.version', at);
      put(m, 'version', s, s !== '');
    } else return false;
    return true;
  });
  return m;
};

// ---- metrics.proto ----

const numberDataPoint = (r: Reader, end: number, depth: number): NumberDataPoint => {
  const attributes: KeyValue[] = [];
  const m: Mutable<NumberDataPoint> = { attributes };
  fields(r, end, (tag) => {
    switch (tag) {
      case (7 << 3) | LEN:
        attribute(r, end, attributes, 'NumberDataPoint.attributes', depth);
        return true;
      case (2 << 3) | I64:
        setFixed64(m, 'startTimeUnixNano', r, end);
        return true;
      case (3 << 3) | I64:
        setFixed64(m, 'timeUnixNano', r, end);
        return true;
      case (4 << 3) | I64:
        delete m.asInt;
        m.asDouble = r.double(end);
        return true;
      case (6 << 3) | I64:
        delete m.asDouble;
        m.asInt = fixed64(r, end, false);
        return true;
      case (8 << 3) | VARINT: {
        const flags = uint32(r, end);
        put(m, 'flags', flags, flags !== 0);
        return true;
      }
      default:
        return false;
    }
  });
  return m;
};

const histogramDataPoint = (r: Reader, end: number, depth: number): HistogramDataPoint => {
  const attributes: KeyValue[] = [];
  const bucketCounts: Int64[] = [];
  const explicitBounds: number[] = [];
  const m: Mutable<HistogramDataPoint> = { attributes, bucketCounts, explicitBounds };
  fields(r, end, (tag, at) => {
    switch (tag) {
      case (9 << 3) | LEN:
        attribute(r, end, attributes, 'HistogramDataPoint.attributes', depth);
        return true;
      case (3 << 3) | I64:
        setFixed64(m, 'timeUnixNano', r, end);
        return true;
      case (4 << 3) | I64:
        setFixed64(m, 'count', r, end);
        return true;
      case (5 << 3) | I64:
        m.sum = r.double(end);
        return true;
      case (6 << 3) | I64:
      case (6 << 3) | LEN:
        repeated8(
          r,
          tag,
          end,
          bucketCounts,
          (e) => fixed64(r, e, true),
          'HistogramDataPoint.bucket_counts',
          at,
        );
        return true;
      case (7 << 3) | I64:
      case (7 << 3) | LEN:
        repeated8(
          r,
          tag,
          end,
          explicitBounds,
          (e) => r.double(e),
          'HistogramDataPoint.explicit_bounds',
          at,
        );
        return true;
      case (10 << 3) | VARINT: {
        const flags = uint32(r, end);
        put(m, 'flags', flags, flags !== 0);
        return true;
      }
      default:
        return false;
    }
  });
  return m;
};

const summaryDataPoint = (r: Reader, end: number, depth: number): SummaryDataPoint => {
  const attributes: KeyValue[] = [];
  const quantileValues: { quantile?: number; value?: number }[] = [];
  const m: Mutable<SummaryDataPoint> = { attributes, quantileValues };
  fields(r, end, (tag) => {
    switch (tag) {
      case (7 << 3) | LEN:
        attribute(r, end, attributes, 'SummaryDataPoint.attributes', depth);
        return true;
      case (3 << 3) | I64:
        setFixed64(m, 'timeUnixNano', r, end);
        return true;
      case (4 << 3) | I64:
        setFixed64(m, 'count', r, end);
        return true;
      case (5 << 3) | I64: {
        const sum = r.double(end);
        put(m, 'sum', sum, !Object.is(sum, 0));
        return true;
      }
      case (6 << 3) | LEN: {
        const e = nested(r, end, 'SummaryDataPoint.quantile_values', depth + 1);
        const q: { quantile?: number; value?: number } = {};
        fields(r, e, (t) => {
          if (t === ((1 << 3) | I64)) {
            const v = r.double(e);
            put(q, 'quantile', v, !Object.is(v, 0));
          } else if (t === ((2 << 3) | I64)) {
            const v = r.double(e);
            put(q, 'value', v, !Object.is(v, 0));
          } else return false;
          return true;
        });
        quantileValues.push(q);
        return true;
      }
      case (8 << 3) | VARINT: {
        const flags = uint32(r, end);
        put(m, 'flags', flags, flags !== 0);
        return true;
      }
      default:
        return false;
    }
  });
  return m;
};

interface MetricData {
  dataPoints?: unknown[];
  aggregationTemporality?: number;
  isMonotonic?: boolean;
}

/**
 * `Gauge`, `Sum`, `Histogram`, `ExponentialHistogram`, `Summary`: their points (read by
 * `point`), temporality (field 2, but for Gauge and Summary), monotonicity (Sum's field 3).
 */
const metricData = (
  r: Reader,
  end: number,
  depth: number,
  kind: string,
  point: ((r: Reader, end: number, depth: number) => unknown) | undefined,
  into: MetricData | undefined,
): MetricData => {
  const m: MetricData = into ?? { dataPoints: [] };
  const points = m.dataPoints as unknown[];
  const temporality = kind !== 'Gauge' && kind !== 'Summary';
  fields(r, end, (tag) => {
    if (tag === ((1 << 3) | LEN)) {
      const e = nested(r, end, `${kind}.data_points`, depth + 1);
      if (point) points.push(point(r, e, depth + 1));
      else {
        r.pos = e;
        points.push({});
      }
    } else if (temporality && tag === ((2 << 3) | VARINT)) {
      const t = int32(r, end);
      put(m, 'aggregationTemporality', t, t !== 0);
    } else if (kind === 'Sum' && tag === ((3 << 3) | VARINT)) {
      put(m, 'isMonotonic', true, bool(r, end));
    } else return false;
    return true;
  });
  return m;
};

const METRIC_DATA = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;
type MetricDataKey = (typeof METRIC_DATA)[number];

/** Metric's `data` oneof by tag: the member, its message and field names, its point reader. */
const METRIC_DATA_FIELDS = new Map<
  number,
  [MetricDataKey, string, string, ((r: Reader, end: number, depth: number) => unknown) | undefined]
>([
  [(5 << 3) | LEN, ['gauge', 'Gauge', 'gauge', numberDataPoint]],
  [(7 << 3) | LEN, ['sum', 'Sum', 'sum', numberDataPoint]],
  [(9 << 3) | LEN, ['histogram', 'Histogram', 'histogram', histogramDataPoint]],
  [
    (10 << 3) | LEN,
    ['exponentialHistogram', 'ExponentialHistogram', 'exponential_histogram', undefined],
  ],
  [(11 << 3) | LEN, ['summary', 'Summary', 'summary', summaryDataPoint]],
]);

const metric = (r: Reader, end: number, depth: number): Metric => {
  const m: Record<string, unknown> = {};
  fields(r, end, (tag, at) => {
    const data = METRIC_DATA_FIELDS.get(tag);
    if (data !== undefined) {
      const [key, kind, field, point] = data;
      const e = nested(r, end, `Metric.${field}`, depth + 1);
      for (const k of METRIC_DATA) if (k !== key && k in m) delete m[k];
      m[key] = metricData(r, e, depth + 1, kind, point, m[key] as MetricData | undefined);
      return true;
    }
    const name =
      tag === ((1 << 3) | LEN)
        ? 'name'
        : tag === ((2 << 3) | LEN)
          ? 'description'
          : tag === ((3 << 3) | LEN)
            ? 'unit'
            : undefined;
    if (name === undefined) return false;
    const s = string(r, end, `Metric.${name}`, at);
    put(m, name, s, s !== '');
    return true;
  });
  return m as Metric;
};

// ---- logs.proto ----

const logRecord = (r: Reader, end: number, depth: number): LogRecord => {
  const attributes: KeyValue[] = [];
  const m: Mutable<LogRecord> = { attributes };
  fields(r, end, (tag, at) => {
    switch (tag) {
      case (1 << 3) | I64:
        setFixed64(m, 'timeUnixNano', r, end);
        return true;
      case (11 << 3) | I64:
        setFixed64(m, 'observedTimeUnixNano', r, end);
        return true;
      case (2 << 3) | VARINT: {
        const n = int32(r, end);
        put(m, 'severityNumber', n, n !== 0);
        return true;
      }
      case (3 << 3) | LEN: {
        const s = string(r, end, 'LogRecord.severity_text', at);
        put(m, 'severityText', s, s !== '');
        return true;
      }
      case (5 << 3) | LEN: {
        const e = nested(r, end, 'LogRecord.body', depth + 1);
        m.body = anyValue(r, e, depth + 1, m.body ?? undefined);
        return true;
      }
      case (6 << 3) | LEN:
        attribute(r, end, attributes, 'LogRecord.attributes', depth);
        return true;
      case (8 << 3) | I32: {
        const flags = r.fixed32(end);
        put(m, 'flags', flags, flags !== 0);
        return true;
      }
      case (9 << 3) | LEN: {
        const id = bytes(r, end, 'LogRecord.trace_id');
        put(m, 'traceId', id, id.length > 0);
        return true;
      }
      case (10 << 3) | LEN: {
        const id = bytes(r, end, 'LogRecord.span_id');
        put(m, 'spanId', id, id.length > 0);
        return true;
      }
      case (12 << 3) | LEN: {
        const s = string(r, end, 'LogRecord.event_name', at);
        put(m, 'eventName', s, s !== '');
        return true;
      }
      default:
        return false;
    }
  });
  return m;
};

// ---- the requests: Resource{Metrics,Logs} → Scope{Metrics,Logs} → items ----

interface ScopeGroup<T> {
  scope?: InstrumentationScope | null;
  items: T[];
}

/**
 * `ResourceMetrics`/`ResourceLogs` (resource = 1, scopes = 2) and `ScopeMetrics`/`ScopeLogs`
 * (scope = 1, items = 2): the same layout for both signals.
 */
const resourceGroup = <T>(
  r: Reader,
  end: number,
  signal: string,
  item: (r: Reader, end: number, depth: number) => T,
  itemField: string,
): { resource?: Resource; scopes: ScopeGroup<T>[] } => {
  const out: { resource?: Resource; scopes: ScopeGroup<T>[] } = { scopes: [] };
  fields(r, end, (tag) => {
    if (tag === ((1 << 3) | LEN)) {
      const e = nested(r, end, `Resource${signal}.resource`, 2);
      out.resource = resource(r, e, 2, out.resource);
    } else if (tag === ((2 << 3) | LEN)) {
      const e = nested(r, end, `Resource${signal}.scope_${signal.toLowerCase()}`, 2);
      const group: ScopeGroup<T> = { items: [] };
      fields(r, e, (t) => {
        if (t === ((1 << 3) | LEN)) {
          const e2 = nested(r, e, `Scope${signal}.scope`, 3);
          group.scope = scope(r, e2, group.scope);
        } else if (t === ((2 << 3) | LEN)) {
          const e2 = nested(r, e, `Scope${signal}.${itemField}`, 3);
          group.items.push(item(r, e2, 3));
        } else return false;
        return true;
      });
      out.scopes.push(group);
    } else return false;
    return true;
  });
  return out;
};

const request = <T>(body: Uint8Array, signal: string, read: (r: Reader, end: number) => T): T[] => {
  const r = new ProtoReader(body);
  const out: T[] = [];
  fields(r, body.length, (tag) => {
    if (tag !== ((1 << 3) | LEN)) return false;
    const e = nested(
      r,
      body.length,
      `Export${signal}ServiceRequest.resource_${signal.toLowerCase()}`,
      1,
    );
    out.push(read(r, e));
    return true;
  });
  return out;
};

/**
 * A protobuf `ExportMetricsServiceRequest`.
 * @throws RemoteWriteDecodeError (a `BadRequestError`) when the body is not one
 */
const decodeMetricsProtobuf = (body: Uint8Array): ExportMetricsServiceRequest => ({
  resourceMetrics: request(body, 'Metrics', (r, end) => {
    const g = resourceGroup(r, end, 'Metrics', metric, 'metrics');
    return {
      ...(g.resource !== undefined && { resource: g.resource }),
      scopeMetrics: g.scopes.map((s) => ({
        ...(s.scope != null && { scope: s.scope }),
        metrics: s.items,
      })),
    };
  }),
});

/**
 * A protobuf `ExportLogsServiceRequest`.
 * @throws RemoteWriteDecodeError (a `BadRequestError`) when the body is not one
 */
const decodeLogsProtobuf = (body: Uint8Array): ExportLogsServiceRequest => ({
  resourceLogs: request(body, 'Logs', (r, end) => {
    const g = resourceGroup(r, end, 'Logs', logRecord, 'log_records');
    return {
      ...(g.resource !== undefined && { resource: g.resource }),
      scopeLogs: g.scopes.map((s) => ({
        ...(s.scope != null && { scope: s.scope }),
        logRecords: s.items,
      })),
    };
  }),
});

// ---- responses ----

/**
 * `Export{Metrics,Logs}ServiceResponse`: empty when nothing was refused, else `partial_success`
 * (field 1) with the count (field 1, int64) and the message (field 2), defaults left out.
 */
const encodePartialSuccess = (rejected: number, message: string): Uint8Array => {
  if (rejected === 0 && message === '') return new Uint8Array(0);
  const text = utf8.encode(message);
  const inner =
    (rejected !== 0 ? 1 + varintSize(rejected) : 0) + (text.length > 0 ? lenField(text.length) : 0);
  const w = new ProtoWriter(lenField(inner));
  w.buf[w.pos++] = (1 << 3) | LEN;
  w.varint(inner);
  if (rejected !== 0) {
    w.buf[w.pos++] = (1 << 3) | VARINT;
    w.varint(rejected);
  }
  if (text.length > 0) w.bytes((2 << 3) | LEN, text);
  return w.buf;
};

/** `google.rpc.Status` with `code` (field 1, a non-negative `google.rpc.Code`) and `message` (2). */
const encodeStatusProtobuf = (code: number, message: string): Uint8Array => {
  const text = utf8.encode(message);
  const w = new ProtoWriter(
    (code !== 0 ? 1 + varintSize(code) : 0) + (text.length > 0 ? lenField(text.length) : 0),
  );
  if (code !== 0) {
    w.buf[w.pos++] = (1 << 3) | VARINT;
    w.varint(code);
  }
  if (text.length > 0) w.bytes((2 << 3) | LEN, text);
  return w.buf;
};

export {
  decodeLogsProtobuf,
  decodeMetricsProtobuf,
  encodePartialSuccess,
  encodeStatusProtobuf,
  Int64Value,
};
