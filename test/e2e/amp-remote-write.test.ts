/**
 * End to end: the AMP remote-write writer, signing with SigV4 through `createSigV4Fetch`,
 * against a real Prometheus (Debian's 2.42, `--web.enable-remote-write-receiver`) behind the
 * SigV4-verifying stand-in for an AMP workspace endpoint (test/helpers/sigv4-proxy.ts). The
 * samples are read back through the same proxy with the query API, as the AMP query engine
 * reads them. Throttling and server faults come from a stub server behind the proxy.
 * @see https://prometheus.io/docs/prometheus/2.42/feature_flags/ (remote-write receiver)
 */
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createSigV4Fetch, type SignedFetch } from '../../lambdas/adapters/aws/sigv4-fetch';
import { AmpRemoteWriteWriter } from '../../lambdas/adapters/storage/amp/amp-remote-write-writer';
import { StorageUnavailableError } from '../../lambdas/domain/errors';
import { STALE_NAN } from '../../lambdas/domain/series/sample';
import {
  type SigV4Proxy,
  startSigV4Proxy,
  TEST_ACCESS_KEY_ID,
  TEST_SECRET_ACCESS_KEY,
} from '../helpers/sigv4-proxy';
import {
  freePort,
  type ManagedChild,
  makeTmpDir,
  removeDir,
  startChild,
  waitFor,
} from './helpers/vigil-process';

const PROMETHEUS = '/usr/bin/prometheus';
const READY_TIMEOUT_MS = 30_000;
const WORKSPACE_PATH = '/workspaces/ws-e2e-0001/api/v1';
const REGION = 'eu-west-1';

interface MatrixResult {
  status: string;
  data: {
    resultType: string;
    result: {
      metric: Record<string, string>;
      values?: [number, string][];
      value?: [number, string];
    }[];
  };
}

const signedFetch: SignedFetch = createSigV4Fetch({
  region: REGION,
  credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY },
});

/** A stub upstream answering with the statuses in `statuses` (the last one repeats). */
const startStub = async (
  statuses: readonly { status: number; headers?: Record<string, string> }[],
) => {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = statuses[Math.min(calls, statuses.length - 1)] ?? { status: 204 };
      calls++;
      res
        .writeHead(reply.status, reply.headers ?? {})
        .end(reply.status === 204 ? undefined : 'stub says no');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};

describe('AMP remote write through a SigV4-verifying proxy to Prometheus 2.42', () => {
  let promDir: string;
  let prometheus: ManagedChild;
  let proxy: SigV4Proxy;
  const nowMs = Math.floor(Date.now() / 1000) * 1000;
  const t0 = nowMs - 600_000;

  const query = async (expr: string, atMs: number): Promise<MatrixResult> => {
    const url = `${proxy.url}${WORKSPACE_PATH}/query?query=${encodeURIComponent(expr)}&time=${atMs / 1000}`;
    const res = await signedFetch(url, { method: 'GET' });
    expect(res.status).toBe(200);
    return JSON.parse(await res.text()) as MatrixResult;
  };

  beforeAll(async () => {
    if (!existsSync(PROMETHEUS))
      throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus`);
    promDir = makeTmpDir('amp-prometheus');
    const listen = `127.0.0.1:${await freePort()}`;
    const configFile = join(promDir, 'prometheus.yml');
    writeFileSync(configFile, 'global:\n  scrape_interval: 1m\n');
    prometheus = startChild(
      PROMETHEUS,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
        `--web.listen-address=${listen}`,
        '--web.enable-remote-write-receiver',
        '--log.level=warn',
      ],
      {},
    );
    await waitFor(
      `Prometheus ready on ${listen}`,
      async () => {
        if (prometheus.child.exitCode !== null)
          throw new Error(`prometheus exited: ${prometheus.output()}`);
        return (await fetch(`http://${listen}/-/ready`)).status === 200 ? true : undefined;
      },
      { timeoutMs: READY_TIMEOUT_MS },
    );
    proxy = await startSigV4Proxy({ target: `http://${listen}`, region: REGION });
  }, READY_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await proxy?.close();
    await prometheus?.stop();
    removeDir(promDir);
  });

  it('stores NaN, ±Inf and a stale marker exactly, in two signed requests, and reads them back', async () => {
    // Prepare
    const writer = new AmpRemoteWriteWriter({
      endpoint: `${proxy.url}${WORKSPACE_PATH}/remote_write`,
      fetch: signedFetch,
      maxSamplesPerRequest: 4,
    });
    const special = { __name__: 'vigil_amp_e2e', case: 'special' };
    const stale = { __name__: 'vigil_amp_e2e', case: 'stale' };

    // Act
    const result = await writer.write([
      {
        labels: special,
        samples: [
          { t: t0 + 45_000, v: Number.NEGATIVE_INFINITY },
          { t: t0, v: 1.5 },
          { t: t0 + 15_000, v: Number.NaN },
          { t: t0 + 30_000, v: Number.POSITIVE_INFINITY },
          { t: t0 + 60_000, v: 2 },
        ],
      },
      {
        labels: stale,
        samples: [
          { t: t0, v: 7 },
          { t: t0 + 15_000, v: 8 },
          { t: t0 + 30_000, v: STALE_NAN },
        ],
      },
    ]);
    const range = await query('vigil_amp_e2e[1h]', nowMs);
    const beforeStale = await query('vigil_amp_e2e{case="stale"}', t0 + 20_000);
    const afterStale = await query('vigil_amp_e2e{case="stale"}', t0 + 40_000);

    // Assess
    expect(result).toEqual({ accepted: 8, rejected: [] });
    const writes = proxy.requests.filter((r) => r.path.endsWith('/remote_write'));
    expect(writes.map((r) => r.verdict)).toEqual(['forwarded', 'forwarded']);
    const s = t0 / 1000;
    expect(range.data.result).toEqual([
      {
        metric: special,
        values: [
          [s, '1.5'],
          [s + 15, 'NaN'],
          [s + 30, '+Inf'],
          [s + 45, '-Inf'],
          [s + 60, '2'],
        ],
      },
      // A range selector leaves stale markers out; the instant queries below show it is there.
      {
        metric: stale,
        values: [
          [s, '7'],
          [s + 15, '8'],
        ],
      },
    ]);
    expect(beforeStale.data.result).toEqual([{ metric: stale, value: [s + 20, '8'] }]);
    expect(afterStale.data.result).toEqual([]);
  });

  it('lists every sample of a refused request by default; Prometheus stored none of them', async () => {
    // Prepare
    const writer = new AmpRemoteWriteWriter({
      endpoint: `${proxy.url}${WORKSPACE_PATH}/remote_write`,
      fetch: signedFetch,
    });
    const fresh = { __name__: 'vigil_amp_e2e', case: 'fresh' };
    const stale = { __name__: 'vigil_amp_e2e', case: 'stale' };

    // Act
    const result = await writer.write([
      { labels: fresh, samples: [{ t: t0, v: 5 }] },
      { labels: stale, samples: [{ t: t0 + 1_000, v: 6 }] },
    ]);
    const stored = await query('vigil_amp_e2e{case="fresh"}', t0);

    // Assess
    const reason =
      'out of order sample (refused in a request of 2 samples: the receiver stores the valid ones and names only its first refusal, so this sample may be stored)';
    expect(result).toEqual({
      accepted: 0,
      rejected: [
        { labels: fresh, sample: { t: t0, v: 5 }, reason },
        { labels: stale, sample: { t: t0 + 1_000, v: 6 }, reason },
      ],
    });
    expect(stored.data.result).toEqual([]);
  });

  it("isolates an older sample and a conflicting duplicate with Prometheus's reasons when told requests are refused whole", async () => {
    // Prepare
    const writer = new AmpRemoteWriteWriter({
      endpoint: `${proxy.url}${WORKSPACE_PATH}/remote_write`,
      fetch: signedFetch,
      refusedRequests: 'whole',
    });
    const special = { __name__: 'vigil_amp_e2e', case: 'special' };

    // Act
    const result = await writer.write([
      {
        labels: special,
        samples: [
          { t: t0 + 60_000, v: 99 },
          { t: t0 + 75_000, v: 3 },
        ],
      },
      { labels: { __name__: 'vigil_amp_e2e', case: 'stale' }, samples: [{ t: t0 + 5_000, v: 9 }] },
      { labels: { __name__: 'vigil_amp_e2e', case: 'late' }, samples: [{ t: t0, v: 4 }] },
    ]);
    const late = await query('vigil_amp_e2e{case="late"}', t0);
    const newest = await query('vigil_amp_e2e{case="special"}', t0 + 75_000);
    const kept = await query('vigil_amp_e2e{case="special"}', t0 + 60_000);

    // Assess
    expect(result).toEqual({
      accepted: 2,
      rejected: [
        {
          labels: special,
          sample: { t: t0 + 60_000, v: 99 },
          reason: 'duplicate sample for timestamp',
        },
        {
          labels: { __name__: 'vigil_amp_e2e', case: 'stale' },
          sample: { t: t0 + 5_000, v: 9 },
          reason: 'out of order sample',
        },
      ],
    });
    expect(late.data.result).toEqual([
      { metric: { __name__: 'vigil_amp_e2e', case: 'late' }, value: [t0 / 1000, '4'] },
    ]);
    expect(newest.data.result).toEqual([{ metric: special, value: [t0 / 1000 + 75, '3'] }]);
    expect(kept.data.result).toEqual([{ metric: special, value: [t0 / 1000 + 60, '2'] }]);
  });

  it('retries a 429 after its Retry-After and succeeds; ends persistent 503 in StorageUnavailableError', async () => {
    // Prepare
    const throttling = await startStub([
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 204 },
    ]);
    const failing = await startStub([{ status: 503 }]);
    const throttledProxy = await startSigV4Proxy({ target: throttling.url, region: REGION });
    const failingProxy = await startSigV4Proxy({ target: failing.url, region: REGION });
    const series = [{ labels: { __name__: 'vigil_amp_e2e_retry' }, samples: [{ t: nowMs, v: 1 }] }];
    const started = Date.now();

    try {
      // Act
      const throttledResult = await new AmpRemoteWriteWriter({
        endpoint: `${throttledProxy.url}${WORKSPACE_PATH}/remote_write`,
        fetch: signedFetch,
      }).write(series);
      const waitedMs = Date.now() - started;
      const failure = await new AmpRemoteWriteWriter({
        endpoint: `${failingProxy.url}${WORKSPACE_PATH}/remote_write`,
        fetch: signedFetch,
        retry: { maxAttempts: 3, baseDelayMs: 20 },
      })
        .write(series)
        .catch((e: unknown) => e);

      // Assess
      expect(throttledResult).toEqual({ accepted: 1, rejected: [] });
      expect(throttling.calls()).toBe(2);
      expect(waitedMs).toBeGreaterThanOrEqual(1000);
      expect(failure).toBeInstanceOf(StorageUnavailableError);
      expect((failure as Error).message).toMatch(
        /failed 3 times, last with HTTP 503: stub says no$/,
      );
      expect(failing.calls()).toBe(3);
    } finally {
      await Promise.all([
        throttledProxy.close(),
        failingProxy.close(),
        throttling.close(),
        failing.close(),
      ]);
    }
  });
});
