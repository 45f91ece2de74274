/**
 * Local Vigil in this process (`startLocalVigil`, the code `npm start` runs) on a free port and a
 * fresh data directory, with a raw HTTP client: paths are sent byte for byte, so malformed
 * percent-encoding reaches the server as a client would send it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { validateConfig } from '../../lambdas/domain/config/validate';

interface LocalResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
}

interface LocalVigil {
  readonly port: number;
  readonly dataDir: string;
  request(
    method: string,
    path: string,
    body?: string | Uint8Array,
    headers?: Record<string, string>,
  ): Promise<LocalResponse>;
  /** Stops the server; the data directory is removed unless `keepData`. */
  close(opts?: { keepData?: boolean }): Promise<void>;
}

const startTestVigil = async (
  opts: { config?: VigilConfig; dataDir?: string; now?: () => number } = {},
): Promise<LocalVigil> => {
  // Powertools goes back to its initial level on every warm invocation, so `logLevel:` alone does
  // not keep thousands of refused test requests out of the output: set the initial level too,
  // before the logger is first imported.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const { startLocalVigil } = await import('../../lambdas/local/start');
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'vigil-local-'));
  const config = opts.config ?? validateConfig({ logLevel: 'ERROR' }).config;
  const vigil = await startLocalVigil({
    config,
    dataDir,
    apiKeys: [],
    port: 0,
    host: '127.0.0.1',
    ...(opts.now ? { clock: { now: opts.now } } : {}),
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const request: LocalVigil['request'] = (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port: vigil.port, method, path, headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    port: vigil.port,
    dataDir,
    request,
    close: async ({ keepData = false } = {}) => {
      agent.destroy();
      await vigil.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

export type { LocalResponse, LocalVigil };
export { startTestVigil };
