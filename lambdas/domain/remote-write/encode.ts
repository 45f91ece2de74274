/**
 * Encoder for remote_write 1.0 requests (what the AMP store sends, `AmpRemoteWriteWriter`; tests
 * and benchmarks use it as a client): a protobuf `prometheus.WriteRequest` written as Prometheus's
 * gogoproto code writes it (fields in number order, proto3 defaults omitted), and snappy block
 * compression.
 * @see https://github.com/prometheus/prometheus/blob/main/prompb/remote.proto
 * @see https://protobuf.dev/programming-guides/encoding/
 */
import { compress } from 'snappyjs';
import type { Labels } from '../series/labels';
import type { Sample } from '../series/sample';
import type { RemoteWriteMetadata } from './decode';
import { METRIC_TYPES } from './decode';
import { lenField, ProtoWriter, utf8, varintSize } from './proto-writer';

/** A series to encode: labels in any order (written sorted, empty values left out). */
export interface RemoteWriteSeriesInput {
  readonly labels: Labels;
  readonly samples: readonly Sample[];
}

/** int64 as the unsigned varint of its two's complement (negative values take 10 bytes). */
const int64Varint = (t: number): number | bigint => (t >= 0 ? t : BigInt.asUintN(64, BigInt(t)));

const bigVarintSize = (n: bigint): number => {
  let size = 1;
  for (let x = n; x >= 0x80n; x >>= 7n) size++;
  return size;
};

const writeBigVarint = (w: ProtoWriter, n: bigint): void => {
  let x = n;
  while (x >= 0x80n) {
    w.buf[w.pos++] = Number(x & 0x7fn) | 0x80;
    x >>= 7n;
  }
  w.buf[w.pos++] = Number(x);
};

interface PreparedSeries {
  readonly labels: [Uint8Array, Uint8Array][];
  readonly samples: readonly Sample[];
  readonly sampleSizes: number[];
  readonly size: number;
}

const sampleSize = (s: Sample): number => {
  let size = Object.is(s.v, 0) ? 0 : 9;
  if (s.t !== 0) {
    const t = int64Varint(s.t);
    size += 1 + (typeof t === 'bigint' ? bigVarintSize(t) : varintSize(t));
  }
  return size;
};

const labelSize = ([name, value]: [Uint8Array, Uint8Array]): number =>
  (name.length > 0 ? lenField(name.length) : 0) + (value.length > 0 ? lenField(value.length) : 0);

const prepareSeries = (series: RemoteWriteSeriesInput): PreparedSeries => {
  const labels = Object.keys(series.labels)
    .filter((n) => series.labels[n] !== '')
    .sort()
    .map((n): [Uint8Array, Uint8Array] => [utf8.encode(n), utf8.encode(series.labels[n] ?? '')]);
  const sampleSizes = series.samples.map(sampleSize);
  let size = 0;
  for (const l of labels) size += lenField(labelSize(l));
  for (const s of sampleSizes) size += lenField(s);
  return { labels, samples: series.samples, sampleSizes, size };
};

const prepareMetadata = (
  m: RemoteWriteMetadata,
): { fields: [number, Uint8Array][]; type: number; size: number } => {
  const type = Math.max(0, METRIC_TYPES.indexOf(m.type));
  const fields: [number, Uint8Array][] = [
    [2, utf8.encode(m.metricFamilyName)],
    [4, utf8.encode(m.help)],
    [5, utf8.encode(m.unit)],
  ];
  let size = type !== 0 ? 1 + varintSize(type) : 0;
  for (const [, b] of fields) if (b.length > 0) size += lenField(b.length);
  return { fields, type, size };
};

/**
 * Encodes series (and optional metadata) as a protobuf `prometheus.WriteRequest`, uncompressed.
 * @param series series with their samples; labels are sorted and empty values omitted.
 * @param metadata optional `MetricMetadata` entries (field 3).
 * @example
 * const proto = encodeWriteRequest([{ labels: { __name__: 'up' }, samples: [{ t: 1000, v: 1 }] }]);
 */
const encodeWriteRequest = (
  series: readonly RemoteWriteSeriesInput[],
  metadata: readonly RemoteWriteMetadata[] = [],
): Uint8Array => {
  const prepared = series.map(prepareSeries);
  const meta = metadata.map(prepareMetadata);
  let size = 0;
  for (const p of prepared) size += lenField(p.size);
  for (const m of meta) size += lenField(m.size);
  const w = new ProtoWriter(size);
  for (const p of prepared) {
    w.buf[w.pos++] = 0x0a; // WriteRequest.timeseries = 1, length-delimited
    w.varint(p.size);
    for (const label of p.labels) {
      w.buf[w.pos++] = 0x0a; // TimeSeries.labels = 1
      w.varint(labelSize(label));
      if (label[0].length > 0) w.bytes(0x0a, label[0]); // Label.name = 1
      if (label[1].length > 0) w.bytes(0x12, label[1]); // Label.value = 2
    }
    p.samples.forEach((s, i) => {
      w.buf[w.pos++] = 0x12; // TimeSeries.samples = 2
      w.varint(p.sampleSizes[i] as number);
      if (!Object.is(s.v, 0)) {
        w.buf[w.pos++] = 0x09; // Sample.value = 1, fixed64
        w.view.setFloat64(w.pos, s.v, true);
        w.pos += 8;
      }
      if (s.t !== 0) {
        w.buf[w.pos++] = 0x10; // Sample.timestamp = 2, varint
        const t = int64Varint(s.t);
        if (typeof t === 'bigint') writeBigVarint(w, t);
        else w.varint(t);
      }
    });
  }
  for (const m of meta) {
    w.buf[w.pos++] = 0x1a; // WriteRequest.metadata = 3
    w.varint(m.size);
    if (m.type !== 0) {
      w.buf[w.pos++] = 0x08; // MetricMetadata.type = 1
      w.varint(m.type);
    }
    for (const [field, b] of m.fields) if (b.length > 0) w.bytes((field << 3) | 2, b);
  }
  return w.buf;
};

/**
 * Compresses with snappy's block format (what remote_write requires), using snappyjs.
 * @example
 * const body = snappyCompress(encodeWriteRequest(series));
 */
const snappyCompress = (data: Uint8Array): Uint8Array => compress(data);

export { encodeWriteRequest, snappyCompress };
