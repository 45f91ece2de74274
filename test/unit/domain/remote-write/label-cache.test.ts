import fc from 'fast-check';
import {
  decodeWriteRequestProto,
  RemoteWriteDecodeError,
  RemoteWriteLabelCache,
} from '../../../../lambdas/domain/remote-write';
import { bytes, label, ld, sample, timeSeries } from './wire';

const LATENCY = [
  label('__name__', 'http_request_duration_seconds_bucket'),
  label('instance', '10.0.0.1:8000'),
  label('job', 'inference-api'),
  label('le', '0.5'),
];

/** The decoder's outcome as plain data: the request, or the error's kind and message. */
const outcome = (proto: Uint8Array, cache?: RemoteWriteLabelCache): unknown => {
  try {
    return decodeWriteRequestProto(proto, 1_000, cache);
  } catch (e) {
    if (e instanceof RemoteWriteDecodeError) return { kind: e.kind, message: e.message };
    throw e;
  }
};

describe('Class: RemoteWriteLabelCache', () => {
  it('gives a repeated series the same labels and samples as decoding without the cache', () => {
    // Prepare
    const cache = new RemoteWriteLabelCache();
    const first = bytes(timeSeries(...LATENCY, sample(3, 1_700_000_000_000)));
    const second = bytes(timeSeries(...LATENCY, sample(5, 1_700_000_015_000)));

    // Act
    decodeWriteRequestProto(first, 1_000, cache);
    const again = decodeWriteRequestProto(second, 1_000, cache);

    // Assess
    expect(again).toEqual(decodeWriteRequestProto(second));
    expect(again.series[0]?.samples).toEqual([{ t: 1_700_000_015_000, v: 5 }]);
    expect(cache.size).toBe(1);
  });

  it('decodes a label that follows the samples even when the leading labels are cached', () => {
    // Prepare: the same leading labels, then a label the cached entry does not hold.
    const cache = new RemoteWriteLabelCache();
    decodeWriteRequestProto(bytes(timeSeries(...LATENCY, sample(1, 1000))), 1_000, cache);
    const late = bytes(timeSeries(...LATENCY, sample(2, 2000), label('path', '/predict')));

    // Act
    const request = decodeWriteRequestProto(late, 1_000, cache);

    // Assess
    expect(request.series[0]?.labels).toEqual({
      __name__: 'http_request_duration_seconds_bucket',
      instance: '10.0.0.1:8000',
      job: 'inference-api',
      le: '0.5',
      path: '/predict',
    });
  });

  it('still refuses a cached series that carries a native histogram, naming its labels', () => {
    // Prepare
    const cache = new RemoteWriteLabelCache();
    decodeWriteRequestProto(bytes(timeSeries(...LATENCY, sample(1, 1000))), 1_000, cache);
    const histogram = bytes(timeSeries(...LATENCY, ld(4, [0x08, 0x01])));

    // Act
    const result = outcome(histogram, cache);

    // Assess
    expect(result).toEqual(outcome(histogram));
    expect(result).toMatchObject({
      kind: 'unsupported',
      message: expect.stringContaining('le="0.5"'),
    });
  });

  it('does not cache labels that failed validation: the same 400 message every time', () => {
    // Prepare
    const cache = new RemoteWriteLabelCache();
    const bad = bytes(timeSeries(label('job', 'api'), sample(1, 1000)));

    // Act
    const firstTime = outcome(bad, cache);
    const secondTime = outcome(bad, cache);

    // Assess
    expect(firstTime).toEqual({
      kind: 'invalid_labels',
      message: 'series 0 {job="api"}: no __name__ label',
    });
    expect(secondTime).toEqual(firstTime);
    expect(cache.size).toBe(0);
  });

  it('counts samples of cached series against the request limit', () => {
    // Prepare
    const cache = new RemoteWriteLabelCache();
    decodeWriteRequestProto(bytes(timeSeries(...LATENCY, sample(1, 1000))), 1_000, cache);
    const three = bytes(timeSeries(...LATENCY, sample(1, 1000), sample(2, 2000), sample(3, 3000)));

    // Act
    let error: unknown;
    try {
      decodeWriteRequestProto(three, 2, cache);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(RemoteWriteDecodeError);
    expect((error as RemoteWriteDecodeError).message).toBe(
      'request holds more than the limit of 2 samples',
    );
  });

  it('starts over empty once it holds its most series', () => {
    // Prepare
    const cache = new RemoteWriteLabelCache(2);
    const series = (i: number) =>
      timeSeries(label('__name__', 'up'), label('instance', `i-${i}`), sample(1, 1000));

    // Act
    decodeWriteRequestProto(bytes(series(0), series(1)), 1_000, cache);
    const held = cache.size;
    const request = decodeWriteRequestProto(bytes(series(2)), 1_000, cache);

    // Assess
    expect(held).toBe(2);
    expect(cache.size).toBe(1);
    expect(request.series[0]?.labels).toEqual({ __name__: 'up', instance: 'i-2' });
  });

  it('answers every request as the decoder without a cache does, valid or not', () => {
    // Prepare: series drawn from a small pool of labels (so they repeat), some invalid, some
    // truncated, decoded one request after another through one cache.
    const labelPool = [
      label('__name__', 'up'),
      label('__name__', 'http_requests_total'),
      label('job', 'api'),
      label('job', ''),
      label('1bad', 'x'),
      label('zone', 'é'),
      bytes(0x0a, 0x03, 0x0a, 0x01),
    ];
    const part = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...labelPool) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 5 }).map((v) => sample(v, 1000 + v)) },
      { weight: 1, arbitrary: fc.constant(ld(4, [0x08, 0x01])) },
      { weight: 1, arbitrary: fc.constant(ld(3, label('trace_id', 'abc'))) },
    );
    const request = fc
      .array(fc.array(part, { maxLength: 6 }), { maxLength: 4 })
      .map((series) => bytes(...series.map((parts) => timeSeries(...parts))));
    const cache = new RemoteWriteLabelCache(8);

    // Act + Assess
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 5 }), (requests) => {
        for (const proto of requests) expect(outcome(proto, cache)).toEqual(outcome(proto));
      }),
      { numRuns: 300 },
    );
  });
});
