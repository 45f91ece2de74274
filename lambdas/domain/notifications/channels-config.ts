import type { ConfigIssue } from '../config/validate';

/** The three severities that have an SNS topic each. */
export const TOPIC_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type TopicSeverity = (typeof TOPIC_SEVERITIES)[number];

/** Where notifications of one severity go. */
export interface SeverityChannels {
  /** Email addresses subscribed to the severity's SNS topic (each confirms by email). */
  readonly email: readonly string[];
  /** Deliver to Slack (the Slack notifier function subscribes to this topic). */
  readonly slack: boolean;
  /** Deliver to PagerDuty Events API v2 (the PagerDuty notifier function subscribes). */
  readonly pagerduty: boolean;
}

/** `channels:` in vigil.config.yaml. */
export interface ChannelsConfig {
  readonly severities: Readonly<Record<TopicSeverity, SeverityChannels>>;
  /** Other `severity` label values and the topic they go to. @default high→critical, page→critical, medium→warning, low→info */
  readonly aliases: Readonly<Record<string, TopicSeverity>>;
  /** Topic of alerts without a (known) severity label. @default 'warning' */
  readonly default: TopicSeverity;
  /** Slack: a dashboard link shown in messages; locally also the webhook URL (on AWS it lives in Secrets Manager). */
  readonly slack: { readonly webhookUrl?: string; readonly dashboardUrl?: string };
  /** PagerDuty: the Events API URL (overridable for tests); locally also the routing key. */
  readonly pagerduty: { readonly eventsUrl: string; readonly routingKey?: string };
}

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

const NONE: SeverityChannels = { email: [], slack: false, pagerduty: false };

export const DEFAULT_CHANNELS_CONFIG: ChannelsConfig = {
  severities: { critical: NONE, warning: NONE, info: NONE },
  aliases: { high: 'critical', page: 'critical', medium: 'warning', low: 'info' },
  default: 'warning',
  slack: {},
  pagerduty: { eventsUrl: PAGERDUTY_EVENTS_URL },
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSeverity = (v: unknown): v is TopicSeverity =>
  TOPIC_SEVERITIES.includes(v as TopicSeverity);
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_RE = /^https?:\/\/\S+$/;

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
): { config: ChannelsConfig; issues: ConfigIssue[] } => {
  const issues: ConfigIssue[] = [];
  const fail = (p: string, message: string) => issues.push({ path: p, message });
  if (raw === undefined || raw === null) return { config: DEFAULT_CHANNELS_CONFIG, issues };
  if (!isObj(raw)) {
    fail(path, 'must be a mapping');
    return { config: DEFAULT_CHANNELS_CONFIG, issues };
  }
  const allowed = [...TOPIC_SEVERITIES, 'aliases', 'default', 'slack', 'pagerduty'];
  for (const k of Object.keys(raw)) {
    if (!allowed.includes(k))
      fail(`${path}.${k}`, `unknown key (expected one of: ${allowed.join(', ')})`);
  }
  const severities = { ...DEFAULT_CHANNELS_CONFIG.severities };
  for (const sev of TOPIC_SEVERITIES) {
    const v = raw[sev];
    if (v === undefined || v === null) continue;
    const p = `${path}.${sev}`;
    if (!isObj(v)) {
      fail(p, 'must be a mapping with email, slack, pagerduty');
      continue;
    }
    for (const k of Object.keys(v)) {
      if (!['email', 'slack', 'pagerduty'].includes(k))
        fail(`${p}.${k}`, 'unknown key (expected email, slack, pagerduty)');
    }
    const email = v.email ?? [];
    if (!Array.isArray(email)) fail(`${p}.email`, 'must be a list of email addresses');
    const emails = Array.isArray(email) ? email : [];
    emails.forEach((e, i) => {
      if (typeof e !== 'string' || !EMAIL_RE.test(e))
        fail(`${p}.email[${i}]`, `not an email address: ${JSON.stringify(e)}`);
    });
    for (const k of ['slack', 'pagerduty'] as const) {
      if (v[k] !== undefined && typeof v[k] !== 'boolean')
        fail(`${p}.${k}`, 'must be true or false');
    }
    severities[sev] = {
      email: emails.filter((e): e is string => typeof e === 'string'),
      slack: v.slack === true,
      pagerduty: v.pagerduty === true,
    };
  }
  const aliases: Record<string, TopicSeverity> = { ...DEFAULT_CHANNELS_CONFIG.aliases };
  if (raw.aliases !== undefined) {
    if (!isObj(raw.aliases))
      fail(`${path}.aliases`, 'must map severity label values to critical, warning or info');
    else {
      for (const [k, v] of Object.entries(raw.aliases)) {
        if (!isSeverity(v))
          fail(`${path}.aliases.${k}`, `must be one of ${TOPIC_SEVERITIES.join(', ')}`);
        else aliases[k] = v;
      }
    }
  }
  let def = DEFAULT_CHANNELS_CONFIG.default;
  if (raw.default !== undefined) {
    if (!isSeverity(raw.default))
      fail(`${path}.default`, `must be one of ${TOPIC_SEVERITIES.join(', ')}`);
    else def = raw.default;
  }
  const url = (o: Obj, k: string, p: string): string | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || !URL_RE.test(v)) {
      fail(`${p}.${k}`, `must be an http(s) URL, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  };
  const slackRaw = isObj(raw.slack) ? raw.slack : {};
  if (raw.slack !== undefined && !isObj(raw.slack)) fail(`${path}.slack`, 'must be a mapping');
  for (const k of Object.keys(slackRaw)) {
    if (!['webhookUrl', 'dashboardUrl'].includes(k))
      fail(`${path}.slack.${k}`, 'unknown key (expected webhookUrl, dashboardUrl)');
  }
  const pdRaw = isObj(raw.pagerduty) ? raw.pagerduty : {};
  if (raw.pagerduty !== undefined && !isObj(raw.pagerduty))
    fail(`${path}.pagerduty`, 'must be a mapping');
  for (const k of Object.keys(pdRaw)) {
    if (!['eventsUrl', 'routingKey'].includes(k))
      fail(`${path}.pagerduty.${k}`, 'unknown key (expected eventsUrl, routingKey)');
  }
  if (pdRaw.routingKey !== undefined && typeof pdRaw.routingKey !== 'string') {
    fail(`${path}.pagerduty.routingKey`, 'must be a string');
  }
  const webhookUrl = url(slackRaw, 'webhookUrl', `${path}.slack`);
  const dashboardUrl = url(slackRaw, 'dashboardUrl', `${path}.slack`);
  const routingKey = typeof pdRaw.routingKey === 'string' ? pdRaw.routingKey : undefined;
  return {
    config: {
      severities,
      aliases,
      default: def,
      slack: { ...(webhookUrl ? { webhookUrl } : {}), ...(dashboardUrl ? { dashboardUrl } : {}) },
      pagerduty: {
        eventsUrl: url(pdRaw, 'eventsUrl', `${path}.pagerduty`) ?? PAGERDUTY_EVENTS_URL,
        ...(routingKey ? { routingKey } : {}),
      },
    },
    issues,
  };
};

export { topicSeverityOf, validateChannelsConfig };
