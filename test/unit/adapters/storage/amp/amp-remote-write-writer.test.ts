import type { SignedFetch, SignedFetchInit } from '../../../../../lambdas/adapters/aws/sigv4-fetch';
import { AmpRemoteWriteWriter } from '../../../../../lambdas/adapters/storage/amp/amp-remote-write-writer';
import {
  StorageThrottledError,
  StorageUnavailableError,
} from '../../../../../lambdas/domain/errors';
import { decodeWriteRequest } from '../../../../../lambdas/domain/remote-write/decode';
import type { Series } from '../../../../../lambdas/domain/series/sample';
import { isStaleNaN, STALE_NAN } from '../../../../../lambdas/domain/series/sample';

const ENDPOINT =
  'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write';

interface Reply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/** A SignedFetch that records each request (decoded) and answers from `answer`. */
const stubFetch = (answer: (series: Series[], call: number) => Reply | Error) => {
  const requests: { init: SignedFetchInit; series: Series[] }[] = [];
  const fetch: SignedFetch = async (_url, init) => {
    const series = decodeWriteRequest(init.body as Uint8Array, {
      maxDecompressedBytes: 1 << 24,
    }).series;
    requests.push({ init, series });
    const reply = answer(series, requests.length);
    if (reply instanceof Error) throw reply;
    return new Response(reply.status === 204 ? null : (reply.body ?? ''), {
      status: reply.status,
      headers: reply.headers ?? {},
    });
  };
  return { fetch, requests };
};

const ok = (): Reply => ({ status: 204 });

const bits = (v: number): bigint => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0);
};

describe('Class: AmpRemoteWriteWriter', () => {
  describe('Method: write', () => {
    it('sends remote_write 1.0 with samples sorted, the last of equal timestamps kept, special values intact', async () => {
      // Prepare
      const { fetch, requests } = stubFetch(ok);
      const writer = new AmpRemoteWriteWriter({ endpoint: ENDPOINT, fetch });
      const labels = { __name__: 'model_latency_seconds', model: 'churn' };

      // Act
      const result = await writer.write([
        {
          labels,
          samples: [
            { t: 3000, v: STALE_NAN },
            { t: 1000, v: Number.NaN },
            { t: 2000, v: 1 },
            { t: 2000, v: Number.POSITIVE_INFINITY },
            { t: 4000, v: Number.NEGATIVE_INFINITY },
          ],
        },
      ]);

      // Assess
      expect(result).toEqual({ accepted: 5, rejected: [] });
      expect(requests).toHaveLength(1);
      expect(requests[0]?.init.method).toBe('POST');
      expect(requests[0]?.init.headers).toEqual({
        'content-encoding': 'snappy',
        'content-type': 'application/x-protobuf',
        'x-prometheus-remote-write-version': '0.1.0',
        'user-agent': 'vigil-amp-writer',
      });
      const [sent] = requests[0]?.series ?? [];
      expect(sent?.labels).toEqual(labels);
      expect(sent?.samples.map((s) => s.t)).toEqual([1000, 2000, 3000, 4000]);
      expect(Number.isNaN(sent?.samples[0]?.v)).toBe(true);
      expect(isStaleNaN(sent?.samples[0]?.v as number)).toBe(false);
      expect(sent?.samples[1]?.v).toBe(Number.POSITIVE_INFINITY);
      expect(bits(sent?.samples[2]?.v as number)).toBe(0x7ff0000000000002n);
      expect(sent?.samples[3]?.v).toBe(Number.NEGATIVE_INFINITY);
    });

    it('cuts requests at maxSamplesPerRequest, a long series spanning consecutive requests in time order', async () => {
      // Prepare
      const { fetch, requests } = stubFetch(ok);
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        maxSamplesPerRequest: 3,
      });
      const a = { __name__: 'a' };
      const b = { __name__: 'b' };

      // Act
      const result = await writer.write([
        { labels: a, samples: [1, 2, 3, 4, 5].map((i) => ({ t: i * 1000, v: i })) },
        { labels: b, samples: [1, 2].map((i) => ({ t: i * 1000, v: -i })) },
      ]);

      // Assess
      expect(result).toEqual({ accepted: 7, rejected: [] });
      expect(
        requests.map((r) => r.series.map((s) => [s.labels.__name__, s.samples.map((x) => x.v)])),
      ).toEqual([
        [['a', [1, 2, 3]]],
        [
          ['a', [4, 5]],
          ['b', [-1]],
        ],
        [['b', [-2]]],
      ]);
    });

    it("rejects series past AMP's quotas before sending, each sample with the reason", async () => {
      // Prepare
      const { fetch, requests } = stubFetch(ok);
      const writer = new AmpRemoteWriteWriter({ endpoint: ENDPOINT, fetch });
      const manyLabels: Record<string, string> = { __name__: 'wide' };
      for (let i = 0; i < 70; i++) manyLabels[`l${i}`] = 'x';
      const longLabel = { __name__: 'long', note: 'é'.repeat(3600) };
      const sample = { t: 1000, v: 1 };

      // Act
      const result = await writer.write([
        { labels: manyLabels, samples: [sample] },
        { labels: longLabel, samples: [sample, { t: 2000, v: 2 }] },
        { labels: { job: 'x' }, samples: [sample] },
        { labels: { __name__: 'fine' }, samples: [sample] },
      ]);

      // Assess
      expect(result.accepted).toBe(1);
      expect(result.rejected).toEqual([
        {
          labels: manyLabels,
          sample,
          reason: "series has 71 labels, more than the workspace's 70 labels per series",
        },
        {
          labels: longLabel,
          sample,
          reason:
            "label note is 7204 bytes (name and value), more than the workspace's 7168-byte label size",
        },
        {
          labels: longLabel,
          sample: { t: 2000, v: 2 },
          reason:
            "label note is 7204 bytes (name and value), more than the workspace's 7168-byte label size",
        },
        { labels: { job: 'x' }, sample, reason: 'series has no metric name (__name__)' },
      ]);
      expect(requests.map((r) => r.series.map((s) => s.labels.__name__))).toEqual([['fine']]);
    });

    it('retries a 429 after the Retry-After the workspace asks for, then reports the samples stored', async () => {
      // Prepare
      const { fetch, requests } = stubFetch((_s, call) =>
        call === 1
          ? { status: 429, body: 'ingestion rate limit exceeded', headers: { 'retry-after': '2' } }
          : ok(),
      );
      const sleeps: number[] = [];
      let throttled = 0;
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 0.5,
        onThrottled: () => throttled++,
      });

      // Act
      const result = await writer.write([
        { labels: { __name__: 'up' }, samples: [{ t: 1000, v: 1 }] },
      ]);

      // Assess
      expect(result).toEqual({ accepted: 1, rejected: [] });
      expect(requests).toHaveLength(2);
      expect(sleeps).toEqual([2000]);
      expect(throttled).toBe(1);
    });

    it('retries 5xx and network errors with exponential backoff and full jitter', async () => {
      // Prepare
      const { fetch, requests } = stubFetch((_s, call) =>
        call === 1 ? new TypeError('fetch failed') : call === 2 ? { status: 502 } : ok(),
      );
      const sleeps: number[] = [];
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        retry: { baseDelayMs: 100 },
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 0.5,
      });

      // Act
      const result = await writer.write([
        { labels: { __name__: 'up' }, samples: [{ t: 1000, v: 1 }] },
      ]);

      // Assess
      expect(result.accepted).toBe(1);
      expect(requests).toHaveLength(3);
      expect(sleeps).toEqual([50, 100]);
    });

    it('aborts an attempt that takes longer than requestTimeoutMs and retries it', async () => {
      // Prepare
      let calls = 0;
      const fetch: SignedFetch = (_url, init) => {
        calls++;
        if (calls > 1) return Promise.resolve(new Response(null, { status: 204 }));
        return new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        });
      };
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        requestTimeoutMs: 20,
        sleep: async () => undefined,
      });

      // Act
      const result = await writer.write([
        { labels: { __name__: 'up' }, samples: [{ t: 1, v: 1 }] },
      ]);

      // Assess
      expect(result).toEqual({ accepted: 1, rejected: [] });
      expect(calls).toBe(2);
    });

    it('gives up on persistent throttling with StorageThrottledError carrying the Retry-After', async () => {
      // Prepare
      const { fetch, requests } = stubFetch(() => ({
        status: 429,
        headers: { 'retry-after': '1' },
      }));
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        retry: { maxAttempts: 3, maxDelayMs: 500 },
        sleep: async () => undefined,
      });

      // Act
      const error = await writer
        .write([{ labels: { __name__: 'up' }, samples: [{ t: 1, v: 1 }] }])
        .catch((e) => e);

      // Assess
      expect(error).toBeInstanceOf(StorageThrottledError);
      expect((error as StorageThrottledError).retryAfterMs).toBe(1000);
      expect((error as Error).message).toBe(
        `AMP remote write ${ENDPOINT} failed 3 times, last with HTTP 429`,
      );
      expect(requests).toHaveLength(3);
    });

    it('stops retrying when the next wait would pass maxTotalDelayMs', async () => {
      // Prepare
      const { fetch, requests } = stubFetch(() => ({
        status: 429,
        headers: { 'retry-after': '60' },
      }));
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        sleep: async () => undefined,
      });

      // Act
      const error = await writer
        .write([{ labels: { __name__: 'up' }, samples: [{ t: 1, v: 1 }] }])
        .catch((e) => e);

      // Assess
      expect(error).toBeInstanceOf(StorageThrottledError);
      expect((error as StorageThrottledError).retryAfterMs).toBe(60_000);
      expect(requests).toHaveLength(1);
    });

    it('shares the maxTotalDelayMs budget between the requests of one write', async () => {
      // Prepare
      const { fetch, requests } = stubFetch((_s, call) =>
        call % 2 === 1 ? { status: 429, headers: { 'retry-after': '3' } } : ok(),
      );
      const sleeps: number[] = [];
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        maxSamplesPerRequest: 1,
        retry: { maxTotalDelayMs: 7_000 },
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });
      const samples = [1000, 2000, 3000].map((t) => ({ t, v: 1 }));

      // Act
      const error = await writer.write([{ labels: { __name__: 'up' }, samples }]).catch((e) => e);

      // Assess
      expect(error).toBeInstanceOf(StorageThrottledError);
      expect(sleeps).toEqual([3000, 3000]);
      expect(requests).toHaveLength(5);
    });

    it('ends persistent 503 in StorageUnavailableError (503 to the caller), reported once as a failed request', async () => {
      // Prepare
      const { fetch, requests } = stubFetch(() => ({ status: 503, body: 'Service Unavailable' }));
      const failed: number[] = [];
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        sleep: async () => undefined,
        onFailedRequest: (n) => failed.push(n),
      });

      // Act
      const error = await writer
        .write([
          {
            labels: { __name__: 'up' },
            samples: [
              { t: 1, v: 1 },
              { t: 2, v: 2 },
            ],
          },
        ])
        .catch((e) => e);

      // Assess
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toBe(
        `AMP remote write ${ENDPOINT} failed 5 times, last with HTTP 503: Service Unavailable`,
      );
      expect(requests).toHaveLength(5);
      expect(failed).toEqual([2]);
    });

    it('fails at once on 403, naming the permission to check', async () => {
      // Prepare
      const { fetch, requests } = stubFetch(() => ({
        status: 403,
        body: '{"message":"not authorized"}',
      }));
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        sleep: async () => undefined,
      });

      // Act
      const error = await writer
        .write([{ labels: { __name__: 'up' }, samples: [{ t: 1, v: 1 }] }])
        .catch((e) => e);

      // Assess
      expect(error).toBeInstanceOf(StorageUnavailableError);
      expect((error as Error).message).toContain('aps:RemoteWrite');
      expect(requests).toHaveLength(1);
    });

    it('reports a refused batch whole, with the reason, once maxSplitRequests is spent', async () => {
      // Prepare
      const { fetch, requests } = stubFetch(() => ({ status: 400, body: 'out of bounds' }));
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        refusedRequests: 'whole',
        maxSplitRequests: 0,
      });
      const labels = { __name__: 'old' };

      // Act
      const result = await writer.write([
        {
          labels,
          samples: [
            { t: 1000, v: 1 },
            { t: 2000, v: 2 },
          ],
        },
      ]);

      // Assess
      expect(result).toEqual({
        accepted: 0,
        rejected: [
          { labels, sample: { t: 1000, v: 1 }, reason: 'out of bounds' },
          { labels, sample: { t: 2000, v: 2 }, reason: 'out of bounds' },
        ],
      });
      expect(requests).toHaveLength(1);
    });

    it('lists every sample of a request AMP answered 400, noting that the valid ones may be stored', async () => {
      // Prepare
      const { fetch, requests } = stubFetch(() => ({
        status: 400,
        body: 'err: out of order sample. timestamp=1970-01-01T00:00:02Z, series={__name__="b"}',
      }));
      const sleeps: number[] = [];
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });

      // Act
      const result = await writer.write([
        { labels: { __name__: 'a' }, samples: [{ t: 1000, v: 1 }] },
        { labels: { __name__: 'b' }, samples: [{ t: 2000, v: 2 }] },
      ]);

      // Assess
      const reason =
        'err: out of order sample. timestamp=1970-01-01T00:00:02Z, series={__name__="b"} (refused in a request of 2 samples: the receiver stores the valid ones and names only its first refusal, so this sample may be stored)';
      expect(result).toEqual({
        accepted: 0,
        rejected: [
          { labels: { __name__: 'a' }, sample: { t: 1000, v: 1 }, reason },
          { labels: { __name__: 'b' }, sample: { t: 2000, v: 2 }, reason },
        ],
      });
      expect(requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('halves a request refused as too large (413) until it passes, whatever refusedRequests says', async () => {
      // Prepare
      const { fetch, requests } = stubFetch((series) =>
        series.reduce((n, s) => n + s.samples.length, 0) > 1
          ? { status: 413, body: 'request too large' }
          : ok(),
      );
      const writer = new AmpRemoteWriteWriter({ endpoint: ENDPOINT, fetch });

      // Act
      const result = await writer.write([
        { labels: { __name__: 'a' }, samples: [1000, 2000, 3000].map((t) => ({ t, v: 1 })) },
      ]);

      // Assess
      expect(result).toEqual({ accepted: 3, rejected: [] });
      expect(requests.map((r) => r.series[0]?.samples.length)).toEqual([3, 1, 2, 1, 1]);
    });

    it('isolates the refused sample by halving when the receiver refuses requests whole', async () => {
      // Prepare
      const bad = { labels: { __name__: 'b' }, t: 2000 };
      const { fetch, requests } = stubFetch((series) =>
        series.some(
          (s) => s.labels.__name__ === bad.labels.__name__ && s.samples.some((x) => x.t === bad.t),
        )
          ? { status: 400, body: 'out of order sample\n' }
          : ok(),
      );
      const sleeps: number[] = [];
      let rejectedCount = 0;
      const writer = new AmpRemoteWriteWriter({
        endpoint: ENDPOINT,
        fetch,
        refusedRequests: 'whole',
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        onRejectedSamples: (n) => {
          rejectedCount += n;
        },
      });

      // Act
      const result = await writer.write([
        { labels: { __name__: 'a' }, samples: [1000, 2000, 3000].map((t) => ({ t, v: 1 })) },
        { labels: { __name__: 'b' }, samples: [1000, 2000, 3000].map((t) => ({ t, v: 2 })) },
      ]);

      // Assess
      expect(result).toEqual({
        accepted: 5,
        rejected: [
          { labels: { __name__: 'b' }, sample: { t: 2000, v: 2 }, reason: 'out of order sample' },
        ],
      });
      expect(rejectedCount).toBe(1);
      expect(sleeps).toEqual([]);
      // 6 → 3 + 3 → (the refused half) 1 + 2 → 1 + 1
      expect(requests.map((r) => r.series.reduce((n, s) => n + s.samples.length, 0))).toEqual([
        6, 3, 3, 1, 2, 1, 1,
      ]);
    });
  });
});
