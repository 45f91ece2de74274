import {
  decodeWriteRequest,
  decodeWriteRequestProto,
  encodeWriteRequest,
  RemoteWriteDecodeError,
  snappyCompress,
} from '../../../../lambdas/domain/remote-write';
import { isStaleNaN, STALE_NAN } from '../../../../lambdas/domain/series/sample';
import { buildRemoteWriteBody } from '../../../helpers/remote-write-client';
import {
  bitsOf,
  bytes,
  f64Bits,
  fromBits,
  int64,
  label,
  ld,
  sample,
  snappyLiterals,
  str,
  timeSeries,
  varint,
} from './wire';

const OPTS = { maxDecompressedBytes: 32 * 1024 * 1024 };

const decodeError = (fn: () => unknown): RemoteWriteDecodeError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof RemoteWriteDecodeError) return e;
    throw e;
  }
  throw new Error('expected a RemoteWriteDecodeError');
};

describe('Function: decodeWriteRequest', () => {
  describe('wire format', () => {
    it('decodes a hand-assembled WriteRequest pinned as hex', () => {
      // Prepare: WriteRequest { timeseries: [{ labels: [__name__="up", job="api"],
      //   samples: [{ value: 1, timestamp: 1000 }] }] }, byte by byte:
      //   Label __name__="up": 0a 08 "__name__" 12 02 "up"            = 14 bytes
      //   Label job="api":     0a 03 "job" 12 03 "api"                = 10 bytes
      //   Sample:              09 <1.0 LE: 00..f0 3f> 10 e8 07        = 12 bytes (1000 = 0x3e8)
      //   TimeSeries: 0a 0e <14> 0a 0a <10> 12 0c <12>                = 42 bytes
      //   WriteRequest: 0a 2a <42>                                    = 44 bytes
      // Snappy block: preamble 2c (44), one literal tag (44-1)<<2 = ac, the 44 bytes.
      const body = Buffer.from(
        '2cac' +
          '0a2a' +
          '0a0e0a085f5f6e616d655f5f12027570' +
          '0a0a0a036a6f621203617069' +
          '120c09000000000000f03f10e807',
        'hex',
      );

      // Act
      const request = decodeWriteRequest(new Uint8Array(body), OPTS);

      // Assess
      expect(body).toHaveLength(46);
      expect(request).toEqual({
        series: [{ labels: { __name__: 'up', job: 'api' }, samples: [{ t: 1000, v: 1 }] }],
        metadata: [],
      });
    });

    it('decodes a Node Buffer body (a view into a larger ArrayBuffer)', () => {
      // Prepare
      const proto = bytes(timeSeries(label('__name__', 'up'), sample(2, 5)));
      const pooled = Buffer.concat([Buffer.from('junk'), Buffer.from(snappyLiterals(proto))]);
      const body = pooled.subarray(4);

      // Act
      const request = decodeWriteRequest(body, OPTS);

      // Assess
      expect(request.series[0]?.samples).toEqual([{ t: 5, v: 2 }]);
    });

    it('decodes an empty WriteRequest (what a sender probes with)', () => {
      // Act
      const request = decodeWriteRequest(bytes(0x00), OPTS);

      // Assess
      expect(request).toEqual({ series: [], metadata: [] });
    });

    it('reads proto3 defaults: a sample without fields is value 0 at time 0', () => {
      // Prepare
      const proto = bytes(timeSeries(label('__name__', 'up'), ld(2)));

      // Act
      const request = decodeWriteRequestProto(proto);

      // Assess
      expect(request.series[0]?.samples).toEqual([{ t: 0, v: 0 }]);
    });

    it('reads negative and ±(2^53-1) timestamps', () => {
      // Prepare
      const proto = bytes(
        timeSeries(
          label('__name__', 'up'),
          sample(1, -1),
          sample(2, Number.MAX_SAFE_INTEGER),
          sample(3, -Number.MAX_SAFE_INTEGER),
          sample(4, 1_700_000_000_123),
        ),
      );

      // Act
      const request = decodeWriteRequestProto(proto);

      // Assess
      expect(request.series[0]?.samples.map((s) => s.t)).toEqual([
        -1,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        1_700_000_000_123,
      ]);
    });

    it('normalizes labels: sorted, empty values dropped', () => {
      // Prepare
      const proto = bytes(
        timeSeries(
          label('zone', 'eu'),
          label('env', ''),
          label('__name__', 'up'),
          label('instance', 'a:9090'),
        ),
      );

      // Act
      const labels = decodeWriteRequestProto(proto).series[0]?.labels ?? {};

      // Assess
      expect(Object.entries(labels)).toEqual([
        ['__name__', 'up'],
        ['instance', 'a:9090'],
        ['zone', 'eu'],
      ]);
    });

    it('keeps non-ASCII label values', () => {
      // Prepare
      const value = `modèle-${'é'.repeat(40)}-🚀`;
      const proto = bytes(timeSeries(label('__name__', 'up'), label('model', value)));

      // Act
      const labels = decodeWriteRequestProto(proto).series[0]?.labels;

      // Assess
      expect(labels).toEqual({ __name__: 'up', model: value });
    });

    it('skips exemplars, reserved field 2 and unknown fields of every wire type', () => {
      // Prepare: unknown fields 15 (varint), 14 (fixed64), 13 (length-delimited), 12 (fixed32),
      // 11 (a group holding a varint), in every message
      const unknown = bytes(
        [0x78, 0x96, 0x01],
        [0x71, 1, 2, 3, 4, 5, 6, 7, 8],
        ld(13, str('x')),
        [0x65, 1, 2, 3, 4],
        [0x5b, 0x08, 0x01, 0x5c],
      );
      const proto = bytes(
        ld(2, str('cortex source')),
        unknown,
        timeSeries(
          ld(1, ld(1, str('__name__')), unknown, ld(2, str('up'))),
          ld(2, 0x09, f64Bits(0x4000000000000000n), unknown, 0x10, varint(7)),
          ld(3, label('trace_id', 'abc'), 0x11, f64Bits(0n)),
          unknown,
        ),
      );

      // Act
      const request = decodeWriteRequestProto(proto);

      // Assess
      expect(request.series).toEqual([{ labels: { __name__: 'up' }, samples: [{ t: 7, v: 2 }] }]);
    });

    it('decodes metric metadata', () => {
      // Prepare: MetricMetadata { type = 1 (COUNTER), metric_family_name = 2, help = 4, unit = 5 }
      const proto = bytes(
        ld(
          3,
          [0x08, 0x01],
          ld(2, str('http_requests_total')),
          ld(4, str('Requests.')),
          ld(5, str('')),
        ),
        ld(3, [0x08, 0x63], ld(2, str('odd'))),
        ld(3, ld(2, str('plain')), [0x30, 0x01]),
      );

      // Act
      const request = decodeWriteRequestProto(proto);

      // Assess
      expect(request.metadata).toEqual([
        { metricFamilyName: 'http_requests_total', type: 'counter', help: 'Requests.', unit: '' },
        { metricFamilyName: 'odd', type: 'unknown', help: '', unit: '' },
        { metricFamilyName: 'plain', type: 'unknown', help: '', unit: '' },
      ]);
    });

    it('decodes a realistic compressed payload of 200 series', () => {
      // Prepare
      const input = Array.from({ length: 200 }, (_, i) => ({
        labels: {
          __name__: i % 2 ? 'http_requests_total' : 'model_inference_seconds_bucket',
          instance: `10.0.${i % 7}.${i}:8080`,
          job: 'inference',
          le: i % 2 ? '' : String(0.005 * 2 ** (i % 10)),
          model: `resnet-${i % 5}`,
        },
        samples: Array.from({ length: 5 }, (_, k) => ({
          t: 1_700_000_000_000 + k * 15_000,
          v: i * 10 + k,
        })),
      }));
      const body = buildRemoteWriteBody(input);

      // Act
      const request = decodeWriteRequest(body, OPTS);

      // Assess
      expect(body.length).toBeLessThan(encodeWriteRequest(input).length / 2);
      expect(request.series).toHaveLength(200);
      expect(request.series[1]).toEqual({
        labels: {
          __name__: 'http_requests_total',
          instance: '10.0.1.1:8080',
          job: 'inference',
          model: 'resnet-1',
        },
        samples: input[1]?.samples,
      });
      expect(request.series[0]?.labels.le).toBe('0.005');
    });
    it('returns the right strings when thousands of distinct values share the intern table', () => {
      // Prepare: 10 000 distinct values for 4096 intern slots, plus repeats and non-ASCII
      const input = Array.from({ length: 10_000 }, (_, i) => ({
        labels: { __name__: 'm', pod: `pod-${i}`, zone: i % 3 ? 'eu' : 'ü', job: `j${i % 9}` },
        samples: [],
      }));

      // Act
      const request = decodeWriteRequest(buildRemoteWriteBody(input), OPTS);

      // Assess
      expect(request.series.map((s) => s.labels)).toEqual(
        input.map((s) => ({
          __name__: 'm',
          job: s.labels.job,
          pod: s.labels.pod,
          zone: s.labels.zone,
        })),
      );
    });
  });

  describe('special float values', () => {
    it.each([
      ['a stale marker', 0x7ff0000000000002n],
      ['the default NaN', 0x7ff8000000000000n],
      ['a NaN with another payload', 0x7ff8000000000001n],
      ['a negative NaN', 0xfff8000000000000n],
      ['+Inf', 0x7ff0000000000000n],
      ['-Inf', 0xfff0000000000000n],
      ['-0', 0x8000000000000000n],
      ['the smallest subnormal', 0x0000000000000001n],
    ])('keeps %s bit-exact', (_name, bits) => {
      // Prepare
      const proto = bytes(
        timeSeries(label('__name__', 'up'), ld(2, 0x09, f64Bits(bits), 0x10, varint(1))),
      );

      // Act
      const v = decodeWriteRequestProto(proto).series[0]?.samples[0]?.v as number;

      // Assess
      expect(bitsOf(v)).toBe(bits);
    });

    it('decodes a stale marker that isStaleNaN recognizes, and a plain NaN that it does not', () => {
      // Prepare
      const body = buildRemoteWriteBody([
        {
          labels: { __name__: 'up' },
          samples: [
            { t: 1, v: STALE_NAN },
            { t: 2, v: Number.NaN },
            { t: 3, v: fromBits(0x7ff0000000000002n) },
          ],
        },
      ]);

      // Act
      const samples = decodeWriteRequest(body, OPTS).series[0]?.samples ?? [];

      // Assess
      expect(samples.map((s) => isStaleNaN(s.v))).toEqual([true, false, true]);
    });
  });

  describe('errors', () => {
    const up = label('__name__', 'up');
    it.each([
      [
        'a truncated series',
        bytes(0x0a, 0x05, 0x0a, 0x00),
        'protobuf',
        'invalid protobuf at byte 1: WriteRequest.timeseries length 5 runs past the end of its message at byte 4',
      ],
      [
        'a wrong wire type for a known field',
        bytes(0x08, 0x01),
        'protobuf',
        'invalid protobuf at byte 0: wrong wire type varint for WriteRequest.timeseries',
      ],
      [
        'field number 0',
        bytes(0x00),
        'protobuf',
        'invalid protobuf at byte 0: invalid field number 0',
      ],
      ['wire type 7', bytes(0x17), 'protobuf', 'invalid protobuf at byte 0: invalid wire type 7'],
      [
        'an unexpected end-group',
        bytes(0x14),
        'protobuf',
        'invalid protobuf at byte 0: unexpected end-group',
      ],
      [
        'an unterminated group',
        bytes(0x13, 0x08, 0x01),
        'protobuf',
        'invalid protobuf at byte 0: unterminated group 2',
      ],
      [
        'a mismatched end-group',
        bytes(0x13, 0x1c),
        'protobuf',
        'invalid protobuf at byte 1: mismatched end-group',
      ],
      [
        'a tag above 2^32',
        bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
        'protobuf',
        'invalid protobuf at byte 0: invalid tag 34359738368',
      ],
      [
        'a varint longer than 10 bytes',
        bytes(0x78, new Uint8Array(10).fill(0xff), 0x01),
        'protobuf',
        'invalid protobuf at byte 1: varint longer than 10 bytes',
      ],
      [
        'groups nested 33 deep',
        bytes(new Uint8Array(33).fill(0x13)),
        'protobuf',
        'invalid protobuf at byte 32: groups nested too deeply',
      ],
      [
        'a timestamp varint cut after 4 bytes',
        bytes(timeSeries(up, ld(2, 0x10, 0x80, 0x80, 0x80, 0x80))),
        'protobuf',
        'invalid protobuf at byte 21 in series 0: truncated varint',
      ],
      [
        'a timestamp varint cut after 6 bytes',
        bytes(timeSeries(up, ld(2, 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80))),
        'protobuf',
        'invalid protobuf at byte 21 in series 0: truncated varint',
      ],
      [
        'a truncated fixed64 unknown field',
        bytes(0x71, 1, 2, 3),
        'protobuf',
        'invalid protobuf at byte 0: truncated fixed64 field',
      ],
      [
        'a truncated fixed32 unknown field',
        bytes(0x65, 1, 2, 3),
        'protobuf',
        'invalid protobuf at byte 0: truncated fixed32 field',
      ],
      [
        'a truncated timestamp varint in series 0',
        bytes(timeSeries(up, ld(2, 0x10, 0x80))),
        'protobuf',
        'invalid protobuf at byte 21 in series 0: truncated varint',
      ],
      [
        'a truncated double in series 0',
        bytes(timeSeries(up, ld(2, 0x09, 1, 2, 3))),
        'protobuf',
        'invalid protobuf at byte 21 in series 0: truncated double',
      ],
      [
        'a timestamp of 2^53',
        bytes(timeSeries(up, ld(2, 0x10, int64(2n ** 53n)))),
        'protobuf',
        'invalid protobuf at byte 21 in series 0: Sample.timestamp does not fit in a float64 integer (beyond ±2^53)',
      ],
      [
        'a timestamp of -2^63',
        bytes(timeSeries(up, ld(2, 0x10, int64(-(2n ** 63n))))),
        'protobuf',
        'invalid protobuf at byte 21 in series 0: Sample.timestamp does not fit in a float64 integer (beyond ±2^53)',
      ],
      [
        'a timestamp varint of 11 bytes',
        bytes(timeSeries(up, ld(2, 0x10, new Uint8Array(10).fill(0x80), 0x00))),
        'protobuf',
        'invalid protobuf at byte 21 in series 0: varint longer than 10 bytes',
      ],
      [
        'a wrong wire type for Sample.value',
        bytes(timeSeries(up, ld(2, 0x08, 0x01))),
        'protobuf',
        'invalid protobuf at byte 20 in series 0: wrong wire type varint for Sample.value',
      ],
      [
        'native histograms',
        bytes(timeSeries(up, label('job', 'api'), ld(4, 0x08, 0x01))),
        'unsupported',
        'native histograms are not supported (series 0: {__name__="up", job="api"})',
      ],
      [
        'a series without __name__',
        bytes(timeSeries(label('job', 'api'), sample(1, 1))),
        'invalid_labels',
        'series 0 {job="api"}: no __name__ label',
      ],
      [
        'a series whose __name__ is empty',
        bytes(timeSeries(label('__name__', ''), label('job', 'api'))),
        'invalid_labels',
        'series 0 {__name__="", job="api"}: no __name__ label',
      ],
      [
        'duplicate label names',
        bytes(timeSeries(up, label('job', 'a'), label('job', 'b'))),
        'invalid_labels',
        'series 0 {__name__="up", job="a", job="b"}: duplicate label name "job"',
      ],
      [
        'duplicate label names, one of them empty',
        bytes(timeSeries(up, label('job', ''), label('job', 'b'))),
        'invalid_labels',
        'series 0 {__name__="up", job="", job="b"}: duplicate label name "job"',
      ],
      [
        'an invalid label name',
        bytes(timeSeries(up, label('1st', 'x'))),
        'invalid_labels',
        'series 0 {__name__="up", 1st="x"}: invalid label name "1st"',
      ],
      [
        'a UTF-8 label name (legacy name validation)',
        bytes(timeSeries(up, label('größe', 'x'))),
        'invalid_labels',
        'series 0 {__name__="up", größe="x"}: invalid label name "größe"',
      ],
      [
        'an empty label name',
        bytes(timeSeries(up, label('', 'x'))),
        'invalid_labels',
        'series 0 {__name__="up", ="x"}: empty label name',
      ],
      [
        'an invalid metric name',
        bytes(timeSeries(label('__name__', 'up-time'))),
        'invalid_labels',
        'series 0 {__name__="up-time"}: invalid metric name "up-time"',
      ],
      [
        'a label value that is not UTF-8',
        bytes(timeSeries(up, ld(1, ld(1, str('job')), ld(2, 0xff, 0xfe)))),
        'invalid_labels',
        'series 0: value of label "job" is not valid UTF-8 (byte 18)',
      ],
      [
        'a label name that is not UTF-8',
        bytes(timeSeries(up, ld(1, ld(1, 0xc3)))),
        'invalid_labels',
        'series 0: label name is not valid UTF-8 (byte 18)',
      ],
    ])('rejects %s', (_name, proto, kind, message) => {
      // Act
      const error = decodeError(() => decodeWriteRequest(snappyLiterals(proto), OPTS));

      // Assess
      expect(error).toBeInstanceOf(RemoteWriteDecodeError);
      expect(error.name).toBe('RemoteWriteDecodeError');
      expect(error.kind).toBe(kind);
      expect(error.message).toBe(message);
    });

    it('shortens long label values in messages', () => {
      // Prepare
      const proto = bytes(timeSeries(label('job', 'x'.repeat(100))));

      // Act
      const error = decodeError(() => decodeWriteRequestProto(proto));

      // Assess
      expect(error.message).toBe(`series 0 {job="${'x'.repeat(64)}…"}: no __name__ label`);
    });

    it('names the index of the offending series', () => {
      // Prepare
      const proto = bytes(
        timeSeries(label('__name__', 'a')),
        timeSeries(label('__name__', 'b')),
        timeSeries(label('instance', 'c')),
      );

      // Act
      const error = decodeError(() => decodeWriteRequestProto(proto));

      // Assess
      expect(error.seriesIndex).toBe(2);
      expect(error.message).toBe('series 2 {instance="c"}: no __name__ label');
    });

    it('records the byte offset of protobuf errors', () => {
      // Prepare
      const proto = bytes(timeSeries(label('__name__', 'a')), timeSeries(ld(2, 0x09)));

      // Act
      const error = decodeError(() => decodeWriteRequestProto(proto));

      // Assess
      expect(error).toMatchObject({ kind: 'protobuf', offset: 22, seriesIndex: 1 });
      expect(error.details).toEqual([error.message]);
    });

    it('stops at maxSamples', () => {
      // Prepare
      const body = buildRemoteWriteBody([
        { labels: { __name__: 'a' }, samples: [{ t: 1, v: 1 }] },
        {
          labels: { __name__: 'b' },
          samples: [
            { t: 1, v: 1 },
            { t: 2, v: 2 },
          ],
        },
      ]);

      // Act
      const ok = decodeWriteRequest(body, { ...OPTS, maxSamples: 3 });
      const error = decodeError(() => decodeWriteRequest(body, { ...OPTS, maxSamples: 2 }));

      // Assess
      expect(ok.series).toHaveLength(2);
      expect(error).toMatchObject({ kind: 'too_large', seriesIndex: 1 });
      expect(error.message).toBe('request holds more than the limit of 2 samples');
    });

    it('refuses a body whose decompressed size exceeds the limit', () => {
      // Prepare
      const body = snappyCompress(new Uint8Array(2048));

      // Act
      const error = decodeError(() => decodeWriteRequest(body, { maxDecompressedBytes: 1024 }));

      // Assess
      expect(error.kind).toBe('too_large');
      expect(error.message).toBe(
        'decompressed body would be 2048 bytes, more than the limit of 1024 bytes',
      );
    });

    it('refuses a body that is not snappy-compressed', () => {
      // Prepare: an uncompressed WriteRequest sent as is
      const proto = encodeWriteRequest([{ labels: { __name__: 'up' }, samples: [{ t: 1, v: 1 }] }]);

      // Act
      const error = decodeError(() => decodeWriteRequest(proto, OPTS));

      // Assess
      expect(error.kind).toBe('snappy');
    });
  });
});
