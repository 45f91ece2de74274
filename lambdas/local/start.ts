import type { AddressInfo } from 'node:net';
import { makeHealthHandler } from '../api/health';
import { makeIngestMetricsHandler } from '../api/ingest-metrics';
import { makePushgatewayHandler } from '../api/ingest-pushgateway';
import { makeRemoteWriteHandler } from '../api/ingest-remote-write';
import { makeQueryHandler } from '../api/query';
import { makeReadSeriesHandler } from '../api/read-series';
import { FunctionName } from '../api/routes';
import type { VigilConfig } from '../domain/config/types';
import type { Clock } from '../domain/ports';
import { VIGIL_VERSION } from '../shared/version';
import { createLocalServer, type LocalHandler } from './http-server';
import { localApiDeps } from './local-deps';

export interface LocalVigilOptions {
  readonly config: VigilConfig;
  readonly dataDir: string;
  readonly apiKeys: readonly string[];
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
  readonly clock?: Clock;
}

/** Starts local Vigil (used by `npm start` and by the end-to-end tests). */
const startLocalVigil = async (
  opts: LocalVigilOptions,
): Promise<{ port: number; close(): Promise<void> }> => {
  const deps = localApiDeps(opts.config, opts.dataDir, opts.clock);
  const handlers: Record<FunctionName, LocalHandler> = {
    [FunctionName.IngestMetrics]: makeIngestMetricsHandler(deps),
    [FunctionName.IngestPushgateway]: makePushgatewayHandler(deps),
    [FunctionName.IngestRemoteWrite]: makeRemoteWriteHandler(deps),
    [FunctionName.ReadSeries]: makeReadSeriesHandler(deps),
    [FunctionName.Query]: makeQueryHandler(deps),
    [FunctionName.Health]: makeHealthHandler({ version: VIGIL_VERSION, mode: 'local' }),
  };
  const server = createLocalServer({
    handlers,
    apiKeys: opts.apiKeys,
    maxBodyBytes: opts.config.limits.maxBodyBytes,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          deps.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
};

export { startLocalVigil };
