import type { ConfigIssue } from '../config/issues';
import {
  bool,
  fail,
  type Infer,
  list,
  mapping,
  matching,
  runSchema,
  show,
  str,
  z,
} from '../config/schema-kit';

import { PAGERDUTY_EVENTS_URL, TOPIC_SEVERITIES, type TopicSeverity } from './topics';

export type { TopicSeverity };
export { PAGERDUTY_EVENTS_URL, TOPIC_SEVERITIES };

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_RE = /^https?:\/\/\S+$/;
const DEFAULT_ALIASES: Readonly<Record<string, TopicSeverity>> = {
  high: 'critical',
  page: 'critical',
  medium: 'warning',
  low: 'info',
};

const topicSeverity = z.enum(TOPIC_SEVERITIES, {
  error: `must be one of ${TOPIC_SEVERITIES.join(', ')}`,
});
const httpUrl = matching(URL_RE, (v) => `must be an http(s) URL, got ${show(v)}`);

/** Where notifications of one severity go. */
const severityChannels = mapping(
  {
    /** Email addresses subscribed to the severity's SNS topic (each confirms by email). */
    email: list(
      z.unknown().superRefine((e, ctx) => {
        if (typeof e !== 'string' || !EMAIL_RE.test(e))
          fail(ctx, `not an email address: ${show(e)}`);
      }) as unknown as z.ZodString,
      'must be a list of email addresses',
    ).default([]),
    /** Deliver to Slack (the Slack notifier function subscribes to this topic). */
    slack: bool().default(false),
    /** Deliver to PagerDuty Events API v2 (the PagerDuty notifier function subscribes). */
    pagerduty: bool().default(false),
  },
  'must be a mapping with email, slack, pagerduty',
).prefault({});

/** `channels:` in vigil.config.yaml. */
const channelsSchema = mapping({
  critical: severityChannels,
  warning: severityChannels,
  info: severityChannels,
  /** Other `severity` label values and the topic they go to (added to high, page, medium, low). */
  aliases: z
    .record(z.string(), topicSeverity, {
      error: 'must map severity label values to critical, warning or info',
    })
    .default({}),
  /** Topic of alerts without a (known) severity label. */
  default: topicSeverity.default('warning'),
  /** Slack: a dashboard link shown in messages; locally also the webhook URL (on AWS it lives in Secrets Manager). */
  slack: mapping({ webhookUrl: httpUrl.optional(), dashboardUrl: httpUrl.optional() }).default({}),
  /** PagerDuty: the Events API URL (overridable for tests); locally also the routing key. */
  pagerduty: mapping({
    eventsUrl: httpUrl.default(PAGERDUTY_EVENTS_URL),
    routingKey: str().optional(),
  }).prefault({}),
})
  .prefault({})
  .transform(({ critical, warning, info, aliases, ...rest }) => ({
    severities: { critical, warning, info },
    aliases: { ...DEFAULT_ALIASES, ...aliases },
    ...rest,
  }));

export type ChannelsConfig = Infer<typeof channelsSchema>;
export type SeverityChannels = ChannelsConfig['severities'][TopicSeverity];

export const DEFAULT_CHANNELS_CONFIG: ChannelsConfig = channelsSchema.parse(undefined);

const isSeverity = (v: unknown): v is TopicSeverity =>
  TOPIC_SEVERITIES.includes(v as TopicSeverity);

/** The topic severity a `severity` label value maps to (aliases, then the default). */
const topicSeverityOf = (label: string | undefined, channels: ChannelsConfig): TopicSeverity => {
  if (isSeverity(label)) return label;
  return (label !== undefined && channels.aliases[label]) || channels.default;
};

/**
 * Validates `channels:`; every problem is returned with its path.
 * @example validateChannelsConfig({ critical: { email: ['oncall@example.com'], pagerduty: true } })
 */
const validateChannelsConfig = (
  raw: unknown,
  path = 'channels',
): { config: ChannelsConfig; issues: ConfigIssue[] } =>
  runSchema(channelsSchema, raw, path, () => DEFAULT_CHANNELS_CONFIG as never);

export { channelsSchema, topicSeverityOf, validateChannelsConfig };
