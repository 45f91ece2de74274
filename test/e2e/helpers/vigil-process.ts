/**
 * Runs Vigil the way a user does (`npm start` = `node dist/server.js`, built by jest's global
 * setup from the current sources) as a real child process,
 * and reads back what it stored through its HTTP API. Used by every end-to-end test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../helpers/free-port';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/e2e/helpers/vigil-process.ts). */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** How long a child gets to start or stop before the test gives up on it. */
const STARTUP_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** A fresh temporary directory; remove it with `removeDir`. */
const makeTmpDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `vigil-e2e-${prefix}-`));
const removeDir = (dir: string): void => rmSync(dir, { recursive: true, force: true });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it returns something other than `undefined`, or fails after `timeoutMs`
 * with `what` and the last probe error in the message. A bounded wait, not a timed assertion.
 */
const waitFor = async <T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
};

/** A child process started in its own process group, with its output captured for messages. */
interface ManagedChild {
  readonly child: ChildProcess;
  output(): string;
  /** Signals the whole process group and waits for the exit (SIGKILL after a grace period). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const startChild = (
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): ManagedChild => {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    // Its own process group, so stop() reaches every process it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const exited = new Promise<void>((r) => {
    if (child.exitCode !== null || child.signalCode !== null) r();
    else child.once('exit', () => r());
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  return {
    child,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(signal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      // Make sure nothing of the group is left.
      signalGroup('SIGKILL');
    },
  };
};

export interface VigilProcess {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly dataDir: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `node dist/server.js` (what `npm start` runs) on a free port with the given data
 * directory and API keys, and waits until `GET /health` answers 200.
 */
const startVigil = async (opts: {
  dataDir: string;
  apiKeys?: readonly string[];
  port?: number;
  /** More environment, e.g. AWS credentials for `store: amp`. */
  env?: Record<string, string>;
}): Promise<VigilProcess> => {
  const port = opts.port ?? (await freePort());
  const env: Record<string, string> = {
    ...opts.env,
    PORT: String(port),
    VIGIL_DATA_DIR: opts.dataDir,
    VIGIL_API_KEYS: (opts.apiKeys ?? []).join(','),
  };
  const managed = startChild(process.execPath, [join(REPO_ROOT, 'dist', 'server.js')], env);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      `Vigil's /health on ${url}`,
      async () => {
        if (managed.child.exitCode !== null)
          throw new Error(`vigil exited with ${managed.child.exitCode}: ${managed.output()}`);
        const res = await fetch(`${url}/health`);
        return res.status === 200 ? true : undefined;
      },
      { timeoutMs: STARTUP_TIMEOUT_MS, intervalMs: 100 },
    );
  } catch (e) {
    await managed.stop('SIGKILL');
    throw new Error(`${(e as Error).message}\n--- vigil output ---\n${managed.output()}`);
  }
  return { port, url, dataDir: opts.dataDir, output: managed.output, stop: managed.stop };
};

const authHeaders = (apiKey?: string): Record<string, string> =>
  apiKey === undefined ? {} : { 'x-api-key': apiKey };

/** `GET /api/v1/series?match[]=<selector>`: the label sets, sorted by their JSON. */
const seriesOf = async (
  vigil: VigilProcess,
  selector: string,
  apiKey?: string,
): Promise<Record<string, string>[]> => {
  const res = await fetch(`${vigil.url}/api/v1/series?match[]=${encodeURIComponent(selector)}`, {
    headers: authHeaders(apiKey),
  });
  const body = (await res.json()) as { status: string; data: Record<string, string>[] };
  if (res.status !== 200 || body.status !== 'success')
    throw new Error(`series ${selector}: ${res.status} ${JSON.stringify(body)}`);
  return [...body.data].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
};

/** The distinct `__name__`s of the series matching `selector`, sorted. */
const metricNamesOf = async (
  vigil: VigilProcess,
  selector: string,
  apiKey?: string,
): Promise<string[]> =>
  [...new Set((await seriesOf(vigil, selector, apiKey)).map((l) => l.__name__ as string))].sort();

/** `GET /api/v1/query?query=<expr>` (instant, now): the vector's `[labels, value]` pairs, sorted. */
const instantQuery = async (
  vigil: VigilProcess,
  expr: string,
  apiKey?: string,
): Promise<[Record<string, string>, number][]> => {
  const res = await fetch(`${vigil.url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
    headers: authHeaders(apiKey),
  });
  const body = (await res.json()) as {
    status: string;
    data?: {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[];
    };
  };
  if (res.status !== 200 || body.status !== 'success' || body.data?.resultType !== 'vector')
    throw new Error(`query ${expr}: ${res.status} ${JSON.stringify(body)}`);
  return body.data.result
    .map((r): [Record<string, string>, number] => [r.metric, Number(r.value[1])])
    .sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));
};

/** One sample line of a `/federate` answer. */
export interface FederatedSample {
  readonly name: string;
  /** The raw `{...}` part, e.g. `{instance="gpu-node/0",job="train"}`. */
  readonly labels: string;
  readonly value: number;
}

/** `GET /federate?match[]=<selector>`, parsed into its sample lines. */
const federate = async (
  vigil: VigilProcess,
  selector: string,
  apiKey?: string,
): Promise<FederatedSample[]> => {
  const res = await fetch(`${vigil.url}/federate?match[]=${encodeURIComponent(selector)}`, {
    headers: authHeaders(apiKey),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`federate ${selector}: ${res.status} ${text}`);
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+\S+)?$/.exec(line);
      if (!m) throw new Error(`unexpected federate line: ${line}`);
      return { name: m[1] as string, labels: m[2] ?? '{}', value: Number(m[3]) };
    });
};

/** The value of the single federated sample named `name` whose labels contain `labelPart`. */
const federatedValue = (
  samples: readonly FederatedSample[],
  name: string,
  labelPart = '',
): number | undefined =>
  samples.find((s) => s.name === name && s.labels.includes(labelPart))?.value;

export {
  federate,
  federatedValue,
  freePort,
  instantQuery,
  makeTmpDir,
  metricNamesOf,
  REPO_ROOT,
  removeDir,
  seriesOf,
  startChild,
  startVigil,
  waitFor,
};
export type { ManagedChild };
