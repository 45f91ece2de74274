import { join } from 'node:path';
import { NoopMetricsMirror } from '../adapters/mirror/noop-metrics-mirror';
import { FilePushGroupStore } from '../adapters/push-groups/file-push-group-store';
import { EmbeddedSeriesStore } from '../adapters/storage/embedded-series-store';
import type { ApiDeps } from '../api/deps';
import type { VigilConfig } from '../domain/config/types';
import { runtimeConfigOf } from '../domain/config/validate';
import type { Clock } from '../domain/ports';
import { PushAwareSeriesStore } from '../domain/pushgateway/push-aware-series-store';

/** Local mode's adapters: everything embedded, persisted under `dataDir`. */
const localApiDeps = (
  config: VigilConfig,
  dataDir: string,
  clock: Clock = { now: () => Date.now() },
): ApiDeps & { close(): void } => {
  const samples = new EmbeddedSeriesStore({ dataDir: join(dataDir, 'samples') });
  const pushGroups = new FilePushGroupStore({ directory: join(dataDir, 'pushgateway') });
  const runtime = runtimeConfigOf(config);
  return {
    store: new PushAwareSeriesStore({
      inner: samples,
      groups: pushGroups,
      scrapeIntervalMs: runtime.pushgateway.scrapeIntervalSeconds * 1000,
      clock,
    }),
    cardinality: samples,
    mirror: new NoopMetricsMirror(),
    pushGroups,
    clock,
    config: runtime,
    close: () => samples.close(),
  };
};

export { localApiDeps };
