/**
 * Slack message (Block Kit, posted to an incoming webhook) for one alert notification. Pure.
 *
 * Layout: a header (🔥 FIRING / ✅ RESOLVED, alert count, alert name, severity), a context block
 * with the group's labels, one section per alert (status, summary, description, other
 * annotations, labels, start/end, links to the runbook, the source expression, a Logs
 * Insights query when the alert carries a correlation id and the HTML drift report of a drift
 * monitor's alert), an actions block with the dashboard
 * and group runbook buttons, and "…and N more alerts" when the alerts do not all fit.
 *
 * Limits (https://api.slack.com/reference/block-kit/blocks): at most 50 blocks per message,
 * section text at most 3,000 characters, header text (plain_text) at most 150 characters, context
 * elements at most 2,000 characters and 10 per block, button text at most 75 characters and button
 * URL at most 3,000 characters. Text is shortened at a word boundary, never mid-word.
 * mrkdwn escaping: `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;`
 * (https://api.slack.com/reference/surfaces/formatting#escaping).
 */
import type { Notification, WebhookAlert } from '../alerting/types';
import type { Labels } from '../series/labels';
import { truncateAtWord } from './text';

/** Blocks per message (Block Kit). */
const SLACK_MAX_BLOCKS = 50;
/** Characters of a section block's text. */
const SLACK_MAX_SECTION_CHARS = 3_000;
/** Characters of a header block's plain_text. */
const SLACK_MAX_HEADER_CHARS = 150;
/** Characters of one context block element. */
const SLACK_MAX_CONTEXT_CHARS = 2_000;
/** Characters of a button's text. */
const SLACK_MAX_BUTTON_TEXT_CHARS = 75;
/** Characters of a button's URL. */
const SLACK_MAX_BUTTON_URL_CHARS = 3_000;
/**
 * Characters of the top-level `text`, the fallback shown in notifications. Slack accepts far more
 * (chat.postMessage truncates at 40,000); a notification line is short on purpose.
 */
const SLACK_MAX_FALLBACK_CHARS = 3_000;

/** Label and annotation names that carry a request correlation id (first found wins). */
const CORRELATION_ID_NAMES = ['correlation_id', 'trace_id'] as const;

interface SlackText {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
  readonly emoji?: boolean;
}

interface SlackButton {
  readonly type: 'button';
  readonly text: SlackText;
  readonly url: string;
  readonly action_id: string;
}

/** The Block Kit blocks this builder emits. */
type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text: SlackText }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'actions'; readonly elements: readonly SlackButton[] };

/** The JSON body posted to the incoming webhook. */
interface SlackMessage {
  /** Fallback for notifications and clients that cannot show blocks. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** Links added to the message. */
interface SlackMessageOptions {
  /** The CloudWatch dashboard URL, shown as a button. */
  readonly dashboardUrl?: string;
  /**
   * The Logs Insights URL of a query for one correlation id (label or annotation
   * `correlation_id` / `trace_id`) around the alert's time.
   */
  readonly logsInsightsUrl?: (correlationId: string, alert: WebhookAlert) => string;
  /** The HTML drift report page of a drift monitor's alert (see `drift-report-link.ts`). */
  readonly driftReportUrl?: (alert: WebhookAlert) => string | undefined;
}

/** mrkdwn control characters escaped as Slack asks. */
const escapeMrkdwn = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A URL safe inside `<url|text>`: the delimiters percent-encoded, `&` escaped. */
const linkUrl = (url: string): string =>
  url.replaceAll('<', '%3C').replaceAll('>', '%3E').replaceAll('|', '%7C').replaceAll('&', '&amp;');

const link = (url: string, text: string): string => `<${linkUrl(url)}|${escapeMrkdwn(text)}>`;

const isHttpUrl = (url: string | undefined): url is string =>
  url !== undefined && /^https?:\/\/\S+$/.test(url);

const correlationIdOf = (a: WebhookAlert): string | undefined => {
  for (const name of CORRELATION_ID_NAMES) {
    const v = a.labels[name] || a.annotations[name];
    if (v) return v;
  }
  return undefined;
};

const labelList = (labels: Labels, omit: ReadonlySet<string> = new Set()): string =>
  Object.keys(labels)
    .filter((k) => !omit.has(k) && labels[k] !== '')
    .sort()
    .map((k) => `\`${escapeMrkdwn(k)}=${escapeMrkdwn(labels[k] as string)}\``)
    .join(' ');

const statusMark = (status: string): string => (status === 'resolved' ? '✅' : '🔥');

/** Header and fallback title: `🔥 FIRING: 3 × HighErrorRate (critical)`. */
const titleOf = (n: Notification, count: number): string => {
  const mark = n.status === 'resolved' ? '✅ RESOLVED' : '🔥 FIRING';
  const name = n.commonLabels.alertname || n.groupLabels.alertname || 'alerts';
  const severity = n.severity || n.commonLabels.severity;
  return `${mark}: ${count} × ${name}${severity ? ` (${severity})` : ''}`;
};

const ANNOTATIONS_SHOWN_FIRST = ['summary', 'description'] as const;
const ANNOTATIONS_AS_LINKS = new Set(['runbook_url', ...CORRELATION_ID_NAMES]);

/** One alert's section text, links kept whole on the last line, the rest cut at a word. */
const alertSectionText = (a: WebhookAlert, options: SlackMessageOptions): string => {
  const lines: string[] = [];
  const name = a.labels.alertname ?? 'alert';
  const summary = a.annotations.summary;
  lines.push(
    `${statusMark(a.status)} *${escapeMrkdwn(name)}*${summary ? ` — ${escapeMrkdwn(summary)}` : ''}`,
  );
  if (a.annotations.description) lines.push(escapeMrkdwn(a.annotations.description));
  for (const key of Object.keys(a.annotations).sort()) {
    const value = a.annotations[key];
    if (!value || ANNOTATIONS_AS_LINKS.has(key)) continue;
    if ((ANNOTATIONS_SHOWN_FIRST as readonly string[]).includes(key)) continue;
    lines.push(`*${escapeMrkdwn(key)}:* ${escapeMrkdwn(value)}`);
  }
  lines.push(`*Labels:* ${labelList(a.labels, new Set(['alertname']))}`);
  const resolved = a.status === 'resolved';
  lines.push(`*Started:* ${a.startsAt}${resolved ? `  *Ended:* ${a.endsAt}` : ''}`);

  const links: string[] = [];
  if (isHttpUrl(a.annotations.runbook_url)) links.push(link(a.annotations.runbook_url, 'Runbook'));
  if (isHttpUrl(a.generatorURL)) links.push(link(a.generatorURL, 'Source'));
  const correlationId = correlationIdOf(a);
  if (correlationId && options.logsInsightsUrl) {
    const url = options.logsInsightsUrl(correlationId, a);
    if (isHttpUrl(url)) links.push(link(url, 'Logs Insights'));
  }
  const report = options.driftReportUrl?.(a);
  if (isHttpUrl(report)) links.push(link(report, 'Drift report'));
  let linkLine = links.join(' • ');
  if (linkLine.length > SLACK_MAX_SECTION_CHARS / 2) linkLine = '';
  const budget = SLACK_MAX_SECTION_CHARS - (linkLine ? linkLine.length + 1 : 0);
  const body = truncateAtWord(lines.join('\n'), budget);
  return linkLine ? `${body}\n${linkLine}` : body;
};

const button = (text: string, url: string, actionId: string): SlackButton => ({
  type: 'button',
  text: { type: 'plain_text', text: truncateAtWord(text, SLACK_MAX_BUTTON_TEXT_CHARS) },
  url,
  action_id: actionId,
});

const actionsBlock = (n: Notification, options: SlackMessageOptions): SlackBlock | undefined => {
  const buttons: SlackButton[] = [];
  const fits = (u: string | undefined): u is string =>
    isHttpUrl(u) && u.length <= SLACK_MAX_BUTTON_URL_CHARS;
  if (fits(options.dashboardUrl))
    buttons.push(button('Dashboard', options.dashboardUrl, 'dashboard'));
  const runbook = n.commonAnnotations.runbook_url;
  if (fits(runbook)) buttons.push(button('Runbook', runbook, 'runbook'));
  return buttons.length > 0 ? { type: 'actions', elements: buttons } : undefined;
};

/**
 * The Slack message for a notification, within Block Kit's limits: alerts that do not fit in 50
 * blocks are counted in a final "…and N more alerts" context block (alerts the payload already
 * dropped, `truncatedAlerts`, are counted too).
 * @param n - the notification (its webhook payload gives each alert's status)
 * @param options - dashboard and Logs Insights links
 * @example buildSlackMessage(notification, { dashboardUrl: 'https://console.aws.amazon.com/cloudwatch/home#dashboards/dashboard/vigil' })
 */
const buildSlackMessage = (n: Notification, options: SlackMessageOptions = {}): SlackMessage => {
  const alerts = n.payload.alerts;
  const total = alerts.length + n.payload.truncatedAlerts;
  const title = titleOf(n, total);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncateAtWord(title, SLACK_MAX_HEADER_CHARS),
        emoji: true,
      },
    },
  ];
  const groupLabels = labelList(n.groupLabels);
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: truncateAtWord(
          `*Group:* ${groupLabels || '(all)'}  *Receiver:* ${escapeMrkdwn(n.receiver)}`,
          SLACK_MAX_CONTEXT_CHARS,
        ),
      },
    ],
  });
  const actions = actionsBlock(n, options);
  const fixed = blocks.length + (actions ? 1 : 0);
  const room = SLACK_MAX_BLOCKS - fixed;
  const shown = total <= room ? alerts.length : Math.min(alerts.length, room - 1);
  for (const a of alerts.slice(0, shown)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: alertSectionText(a, options) } });
  }
  if (actions) blocks.push(actions);
  const more = total - shown;
  if (more > 0) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${more} more alert${more === 1 ? '' : 's'}` }],
    });
  }
  const first = alerts[0]?.annotations.summary;
  const text = truncateAtWord(
    escapeMrkdwn(`${title}${first ? ` — ${first}` : ''}`),
    SLACK_MAX_FALLBACK_CHARS,
  );
  return { text, blocks };
};

export type { SlackBlock, SlackButton, SlackMessage, SlackMessageOptions, SlackText };
export {
  buildSlackMessage,
  escapeMrkdwn,
  SLACK_MAX_BLOCKS,
  SLACK_MAX_BUTTON_TEXT_CHARS,
  SLACK_MAX_CONTEXT_CHARS,
  SLACK_MAX_HEADER_CHARS,
  SLACK_MAX_SECTION_CHARS,
};
