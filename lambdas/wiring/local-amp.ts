/**
 * Local mode with `store: amp`: samples written to and PromQL evaluated by an Amazon Managed
 * Service for Prometheus workspace (or any endpoint speaking its SigV4-signed remote-write and
 * query API), with the AWS SDK's default credential chain (environment, profile, SSO, ...).
 * Everything else (push groups, alert state, logs, events, drift reports) stays in the data
 * directory.
 */
import { MemoryCardinalityTracker } from '../adapters/cardinality/memory-cardinality-tracker';
import { createSigV4Fetch } from '../adapters/aws/sigv4-fetch';
import { PrometheusApiQueryEngine } from '../adapters/query/prometheus-api-query-engine';
import { AmpRemoteWriteWriter } from '../adapters/storage/amp/amp-remote-write-writer';
import { RemoteWriteSeriesStore } from '../adapters/storage/amp/remote-write-series-store';
import { ampEndpointOf } from '../domain/config/store';
import type { AmpConfig } from '../domain/config/types';
import { ConfigError } from '../domain/config/validate';
import type { CardinalityTracker, Clock, SeriesStore } from '../domain/ports';
import type { QueryEngine } from '../domain/query/query-engine';
import { type RescrapeDeps, runPushRescrapeWindow } from '../domain/pushgateway/push-rescrape';
import { logger } from '../shared/powertools';

/** The workspace's store (writes), query engine (reads) and series-per-metric guard. */
const localAmpSamples = (
  amp: AmpConfig,
  envRegion: string | undefined,
): { store: SeriesStore; queryEngine: QueryEngine; cardinality: CardinalityTracker } => {
  const endpoint = ampEndpointOf(amp, envRegion);
  if ('error' in endpoint) throw new ConfigError('vigil.config.yaml', [endpoint.error]);
  const signed = createSigV4Fetch({ region: endpoint.region, service: 'aps' });
  return {
    store: new RemoteWriteSeriesStore({
      writer: new AmpRemoteWriteWriter({
        endpoint: `${endpoint.url}/api/v1/remote_write`,
        fetch: signed,
      }),
    }),
    queryEngine: new PrometheusApiQueryEngine({ baseUrl: endpoint.url, fetch: signed }),
    cardinality: new MemoryCardinalityTracker(),
  };
};

/** How often local mode re-emits pushed series (each run covers the time since the last). */
const RESCRAPE_TIMER_MS = 1000;

/**
 * Pushgateway semantics on a workspace, as the scheduled `rescrape-pushed-groups` function gives
 * them on AWS: every current pushed series is written again at each scrape interval after its
 * push, here by a timer whose windows start at start-up and follow one another without a gap.
 * A failed write is logged and its window skipped, as a missed scrape. Returns the stop function.
 */
const startPushRescrapeTimer = (deps: RescrapeDeps, clock: Clock): (() => Promise<void>) => {
  let fromMs = clock.now();
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const window = { fromMs, toMs: clock.now() };
    fromMs = window.toMs;
    running = runPushRescrapeWindow(deps, window)
      .then((summary) => {
        if (summary.rejected > 0) logger.warn('pushed series re-emission refused', { ...summary });
      })
      .catch((err: unknown) => logger.error('pushed series re-emission failed', err as Error))
      .finally(() => {
        busy = false;
      });
  }, RESCRAPE_TIMER_MS);
  return async () => {
    clearInterval(timer);
    await running;
  };
};

export { localAmpSamples, startPushRescrapeTimer };
