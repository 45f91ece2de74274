/**
 * The sample stores the end-to-end scenarios run on: local mode's embedded store, and `store: amp`
 * pointed at a stand-in for an Amazon Managed Service for Prometheus workspace — Debian's
 * Prometheus 2.42 with its remote-write receiver, behind the SigV4-verifying proxy
 * (test/helpers/sigv4-proxy.ts), signed with the test credentials from the environment as the
 * AWS SDK's default chain reads them.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type SigV4Proxy,
  startSigV4Proxy,
  TEST_ACCESS_KEY_ID,
  TEST_SECRET_ACCESS_KEY,
} from '../../helpers/sigv4-proxy';
import {
  freePort,
  type ManagedChild,
  makeTmpDir,
  removeDir,
  startChild,
  waitFor,
} from './vigil-process';

const PROMETHEUS = '/usr/bin/prometheus';
const READY_TIMEOUT_MS = 30_000;
const REGION = 'eu-west-1';

export type E2eStore = 'embedded' | 'amp';

/** Every store a parametrised scenario runs on. */
export const E2E_STORES: readonly E2eStore[] = ['embedded', 'amp'];

/** A store ready for `npm start`: its config lines, the environment, and how to stop it. */
export interface E2eStoreSetup {
  readonly store: E2eStore;
  /** Lines to append to `vigil.config.yaml` (none for the embedded store). */
  readonly configYaml: string;
  /** Environment of the Vigil process (AWS credentials with `store: amp`). */
  readonly env: Record<string, string>;
  /** The proxy's requests (`store: amp`), to check what went to the workspace. */
  readonly proxy?: SigV4Proxy;
  stop(): Promise<void>;
}

/** A fresh Prometheus 2.42 remote-write receiver behind the SigV4 proxy: a local "workspace". */
const startLocalWorkspace = async (): Promise<E2eStoreSetup> => {
  if (!existsSync(PROMETHEUS))
    throw new Error(`${PROMETHEUS} is missing: apt-get install -y prometheus`);
  const dir = makeTmpDir('amp-workspace');
  const listen = `127.0.0.1:${await freePort()}`;
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, 'global:\n  scrape_interval: 1m\n');
  const prometheus: ManagedChild = startChild(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${listen}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    {},
  );
  try {
    await waitFor(
      `Prometheus ready on ${listen}`,
      async () => {
        if (prometheus.child.exitCode !== null)
          throw new Error(`prometheus exited: ${prometheus.output()}`);
        return (await fetch(`http://${listen}/-/ready`)).status === 200 ? true : undefined;
      },
      { timeoutMs: READY_TIMEOUT_MS },
    );
  } catch (e) {
    await prometheus.stop('SIGKILL');
    removeDir(dir);
    throw e;
  }
  const proxy = await startSigV4Proxy({ target: `http://${listen}`, region: REGION });
  return {
    store: 'amp',
    configYaml: [
      'store: amp',
      'amp:',
      `  endpoint: ${proxy.url}/workspaces/ws-e2e-local`,
      `  region: ${REGION}`,
      '',
    ].join('\n'),
    env: {
      AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET_ACCESS_KEY,
    },
    proxy,
    stop: async () => {
      await proxy.close();
      await prometheus.stop();
      removeDir(dir);
    },
  };
};

/** Starts what `store` needs (nothing for the embedded store). */
export const setUpStore = async (store: E2eStore): Promise<E2eStoreSetup> =>
  store === 'amp'
    ? startLocalWorkspace()
    : { store, configYaml: '', env: {}, stop: async () => {} };

/**
 * What reached the workspace with `store: amp` (signed requests forwarded, remote writes among
 * them, requests the proxy refused); undefined for the embedded store.
 */
export const workspaceTraffic = (
  setup: E2eStoreSetup | undefined,
): { forwarded: number; writes: number; reads: number; refused: number } | undefined => {
  const requests = setup?.proxy?.requests;
  if (!requests) return undefined;
  const forwarded = requests.filter((r) => r.verdict === 'forwarded');
  const writes = forwarded.filter((r) => r.path.endsWith('/remote_write')).length;
  return {
    forwarded: forwarded.length,
    writes,
    reads: forwarded.length - writes,
    refused: requests.length - forwarded.length,
  };
};
