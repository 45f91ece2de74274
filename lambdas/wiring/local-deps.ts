import { join } from 'node:path';
import { FileAlertStateStore } from '../adapters/alert-state/file-alert-state-store';
import { FileCounterStore } from '../adapters/counters/file-counter-store';
import { FileEventStore, localEventsDir } from '../adapters/events/file-event-store';
import { FileLogStore, localLogsDir } from '../adapters/logs/file-log-store';
import { NoopMetricsMirror } from '../adapters/mirror/noop-metrics-mirror';
import { ChannelRouter } from '../adapters/notifiers/channel-router';
import { MultiNotifier } from '../adapters/notifiers/multi-notifier';
import { PagerDutyNotifier } from '../adapters/notifiers/pagerduty-notifier';
import { SlackNotifier } from '../adapters/notifiers/slack-notifier';
import { FileDriftReportStore } from '../adapters/drift-reports/file-drift-report-store';
import { localDriftReportsDir } from './local-drift';
import { WebhookNotifier } from '../adapters/notifiers/webhook-notifier';
import { FilePushGroupStore } from '../adapters/push-groups/file-push-group-store';
import { EmbeddedSeriesStore } from '../adapters/storage/embedded-series-store';
import type { ApiDeps } from '../api/deps';
import type { LogsApiDeps } from '../api/ingest-logs';
import type { VigilConfig } from '../domain/config/types';
import { runtimeConfigOf } from '../domain/config/validate';
import type { AlertStateStore, Clock } from '../domain/ports';
import type { Notifier } from '../domain/alerting/notifier';
import { PushAwareSeriesStore } from '../domain/pushgateway/push-aware-series-store';
import { EmailConsoleNotifier } from '../adapters/notifiers/email-console-notifier';
import type { AlertmanagerSender } from '../domain/alerting/alertmanager-sender';
import { alertmanagerSender } from './alertmanager-deps';
import { localAmpSamples } from './local-amp';

/**
 * Local mode's adapters: everything embedded, persisted under `dataDir`; with `store: amp`, samples
 * are written to and read from the workspace (`local-amp.ts`) and pushed series are re-emitted by
 * `startPushRescrapeTimer` instead of being added on read.
 */
const localApiDeps = (
  config: VigilConfig,
  dataDir: string,
  clock: Clock = { now: () => Date.now() },
  env: { readonly AWS_REGION?: string | undefined } = process.env,
): ApiDeps & { close(): void } => {
  const pushGroups = new FilePushGroupStore({ directory: join(dataDir, 'pushgateway') });
  const runtime = runtimeConfigOf(config);
  const common = { mirror: new NoopMetricsMirror(), pushGroups, clock, config: runtime };
  if (config.store === 'amp') {
    return {
      ...common,
      ...localAmpSamples(config.amp, env.AWS_REGION),
      close: () => pushGroups.close(),
    };
  }
  const samples = new EmbeddedSeriesStore({ dataDir: join(dataDir, 'samples') });
  return {
    ...common,
    store: new PushAwareSeriesStore({
      inner: samples,
      groups: pushGroups,
      scrapeIntervalMs: runtime.pushgateway.scrapeIntervalSeconds * 1000,
      clock,
    }),
    cardinality: samples,
    close: () => {
      samples.close();
      pushGroups.close();
    },
  };
};

/**
 * Local mode's notifier, the in-process stand-in for the SNS topics and their subscriptions: every
 * notification's email body is printed to the console and posted to each `alerting.webhook_urls`
 * receiver; the severities whose channels enable Slack / PagerDuty also go through the same
 * `SlackNotifier` / `PagerDutyNotifier` as the AWS functions, to `channels.slack.webhookUrl` and
 * `channels.pagerduty.eventsUrl` with `channels.pagerduty.routingKey` (each only when configured).
 * With `dataDir` and drift monitors, Slack messages of drift alerts link the monitor's newest
 * report page under `<dataDir>/drift-reports`.
 */
const localNotifier = (config: VigilConfig, dataDir?: string): Notifier => {
  const { channels } = config;
  const reports =
    dataDir !== undefined && config.drift.monitors.length > 0
      ? new FileDriftReportStore({ directory: localDriftReportsDir(dataDir) })
      : undefined;
  const dashboard = channels.slack.dashboardUrl
    ? { dashboardUrl: channels.slack.dashboardUrl }
    : {};
  return new ChannelRouter({
    channels,
    base: new MultiNotifier([
      new EmailConsoleNotifier(),
      ...config.alerting.webhookUrls.map((url) => new WebhookNotifier({ url })),
    ]),
    ...(channels.slack.webhookUrl
      ? {
          slack: new SlackNotifier({
            webhookUrl: channels.slack.webhookUrl,
            message: dashboard,
            ...(reports
              ? {
                  latestDriftReport: async (monitor: string) =>
                    (await reports.list({ monitor, limit: 1 }))[0]?.id,
                }
              : {}),
          }),
        }
      : {}),
    ...(channels.pagerduty.routingKey
      ? {
          pagerduty: new PagerDutyNotifier({
            routingKey: channels.pagerduty.routingKey,
            url: channels.pagerduty.eventsUrl,
            ...dashboard,
          }),
        }
      : {}),
  });
};

/**
 * Local mode's alerting adapters: alert state in files under `<dataDir>/alerts`, notifications
 * through {@link localNotifier}, alerts to `alerting.alertmanagers` over HTTP in the background
 * (inline and `*_file` credentials).
 */
const localAlertingDeps = (
  config: VigilConfig,
  dataDir: string,
  clock: Clock = { now: () => Date.now() },
): { state: AlertStateStore; notifier: Notifier; alertmanagers: AlertmanagerSender } => ({
  state: new FileAlertStateStore({ directory: join(dataDir, 'alerts'), now: () => clock.now() }),
  notifier: localNotifier(config, dataDir),
  alertmanagers: alertmanagerSender({ background: true }),
});

/**
 * Local mode's log adapters: events as NDJSON files per service and day under `<dataDir>/logs`
 * (what `vigil logs` reads), prediction records under `<dataDir>/events`, counters in
 * `<dataDir>/counters.json`; `vigil_log_events_total` through the same metric ports as `api`.
 */
const localLogsApiDeps = (config: VigilConfig, dataDir: string, api: ApiDeps): LogsApiDeps => ({
  store: api.store,
  cardinality: api.cardinality,
  mirror: api.mirror,
  clock: api.clock,
  config: api.config,
  logs: config.logs,
  logSink: new FileLogStore({ dir: localLogsDir(dataDir) }),
  events: new FileEventStore({ dir: localEventsDir(dataDir) }),
  counters: new FileCounterStore({ path: join(dataDir, 'counters.json') }),
});

export { localAlertingDeps, localApiDeps, localLogsApiDeps, localNotifier };
