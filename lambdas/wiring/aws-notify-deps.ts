/**
 * The AWS dependencies of the notifier functions, from the environment the CDK construct sets:
 * `ENV.ALERT_STATE_TABLE` (idempotency records), `ENV.CHANNELS` (dashboard URL, PagerDuty events
 * URL; no secrets) and the Secrets Manager ARN of the channel's secret
 * (`ENV.SLACK_WEBHOOK_SECRET` / `ENV.PAGERDUTY_ROUTING_KEY_SECRET`). The secret is read with
 * Powertools' `getSecret`, cached for {@link CREDENTIAL_MAX_AGE_SECONDS} as every deployed
 * credential is, so a rotated value is picked up without a redeploy, and never logged.
 */
import { PagerDutyNotifier } from '../adapters/notifiers/pagerduty-notifier';
import { SlackNotifier } from '../adapters/notifiers/slack-notifier';
import type { WebhookAlert } from '../domain/alerting/types';
import { PAGERDUTY_EVENTS_URL } from '../domain/notifications/topics';
import {
  alertLogsInsightsUrl,
  type ServiceLogGroups,
} from '../domain/notifications/logs-insights-link';
import type { SlackMessageOptions } from '../domain/notifications/slack-message';
import type { Notifier } from '../domain/alerting/notifier';
import type { DriftReportStore } from '../domain/drift/report-store';
import { CREDENTIAL_MAX_AGE_SECONDS } from './aws-credentials';
import { awsAlertStateStore, systemClock } from './aws-deps';
import { requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { logger } from '../shared/powertools';
import type { NotifyChannel, SnsNotifyDeps } from '../notify/sns-delivery';

/** The non-secret channel settings the functions need. */
interface NotifyChannelSettings {
  readonly dashboardUrl?: string;
  readonly eventsUrl: string;
  /** Structured-log groups, for Logs Insights links (region from the function's `AWS_REGION`). */
  readonly logs?: Omit<ServiceLogGroups, 'region'>;
}

/**
 * Reads `slack.dashboardUrl` and `pagerduty.eventsUrl` from the `ENV.CHANNELS` JSON (the
 * channels config); missing values fall back to no dashboard and PagerDuty's public endpoint.
 */
const parseChannelSettings = (raw: string | undefined): NotifyChannelSettings => {
  if (raw === undefined || raw.trim() === '') return { eventsUrl: PAGERDUTY_EVENTS_URL };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(`${ENV.CHANNELS} is not JSON`, { cause: error });
  }
  const o = (parsed ?? {}) as {
    slack?: { dashboardUrl?: unknown };
    pagerduty?: { eventsUrl?: unknown };
    logs?: { groups?: unknown; defaultGroup?: unknown };
  };
  const dashboardUrl = o.slack?.dashboardUrl;
  const eventsUrl = o.pagerduty?.eventsUrl;
  const logs = o.logs;
  const groups =
    typeof logs?.groups === 'object' && logs.groups !== null
      ? Object.fromEntries(
          Object.entries(logs.groups).filter(
            (e): e is [string, string] => typeof e[1] === 'string',
          ),
        )
      : undefined;
  return {
    ...(typeof dashboardUrl === 'string' && dashboardUrl !== '' ? { dashboardUrl } : {}),
    eventsUrl: typeof eventsUrl === 'string' && eventsUrl !== '' ? eventsUrl : PAGERDUTY_EVENTS_URL,
    ...(groups && typeof logs?.defaultGroup === 'string'
      ? { logs: { groups, defaultGroup: logs.defaultGroup } }
      : {}),
  };
};

/** Dashboard button and Logs Insights links of Slack messages. */
const slackMessageOptions = (
  settings: NotifyChannelSettings,
  region: string | undefined,
): SlackMessageOptions => {
  const { logs, dashboardUrl } = settings;
  return {
    ...(dashboardUrl ? { dashboardUrl } : {}),
    ...(logs && region
      ? {
          logsInsightsUrl: (id: string, alert: WebhookAlert) =>
            alertLogsInsightsUrl(id, alert, { ...logs, region }),
        }
      : {}),
  };
};

/**
 * The newest report of a drift monitor, from the reports bucket the drift construct names in
 * `ENV.DRIFT_REPORTS_BUCKET` (absent without drift monitors); the S3 adapter loads on first use.
 */
const latestDriftReportOf = (
  bucket: string | undefined,
): ((monitor: string) => Promise<string | undefined>) | undefined => {
  if (!bucket) return undefined;
  let store: Promise<DriftReportStore> | undefined;
  return async (monitor) => {
    store ??= import('../adapters/drift-reports/s3-drift-report-store').then(
      (m) => new m.S3DriftReportStore({ bucket }),
    );
    return (await (await store).list({ monitor, limit: 1 }))[0]?.id;
  };
};

/** The secret's text; a missing or binary secret is an error naming the env variable only. */
const secretText = async (envName: string): Promise<string> => {
  const arn = requireEnv(envName, 'Secrets Manager secret ARN');
  // Secrets Manager's client loads with the first secret read.
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const value = await getSecret(arn, { maxAge: CREDENTIAL_MAX_AGE_SECONDS });
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`the secret named by ${envName} has no text value: set it (docs/channels.md)`);
  }
  return value.trim();
};

/**
 * The channel's notifier for the current secret value: rebuilt only when the value changes, so
 * Slack's one-message-per-second pacing carries over between invocations of a warm function.
 */
const secretNotifier = (
  envName: string,
  build: (secret: string) => Notifier,
): (() => Promise<Notifier>) => {
  let current: { secret: string; notifier: Notifier } | undefined;
  return async () => {
    const secret = await secretText(envName);
    if (current?.secret !== secret) current = { secret, notifier: build(secret) };
    return current.notifier;
  };
};

/** Everything one notifier function needs, on DynamoDB, Secrets Manager and HTTPS. */
const awsNotifyDeps = (channel: NotifyChannel): SnsNotifyDeps => {
  const settings = parseChannelSettings(process.env[ENV.CHANNELS]);
  const latestDriftReport = latestDriftReportOf(process.env[ENV.DRIFT_REPORTS_BUCKET]);
  const notifier =
    channel === 'slack'
      ? secretNotifier(
          ENV.SLACK_WEBHOOK_SECRET,
          (webhookUrl) =>
            new SlackNotifier({
              webhookUrl,
              message: slackMessageOptions(settings, process.env.AWS_REGION),
              ...(latestDriftReport ? { latestDriftReport } : {}),
            }),
        )
      : secretNotifier(
          ENV.PAGERDUTY_ROUTING_KEY_SECRET,
          (routingKey) =>
            new PagerDutyNotifier({
              routingKey,
              url: settings.eventsUrl,
              ...(settings.dashboardUrl ? { dashboardUrl: settings.dashboardUrl } : {}),
            }),
        );
  return {
    channel,
    notifier,
    state: awsAlertStateStore(requireEnv(ENV.ALERT_STATE_TABLE, 'alert state table')),
    clock: systemClock,
    log: {
      info: (message, extra = {}) => logger.info(message, { ...extra }),
      error: (message, extra = {}) => logger.error(message, { ...extra }),
    },
  };
};

export type { NotifyChannelSettings };
export { awsNotifyDeps, parseChannelSettings, slackMessageOptions };
