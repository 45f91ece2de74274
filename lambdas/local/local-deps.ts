import { join } from 'node:path';
import { FileAlertStateStore } from '../adapters/alert-state/file-alert-state-store';
import { NoopMetricsMirror } from '../adapters/mirror/noop-metrics-mirror';
import { ConsoleNotifier } from '../adapters/notifiers/console-notifier';
import { MultiNotifier } from '../adapters/notifiers/multi-notifier';
import { WebhookNotifier } from '../adapters/notifiers/webhook-notifier';
import { FilePushGroupStore } from '../adapters/push-groups/file-push-group-store';
import { EmbeddedSeriesStore } from '../adapters/storage/embedded-series-store';
import type { ApiDeps } from '../api/deps';
import type { VigilConfig } from '../domain/config/types';
import { runtimeConfigOf } from '../domain/config/validate';
import type { AlertStateStore, Clock, Notifier } from '../domain/ports';
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

/**
 * Local mode's alerting adapters: alert state in files under `<dataDir>/alerts`, notifications to
 * the console and to each `alerting.webhook_urls` receiver.
 */
const localAlertingDeps = (
  config: VigilConfig,
  dataDir: string,
  clock: Clock = { now: () => Date.now() },
): { state: AlertStateStore; notifier: Notifier } => ({
  state: new FileAlertStateStore({ directory: join(dataDir, 'alerts'), now: () => clock.now() }),
  notifier: new MultiNotifier([
    new ConsoleNotifier(),
    ...config.alerting.webhookUrls.map((url) => new WebhookNotifier({ url })),
  ]),
});

export { localAlertingDeps, localApiDeps };
