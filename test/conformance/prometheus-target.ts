/**
 * The remote mode of the conformance runner: each data state of a promqltest script (what its
 * `load`/`clear` commands left before an `eval`) goes into a fresh Prometheus (Debian's 2.42,
 * started on a free port with its remote-write receiver, the samples sent in one remote_write
 * request so staleness markers travel as they are), and the evals run through
 * `PrometheusApiQueryEngine` — the port Vigil uses with `store: amp` — signed with SigV4 and
 * verified by the stand-in for a workspace endpoint (test/helpers/sigv4-proxy.ts), as on AWS.
 *
 * What it measures: that the port carries a Prometheus's answers faithfully (values, types,
 * errors). Prometheus 2.42 is older than the 3.x semantics the test files describe (left-open
 * range selectors, newer functions, annotations), so its own failures are counted too.
 */
import { PrometheusApiQueryEngine } from '../../lambdas/adapters/query/prometheus-api-query-engine';
import type { QueryEngine } from '../../lambdas/domain/query/query-engine';
import type { MemorySeriesStore } from '../../lambdas/adapters/storage/memory-series-store';
import {
  freePort,
  type ManagedChild,
  makeTmpDir,
  removeDir,
  startChild,
  waitFor,
} from '../e2e/helpers/vigil-process';
import { createSigV4Fetch } from '../../lambdas/adapters/aws/sigv4-fetch';
import { buildRemoteWriteRequest } from '../helpers/remote-write-client';
import {
  type SigV4Proxy,
  startSigV4Proxy,
  TEST_ACCESS_KEY_ID,
  TEST_SECRET_ACCESS_KEY,
} from '../helpers/sigv4-proxy';

const PROMETHEUS = '/usr/bin/prometheus';
const REGION = 'eu-west-1';
const signedFetch = createSigV4Fetch({
  region: REGION,
  credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY },
});

/** Prometheus instances for successive data states; one runs at a time. */
export class PrometheusTarget {
  #current:
    | { prometheus: ManagedChild; proxy: SigV4Proxy; dir: string; engine: QueryEngine }
    | undefined;
  /** Data states loaded (Prometheus starts). */
  starts = 0;

  /** An engine over a fresh Prometheus holding exactly what `store` holds. */
  async engineFor(store: MemorySeriesStore): Promise<QueryEngine> {
    await this.stop();
    const dir = makeTmpDir('conformance-prometheus');
    const address = `127.0.0.1:${await freePort()}`;
    const config = `${dir}/prometheus.yml`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
    const prometheus = startChild(
      PROMETHEUS,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${dir}/data`,
        '--storage.tsdb.retention.time=100y',
        '--web.enable-remote-write-receiver',
        `--web.listen-address=${address}`,
        '--log.level=error',
      ],
      {},
    );
    this.starts++;
    await waitFor(
      `Prometheus ready on ${address}`,
      async () => {
        if (prometheus.child.exitCode !== null)
          throw new Error(`prometheus exited: ${prometheus.output()}`);
        return (await fetch(`http://${address}/-/ready`)).status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const series = await store.select([{ name: '__name__', op: '=~', value: '.+' }], {
      startMs: Number.MIN_SAFE_INTEGER,
      endMs: Number.MAX_SAFE_INTEGER,
    });
    if (series.length > 0) {
      // One request: a fresh head takes samples of any age in its first append.
      const { body, headers } = buildRemoteWriteRequest(series);
      const res = await fetch(`http://${address}/api/v1/write`, { method: 'POST', headers, body });
      if (res.status >= 300)
        throw new Error(`remote_write to Prometheus: ${res.status} ${await res.text()}`);
    }
    const proxy = await startSigV4Proxy({ target: `http://${address}`, region: REGION });
    const engine = new PrometheusApiQueryEngine({
      baseUrl: `${proxy.url}/workspaces/ws-conformance`,
      fetch: signedFetch,
      retries: 0,
    });
    this.#current = { prometheus, proxy, dir, engine };
    return engine;
  }

  async stop(): Promise<void> {
    const c = this.#current;
    this.#current = undefined;
    if (!c) return;
    await c.proxy.close();
    await c.prometheus.stop();
    removeDir(c.dir);
  }
}
