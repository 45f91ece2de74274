/**
 * Decoder for Prometheus remote_write 1.0 request bodies: a snappy block holding a protobuf
 * `prometheus.WriteRequest`. One pass over the bytes; labels come out normalized (sorted, empty
 * values dropped, `__name__` included) and sample values bit-exact (stale markers kept).
 * @see https://prometheus.io/docs/specs/prw/remote_write_spec/
 * @see https://github.com/prometheus/prometheus/blob/main/prompb/remote.proto
 * @see https://github.com/prometheus/prometheus/blob/main/prompb/types.proto
 * @see https://github.com/prometheus/prometheus/blob/main/storage/remote/write_handler.go
 */
import { internNormalLabels } from '../series/interned-labels';
import { LABEL_NAME_RE, type Labels, METRIC_NAME_LABEL, METRIC_NAME_RE } from '../series/labels';
import type { Sample, Series } from '../series/sample';
import { RemoteWriteDecodeError, RemoteWriteDecodeErrorKind } from './errors';
import { hashBytes, type RemoteWriteLabelCache } from './label-cache';
import { ProtoReader, WireType } from './proto-reader';
import { snappyDecompress } from './snappy';

/** Metric types of `MetricMetadata.type`, in enum order (prompb/types.proto, `MetricType`). */
const METRIC_TYPES = [
  'unknown',
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
] as const;
/** A metric type as Prometheus names it (`model.MetricType`). */
export type RemoteWriteMetricType = (typeof METRIC_TYPES)[number];

/** `prometheus.MetricMetadata`: sent by Prometheus alongside samples (experimental in spec 1.0). */
export interface RemoteWriteMetadata {
  readonly metricFamilyName: string;
  readonly type: RemoteWriteMetricType;
  readonly help: string;
  readonly unit: string;
}

/** A decoded `prometheus.WriteRequest`. Series keep the request's order; samples theirs. */
export interface RemoteWriteRequest {
  readonly series: Series[];
  readonly metadata: RemoteWriteMetadata[];
}

/** Limits applied while decoding. */
export interface RemoteWriteDecodeOptions {
  /** Largest decompressed body, bytes (`IngestLimits.maxDecompressedBytes`), checked before allocating. */
  readonly maxDecompressedBytes: number;
  /** Most samples accepted in one request; decoding stops as soon as there are more. @default Infinity */
  readonly maxSamples?: number;
  /** Labels decoded by earlier requests, reused when a series' label bytes repeat. */
  readonly labelCache?: RemoteWriteLabelCache;
}

/** Field numbers of the remote_write 1.0 messages (remote.proto, types.proto). */
const Field = {
  WriteRequestTimeseries: 1,
  WriteRequestMetadata: 3,
  TimeSeriesLabels: 1,
  TimeSeriesSamples: 2,
  TimeSeriesHistograms: 4,
  LabelName: 1,
  LabelValue: 2,
  SampleValue: 1,
  SampleTimestamp: 2,
  MetadataType: 1,
  MetadataFamilyName: 2,
  MetadataHelp: 4,
  MetadataUnit: 5,
} as const;

/** Label values longer than this are cut in error messages. */
const MESSAGE_VALUE_MAX_CHARS = 64;

/** Labels as Prometheus prints them (`{__name__="up", job="api"}`), in the order they arrived. */
const formatLabels = (names: readonly string[], values: readonly string[]): string => {
  const parts = names.map((n, i) => {
    const v = values[i] ?? '';
    const shown =
      v.length > MESSAGE_VALUE_MAX_CHARS ? `${v.slice(0, MESSAGE_VALUE_MAX_CHARS)}…` : v;
    return `${n}=${JSON.stringify(shown)}`;
  });
  return `{${parts.join(', ')}}`;
};

/** Per-request decoding state, shared by the message readers below. */
interface DecodeState {
  readonly r: ProtoReader;
  readonly maxSamples: number;
  readonly cache: RemoteWriteLabelCache | undefined;
  samples: number;
}

/** Tag of `TimeSeries.labels` (field 1, length-delimited) in its one-byte encoding. */
const LABELS_TAG_BYTE = (Field.TimeSeriesLabels << 3) | WireType.LengthDelimited;

/**
 * End of the run of `TimeSeries.labels` fields starting at `pos` (senders put every label first),
 * `pos` when there is none, -1 when a length is malformed (the full decoder reports it).
 */
const leadingLabelsEnd = (buf: Uint8Array, pos: number, end: number): number => {
  while (pos < end && buf[pos] === LABELS_TAG_BYTE) {
    let len = 0;
    let scale = 1;
    let i = pos + 1;
    for (;;) {
      if (i >= end || i > pos + 5) return -1;
      const b = buf[i++] as number;
      len += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 128;
    }
    if (len > end - i) return -1;
    pos = i + len;
  }
  return pos;
};

const readLabel = (
  s: DecodeState,
  end: number,
  names: string[],
  values: string[],
  labelAt: number,
): void => {
  const r = s.r;
  let nameStart = 0;
  let nameEnd = 0;
  let valueStart = 0;
  let valueEnd = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case Field.LabelName:
        r.expectWire(tag, WireType.LengthDelimited, 'Label.name', at);
        nameEnd = r.delimited(end, 'Label.name');
        nameStart = r.pos;
        r.pos = nameEnd;
        break;
      case Field.LabelValue:
        r.expectWire(tag, WireType.LengthDelimited, 'Label.value', at);
        valueEnd = r.delimited(end, 'Label.value');
        valueStart = r.pos;
        r.pos = valueEnd;
        break;
      default:
        r.skip(tag, end, at);
    }
  }
  const name = r.string(nameStart, nameEnd, true);
  const value = r.string(valueStart, valueEnd, true);
  if (name === undefined || value === undefined) {
    const what = name === undefined ? 'label name' : `value of label ${JSON.stringify(name)}`;
    throw new RemoteWriteDecodeError(
      RemoteWriteDecodeErrorKind.InvalidLabels,
      `series ${r.seriesIndex}: ${what} is not valid UTF-8 (byte ${labelAt})`,
      { offset: labelAt, seriesIndex: r.seriesIndex },
    );
  }
  names.push(name);
  values.push(value);
};

const readSample = (s: DecodeState, end: number, samples: Sample[]): void => {
  const r = s.r;
  let v = 0;
  let t = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case Field.SampleValue:
        r.expectWire(tag, WireType.Fixed64, 'Sample.value', at);
        v = r.double(end);
        break;
      case Field.SampleTimestamp:
        r.expectWire(tag, WireType.Varint, 'Sample.timestamp', at);
        t = r.int64(end, 'Sample.timestamp');
        break;
      default:
        r.skip(tag, end, at);
    }
  }
  if (++s.samples > s.maxSamples) {
    throw new RemoteWriteDecodeError(
      RemoteWriteDecodeErrorKind.TooLarge,
      `request holds more than the limit of ${s.maxSamples} samples`,
      { seriesIndex: r.seriesIndex },
    );
  }
  samples.push({ t, v });
};

const invalidLabels = (
  index: number,
  names: readonly string[],
  values: readonly string[],
  what: string,
): RemoteWriteDecodeError =>
  new RemoteWriteDecodeError(
    RemoteWriteDecodeErrorKind.InvalidLabels,
    `series ${index} ${formatLabels(names, values)}: ${what}`,
    { seriesIndex: index },
  );

/**
 * Validates a series' labels as Prometheus's write handler does (no `__name__`, invalid or repeated
 * names are rejected; spec 1.0 "Labels" gives the name regexes) and returns them normalized.
 */
const toLabels = (index: number, names: string[], values: string[]): Labels => {
  // Senders MUST sort label names (spec 1.0 "Labels"), so sorting is usually skipped.
  let sorted = true;
  for (let i = 1; i < names.length && sorted; i++)
    sorted = (names[i - 1] as string) <= (names[i] as string);
  let order: number[] | undefined;
  if (!sorted) {
    order = names.map((_, i) => i);
    order.sort((a, b) => {
      const na = names[a] as string;
      const nb = names[b] as string;
      return na < nb ? -1 : na > nb ? 1 : 0;
    });
  }
  const labels: Record<string, string> = {};
  let previous: string | undefined;
  for (let k = 0; k < names.length; k++) {
    const i = order ? (order[k] as number) : k;
    const name = names[i] as string;
    const value = values[i] as string;
    if (name === '') throw invalidLabels(index, names, values, 'empty label name');
    if (!LABEL_NAME_RE.test(name)) {
      throw invalidLabels(index, names, values, `invalid label name ${JSON.stringify(name)}`);
    }
    if (name === previous) {
      throw invalidLabels(index, names, values, `duplicate label name ${JSON.stringify(name)}`);
    }
    previous = name;
    if (value !== '') labels[name] = value;
  }
  const metric = labels[METRIC_NAME_LABEL];
  if (metric === undefined) throw invalidLabels(index, names, values, 'no __name__ label');
  if (!METRIC_NAME_RE.test(metric)) {
    throw invalidLabels(index, names, values, `invalid metric name ${JSON.stringify(metric)}`);
  }
  return labels;
};

/**
 * The rest of a series whose leading label bytes were found in the cache: its samples, or
 * undefined when it holds something the cached labels do not account for (a label field after
 * the samples, native histograms), for the full decoder to handle.
 */
const readCachedSeriesRest = (s: DecodeState, end: number): Sample[] | undefined => {
  const r = s.r;
  const samples: Sample[] = [];
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case Field.TimeSeriesSamples: {
        r.expectWire(tag, WireType.LengthDelimited, 'TimeSeries.samples', at);
        const sampleEnd = r.delimited(end, 'TimeSeries.samples');
        readSample(s, sampleEnd, samples);
        break;
      }
      case Field.TimeSeriesLabels:
      case Field.TimeSeriesHistograms:
        return undefined;
      default:
        r.skip(tag, end, at);
    }
  }
  return samples;
};

const readTimeSeries = (s: DecodeState, end: number, index: number): Series => {
  const r = s.r;
  r.seriesIndex = index;
  const cache = s.cache;
  const start = r.pos;
  let labelsEnd = -1;
  let hash = 0;
  if (cache) {
    labelsEnd = leadingLabelsEnd(r.buf, start, end);
    if (labelsEnd > start) {
      hash = hashBytes(r.view, start, labelsEnd);
      const labels = cache.get(r.buf, start, labelsEnd, hash);
      if (labels) {
        const counted = s.samples;
        r.pos = labelsEnd;
        const samples = readCachedSeriesRest(s, end);
        if (samples) {
          r.seriesIndex = -1;
          return { labels, samples };
        }
        r.pos = start;
        s.samples = counted;
      }
    }
  }
  let lastLabelEnd = -1;
  const names: string[] = [];
  const values: string[] = [];
  const samples: Sample[] = [];
  let histograms = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case Field.TimeSeriesLabels: {
        r.expectWire(tag, WireType.LengthDelimited, 'TimeSeries.labels', at);
        const labelEnd = r.delimited(end, 'TimeSeries.labels');
        readLabel(s, labelEnd, names, values, at);
        lastLabelEnd = labelEnd;
        break;
      }
      case Field.TimeSeriesSamples: {
        r.expectWire(tag, WireType.LengthDelimited, 'TimeSeries.samples', at);
        const sampleEnd = r.delimited(end, 'TimeSeries.samples');
        readSample(s, sampleEnd, samples);
        break;
      }
      case Field.TimeSeriesHistograms:
        // Counted, not decoded: the series is refused once its labels are known.
        r.skip(tag, end, at);
        histograms++;
        break;
      default:
        // Exemplars (field 3) and fields from newer senders are skipped.
        r.skip(tag, end, at);
    }
  }
  r.seriesIndex = -1;
  if (histograms > 0) {
    throw new RemoteWriteDecodeError(
      RemoteWriteDecodeErrorKind.Unsupported,
      `native histograms are not supported (series ${index}: ${formatLabels(names, values)})`,
      { seriesIndex: index },
    );
  }
  const labels = toLabels(index, names, values);
  // Cached only when every label was in the leading run, so the run alone decodes to them.
  if (cache && labelsEnd > start && lastLabelEnd === labelsEnd) {
    cache.set(r.buf, start, labelsEnd, hash, labels);
    internNormalLabels(labels);
  }
  return { labels, samples };
};

const readMetadata = (s: DecodeState, end: number): RemoteWriteMetadata => {
  const r = s.r;
  let type: RemoteWriteMetricType = 'unknown';
  let metricFamilyName = '';
  let help = '';
  let unit = '';
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    const field = tag >>> 3;
    if (field === Field.MetadataType) {
      r.expectWire(tag, WireType.Varint, 'MetricMetadata.type', at);
      type = METRIC_TYPES[r.varint(end)] ?? 'unknown';
    } else if (
      field === Field.MetadataFamilyName ||
      field === Field.MetadataHelp ||
      field === Field.MetadataUnit
    ) {
      r.expectWire(tag, WireType.LengthDelimited, `MetricMetadata field ${field}`, at);
      const stop = r.delimited(end, `MetricMetadata field ${field}`);
      const text = r.string(r.pos, stop, false) ?? '';
      r.pos = stop;
      if (field === Field.MetadataFamilyName) metricFamilyName = text;
      else if (field === Field.MetadataHelp) help = text;
      else unit = text;
    } else {
      r.skip(tag, end, at);
    }
  }
  return { metricFamilyName, type, help, unit };
};

/**
 * Decodes an uncompressed protobuf `prometheus.WriteRequest`.
 * Unknown fields are skipped, exemplars ignored; series with native histograms are refused.
 * @param proto the decompressed request bytes.
 * @param maxSamples most samples accepted before failing with `too_large`.
 * @param labelCache labels decoded by earlier requests (same answers, less work for repeats).
 * @throws RemoteWriteDecodeError kinds `protobuf`, `unsupported`, `invalid_labels`, `too_large`.
 */
const decodeWriteRequestProto = (
  proto: Uint8Array,
  maxSamples: number = Number.POSITIVE_INFINITY,
  labelCache?: RemoteWriteLabelCache,
): RemoteWriteRequest => {
  const r = new ProtoReader(proto);
  const s: DecodeState = { r, maxSamples, cache: labelCache, samples: 0 };
  const end = proto.length;
  const series: Series[] = [];
  const metadata: RemoteWriteMetadata[] = [];
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case Field.WriteRequestTimeseries: {
        r.expectWire(tag, WireType.LengthDelimited, 'WriteRequest.timeseries', at);
        const seriesEnd = r.delimited(end, 'WriteRequest.timeseries');
        series.push(readTimeSeries(s, seriesEnd, series.length));
        break;
      }
      case Field.WriteRequestMetadata: {
        r.expectWire(tag, WireType.LengthDelimited, 'WriteRequest.metadata', at);
        const metadataEnd = r.delimited(end, 'WriteRequest.metadata');
        metadata.push(readMetadata(s, metadataEnd));
        break;
      }
      default:
        r.skip(tag, end, at);
    }
  }
  return { series, metadata };
};

/**
 * Decodes a remote_write 1.0 request body (snappy block + protobuf `WriteRequest`).
 * The snappy preamble is checked against `maxDecompressedBytes` before anything is allocated.
 * @param body the raw HTTP body.
 * @param opts limits; see {@link RemoteWriteDecodeOptions}.
 * @throws RemoteWriteDecodeError (and nothing else) when the body cannot be accepted.
 * @example
 * const { series } = decodeWriteRequest(body, { maxDecompressedBytes: 32 * 1024 * 1024 });
 * // series[0].labels → { __name__: 'up', job: 'api' }; series[0].samples → [{ t: 1700000000000, v: 1 }]
 */
const decodeWriteRequest = (
  body: Uint8Array,
  opts: RemoteWriteDecodeOptions,
): RemoteWriteRequest => {
  const proto = snappyDecompress(body, opts.maxDecompressedBytes);
  return decodeWriteRequestProto(proto, opts.maxSamples, opts.labelCache);
};

export { decodeWriteRequest, decodeWriteRequestProto, formatLabels, METRIC_TYPES };
