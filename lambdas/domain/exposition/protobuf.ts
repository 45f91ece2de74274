/**
 * Reader for the delimited protobuf exposition format, the body the Go client's `push` package
 * sends by default: a sequence of `io.prometheus.client.MetricFamily` messages, each preceded by
 * its length as a varint. Families come out in the same shape as the text parser's, with the
 * samples expfmt's text writer would print for them (histogram `_bucket` with `+Inf` added when
 * absent, `_sum`, `_count`; summary quantiles, `_sum`, `_count`), so both formats feed the same
 * push logic. Exemplars, `created_timestamp`, `help` and `unit` are read past.
 * @see https://github.com/prometheus/client_model/blob/master/io/prometheus/client/metrics.proto
 * @see https://github.com/prometheus/pushgateway/blob/master/handler/push.go
 */
import { BadRequestError } from '../errors';
import { ProtoReader, WireType } from '../remote-write/proto-reader';
import { LABEL_NAME_RE, METRIC_NAME_RE } from '../series/labels';
import { formatGoFloat } from './go-format';
import type { ExpositionSample, MetricFamily, MetricType } from './types';

/** The media type (with its parameters) of a delimited protobuf push. */
export const PROTOBUF_DELIMITED_MEDIA_TYPE = 'application/vnd.google.protobuf';
export const PROTOBUF_DELIMITED_PROTO = 'io.prometheus.client.MetricFamily';
export const PROTOBUF_DELIMITED_ENCODING = 'delimited';

/** `io.prometheus.client.MetricType`, in enum order. */
const DTO_TYPE_NAMES = [
  'COUNTER',
  'GAUGE',
  'SUMMARY',
  'UNTYPED',
  'HISTOGRAM',
  'GAUGE_HISTOGRAM',
] as const;
const DTO_TYPES: readonly (MetricType | undefined)[] = [
  'counter',
  'gauge',
  'summary',
  'untyped',
  'histogram',
  undefined,
];

/** A delimited protobuf push body is malformed or holds what Vigil does not store. Answers 400. */
class ProtobufParseError extends BadRequestError {
  override readonly name: string = 'ProtobufParseError';
}

interface Pair {
  readonly name: string;
  readonly value: string;
}

interface HistogramValue {
  count: number;
  sum: number;
  buckets: { upperBound: number; count: number }[];
  /** A native-histogram field was present. */
  native: boolean;
}

interface SummaryValue {
  count: number;
  sum: number;
  quantiles: { quantile: number; value: number }[];
}

interface MetricValue {
  labels: Pair[];
  counter?: number;
  gauge?: number;
  untyped?: number;
  summary?: SummaryValue;
  histogram?: HistogramValue;
  timestampMs?: number;
}

const fail = (message: string): never => {
  throw new ProtobufParseError(`delimited protobuf push: ${message}`);
};

/** Reads a message field and returns its end, the cursor at its start. */
const messageEnd = (
  r: ProtoReader,
  tag: number,
  end: number,
  field: string,
  at: number,
): number => {
  r.expectWire(tag, WireType.LengthDelimited, field, at);
  return r.delimited(end, field);
};

const readDouble = (r: ProtoReader, tag: number, end: number, field: string, at: number) => {
  r.expectWire(tag, WireType.Fixed64, field, at);
  return r.double(end);
};

const readUint64 = (r: ProtoReader, tag: number, end: number, field: string, at: number) => {
  r.expectWire(tag, WireType.Varint, field, at);
  return r.varint(end);
};

const readString = (r: ProtoReader, tag: number, end: number, field: string, at: number) => {
  const e = messageEnd(r, tag, end, field, at);
  const s = r.string(r.pos, e, true);
  if (s === undefined) fail(`${field} is not valid UTF-8 (byte ${at})`);
  r.pos = e;
  return s as string;
};

/** Reads the fields of a message until `end`, handing each known one to `on` (which consumes it). */
const fields = (
  r: ProtoReader,
  end: number,
  on: (field: number, tag: number, at: number) => boolean,
): void => {
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    if (!on(tag >>> 3, tag, at)) r.skip(tag, end, at);
  }
};

/** `Gauge`, `Counter`, `Untyped`: field 1 is the value. */
const readValue = (r: ProtoReader, end: number, what: string): number => {
  let value = 0;
  fields(r, end, (f, tag, at) => {
    if (f !== 1) return false;
    value = readDouble(r, tag, end, `${what}.value`, at);
    return true;
  });
  return value;
};

const readLabelPair = (r: ProtoReader, end: number): Pair => {
  let name = '';
  let value = '';
  fields(r, end, (f, tag, at) => {
    if (f === 1) name = readString(r, tag, end, 'label name', at);
    else if (f === 2) value = readString(r, tag, end, 'label value', at);
    else return false;
    return true;
  });
  return { name, value };
};

const readQuantile = (r: ProtoReader, end: number): { quantile: number; value: number } => {
  const q = { quantile: 0, value: 0 };
  fields(r, end, (f, tag, at) => {
    if (f === 1) q.quantile = readDouble(r, tag, end, 'quantile.quantile', at);
    else if (f === 2) q.value = readDouble(r, tag, end, 'quantile.value', at);
    else return false;
    return true;
  });
  return q;
};

const readSummary = (r: ProtoReader, end: number): SummaryValue => {
  const s: SummaryValue = { count: 0, sum: 0, quantiles: [] };
  fields(r, end, (f, tag, at) => {
    if (f === 1) s.count = readUint64(r, tag, end, 'summary.sample_count', at);
    else if (f === 2) s.sum = readDouble(r, tag, end, 'summary.sample_sum', at);
    else if (f === 3) {
      const e = messageEnd(r, tag, end, 'summary.quantile', at);
      s.quantiles.push(readQuantile(r, e));
    } else return false;
    return true;
  });
  return s;
};

const readBucket = (r: ProtoReader, end: number): { upperBound: number; count: number } => {
  let count = 0;
  let countFloat = 0;
  let upperBound = 0;
  fields(r, end, (f, tag, at) => {
    if (f === 1) count = readUint64(r, tag, end, 'bucket.cumulative_count', at);
    else if (f === 4) countFloat = readDouble(r, tag, end, 'bucket.cumulative_count_float', at);
    else if (f === 2) upperBound = readDouble(r, tag, end, 'bucket.upper_bound', at);
    else return false;
    return true;
  });
  return { upperBound, count: countFloat > 0 ? countFloat : count };
};

/** Histogram fields 5 to 14: schema, zero bucket, spans, deltas and counts of a native histogram. */
const NATIVE_FIELDS_FIRST = 5;
const NATIVE_FIELDS_LAST = 14;

const readHistogram = (r: ProtoReader, end: number): HistogramValue => {
  let count = 0;
  let countFloat = 0;
  const h: HistogramValue = { count: 0, sum: 0, buckets: [], native: false };
  fields(r, end, (f, tag, at) => {
    if (f === 1) count = readUint64(r, tag, end, 'histogram.sample_count', at);
    else if (f === 4) countFloat = readDouble(r, tag, end, 'histogram.sample_count_float', at);
    else if (f === 2) h.sum = readDouble(r, tag, end, 'histogram.sample_sum', at);
    else if (f === 3) {
      const e = messageEnd(r, tag, end, 'histogram.bucket', at);
      h.buckets.push(readBucket(r, e));
    } else {
      if (f >= NATIVE_FIELDS_FIRST && f <= NATIVE_FIELDS_LAST) h.native = true;
      return false;
    }
    return true;
  });
  h.count = countFloat > 0 ? countFloat : count;
  return h;
};

const readMetric = (r: ProtoReader, end: number): MetricValue => {
  const m: MetricValue = { labels: [] };
  fields(r, end, (f, tag, at) => {
    if (f === 6) {
      r.expectWire(tag, WireType.Varint, 'metric.timestamp_ms', at);
      m.timestampMs = r.int64(end, 'timestamp_ms');
      return true;
    }
    if (f < 1 || f > 7) return false;
    const e = messageEnd(r, tag, end, `metric field ${f}`, at);
    if (f === 1) m.labels.push(readLabelPair(r, e));
    else if (f === 2) m.gauge = readValue(r, e, 'gauge');
    else if (f === 3) m.counter = readValue(r, e, 'counter');
    else if (f === 4) m.summary = readSummary(r, e);
    else if (f === 5) m.untyped = readValue(r, e, 'untyped');
    else m.histogram = readHistogram(r, e);
    r.pos = e;
    return true;
  });
  return m;
};

interface RawFamily {
  name: string;
  help?: string;
  type: number;
  metrics: MetricValue[];
}

const readFamily = (r: ProtoReader, end: number): RawFamily => {
  const mf: RawFamily = { name: '', type: 0, metrics: [] };
  fields(r, end, (f, tag, at) => {
    if (f === 1) mf.name = readString(r, tag, end, 'metric family name', at);
    else if (f === 2) mf.help = readString(r, tag, end, 'help', at);
    else if (f === 3) mf.type = readUint64(r, tag, end, 'metric family type', at);
    else if (f === 4) {
      const e = messageEnd(r, tag, end, 'metric', at);
      mf.metrics.push(readMetric(r, e));
      r.pos = e;
    } else return false;
    return true;
  });
  return mf;
};

const quoted = (s: string): string => JSON.stringify(s);

/** The labels of one metric as written, checked as client_golang's consistency check does. */
const metricLabels = (mf: RawFamily, m: MetricValue, reserved: string | undefined) => {
  const labels: Record<string, string> = {};
  for (const { name, value } of m.labels) {
    if (!LABEL_NAME_RE.test(name) || name === '__name__') {
      fail(`metric family ${quoted(mf.name)} has a metric with invalid label name ${quoted(name)}`);
    }
    if (name === reserved) {
      fail(
        `metric family ${quoted(mf.name)} has a metric with label ${quoted(name)}, which its type reserves`,
      );
    }
    if (Object.hasOwn(labels, name)) {
      fail(`metric family ${quoted(mf.name)} has a metric with two labels named ${quoted(name)}`);
    }
    Object.defineProperty(labels, name, { value, enumerable: true, writable: true });
  }
  return labels;
};

/** What expfmt's text writer prints for one metric of a family, as text-parser samples. */
const samplesOf = (mf: RawFamily, type: MetricType, m: MetricValue): ExpositionSample[] => {
  const name = mf.name;
  const ts = m.timestampMs === undefined ? {} : { timestampMs: m.timestampMs };
  const sample = (suffix: string, labels: Record<string, string>, value: number) => ({
    name: name + suffix,
    labels,
    value,
    ...ts,
  });
  const missing = (field: string): never =>
    fail(
      `metric family ${quoted(name)} of type ${DTO_TYPE_NAMES[mf.type]} has a metric without a ${field} value`,
    );
  if (type === 'counter' || type === 'gauge' || type === 'untyped') {
    const value = m[type];
    if (value === undefined) missing(type);
    return [sample('', metricLabels(mf, m, undefined), value as number)];
  }
  if (type === 'summary') {
    const s = m.summary ?? missing('summary');
    const labels = metricLabels(mf, m, 'quantile');
    return [
      ...s.quantiles.map((q) =>
        sample('', { ...labels, quantile: formatGoFloat(q.quantile) }, q.value),
      ),
      sample('_sum', labels, s.sum),
      sample('_count', labels, s.count),
    ];
  }
  const h = m.histogram ?? missing('histogram');
  if (h.native && h.buckets.length === 0) {
    fail(
      `metric family ${quoted(name)} is a native histogram (no classic buckets); Vigil stores classic histograms only: give the histogram classic buckets`,
    );
  }
  const labels = metricLabels(mf, m, 'le');
  const out = h.buckets.map((b) =>
    sample('_bucket', { ...labels, le: formatGoFloat(b.upperBound) }, b.count),
  );
  if (h.buckets.at(-1)?.upperBound !== Number.POSITIVE_INFINITY) {
    out.push(sample('_bucket', { ...labels, le: '+Inf' }, h.count));
  }
  out.push(sample('_sum', labels, h.sum), sample('_count', labels, h.count));
  return out;
};

const toFamily = (mf: RawFamily): MetricFamily | undefined => {
  if (mf.metrics.length === 0) return undefined;
  if (!METRIC_NAME_RE.test(mf.name)) fail(`invalid metric family name ${quoted(mf.name)}`);
  const typeName = DTO_TYPE_NAMES[mf.type];
  const type = DTO_TYPES[mf.type];
  if (type === undefined) {
    fail(
      typeName === 'GAUGE_HISTOGRAM'
        ? `metric family ${quoted(mf.name)} is a GAUGE_HISTOGRAM, which Vigil does not store`
        : `metric family ${quoted(mf.name)} has unknown type ${mf.type}`,
    );
  }
  return {
    name: mf.name,
    type: type as MetricType,
    ...(mf.help === undefined ? {} : { help: mf.help }),
    samples: mf.metrics.flatMap((m) => samplesOf(mf, type as MetricType, m)),
  };
};

/**
 * Decodes a delimited protobuf push body into metric families, as the Pushgateway reads one: a
 * family repeated later in the body replaces the earlier one, families without metrics are
 * dropped. Refused (400): malformed protobuf, invalid names or label values, a metric without the
 * value of its family's type, `GAUGE_HISTOGRAM`, and native histograms without classic buckets.
 * @throws ProtobufParseError (a BadRequestError) naming the family or the byte offset.
 * @example parseDelimitedProtobuf(bodyOfGoPushClient) // [{ name: 'jobs_total', type: 'counter', samples: [...] }]
 */
const parseDelimitedProtobuf = (body: Uint8Array): MetricFamily[] => {
  const r = new ProtoReader(body);
  const byName = new Map<string, RawFamily>();
  try {
    while (r.pos < body.length) {
      const end = r.delimited(body.length, 'metric family');
      const mf = readFamily(r, end);
      r.pos = end;
      byName.delete(mf.name);
      byName.set(mf.name, mf);
    }
  } catch (e) {
    if (e instanceof ProtobufParseError || !(e instanceof BadRequestError)) throw e;
    fail(e.message);
  }
  const out: MetricFamily[] = [];
  for (const mf of byName.values()) {
    const family = toFamily(mf);
    if (family !== undefined) out.push(family);
  }
  return out;
};

/**
 * Whether a `Content-Type` names the delimited protobuf format exactly as the Pushgateway checks
 * it (`mime.ParseMediaType`: media type and parameter names case-insensitive, values exact).
 * @returns `'delimited'`, `'other-protobuf'` for the media type with other parameters, or `'text'`.
 */
const protobufContentType = (contentType: string): 'delimited' | 'other-protobuf' | 'text' => {
  const [mediaType = '', ...params] = contentType.split(';');
  if (mediaType.trim().toLowerCase() !== PROTOBUF_DELIMITED_MEDIA_TYPE) return 'text';
  const p = new Map<string, string>();
  for (const param of params) {
    const at = param.indexOf('=');
    if (at === -1) continue;
    const value = param
      .slice(at + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    p.set(param.slice(0, at).trim().toLowerCase(), value);
  }
  return p.get('proto') === PROTOBUF_DELIMITED_PROTO &&
    p.get('encoding') === PROTOBUF_DELIMITED_ENCODING
    ? 'delimited'
    : 'other-protobuf';
};

export { ProtobufParseError, parseDelimitedProtobuf, protobufContentType };
