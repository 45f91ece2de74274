/**
 * PagerDuty Events API v2 alert event for one alert notification. Pure.
 *
 * Schema: https://developer.pagerduty.com/docs/events-api-v2/trigger-events — `routing_key`,
 * `event_action` (`trigger` | `acknowledge` | `resolve`), `dedup_key` (≤ 255 characters),
 * `payload.summary` (required, ≤ 1,024 characters), `payload.source` (required),
 * `payload.severity` (required: `critical` | `error` | `warning` | `info`), optional
 * `timestamp`, `component`, `group`, `class`, `custom_details`, and `links` [{ href, text }],
 * `client`, `client_url`. A firing group sends `trigger`; a resolved group sends `resolve` with the
 * same `dedup_key`, which PagerDuty correlates with the open alert. Payloads are limited to 512 KB
 * (https://developer.pagerduty.com/docs/events-api-v2/overview, "Size Limits").
 */
import type { Notification, WebhookAlert } from '../alerting/types';
import { truncateAtWord } from './text';

/** The Events API v2 endpoint. */
const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
/** Characters of `payload.summary`. */
const PAGERDUTY_MAX_SUMMARY_CHARS = 1_024;
/** Characters of `dedup_key`. */
const PAGERDUTY_MAX_DEDUP_KEY_CHARS = 255;
/** Bytes of a whole event (512 KB), kept with a margin for the envelope. */
const PAGERDUTY_MAX_EVENT_BYTES = 500 * 1024;

/** `payload.severity` values. */
const PagerDutySeverity = {
  Critical: 'critical',
  Error: 'error',
  Warning: 'warning',
  Info: 'info',
} as const;
type PagerDutySeverity = (typeof PagerDutySeverity)[keyof typeof PagerDutySeverity];

/** `event_action` values this builder sends. */
const PagerDutyEventAction = { Trigger: 'trigger', Resolve: 'resolve' } as const;
type PagerDutyEventAction = (typeof PagerDutyEventAction)[keyof typeof PagerDutyEventAction];

/** Prometheus-style severity label values and their PagerDuty severity. */
const SEVERITY_MAP: Readonly<Record<string, PagerDutySeverity>> = {
  critical: 'critical',
  page: 'critical',
  high: 'critical',
  error: 'error',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  info: 'info',
  low: 'info',
  none: 'info',
};

interface PagerDutyLink {
  readonly href: string;
  readonly text: string;
}

/** A `trigger` event. */
interface PagerDutyTriggerEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger';
  readonly dedup_key: string;
  readonly payload: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp?: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details: Readonly<Record<string, unknown>>;
  };
  readonly links: readonly PagerDutyLink[];
  readonly client: string;
  readonly client_url?: string;
}

/** A `resolve` event: only the routing and dedup keys count. */
interface PagerDutyResolveEvent {
  readonly routing_key: string;
  readonly event_action: 'resolve';
  readonly dedup_key: string;
}

type PagerDutyEvent = PagerDutyTriggerEvent | PagerDutyResolveEvent;

/** What the event needs beyond the notification. */
interface PagerDutyEventOptions {
  /** The integration key of the Events API v2 integration. */
  readonly routingKey: string;
  /** `payload.source` when the alerts share no `instance` label. @default 'vigil' */
  readonly source?: string;
  /** `client`. @default 'Vigil' */
  readonly client?: string;
  /** `client_url`. @default the notification's `externalURL` */
  readonly clientUrl?: string;
  /** Added to `links` (the CloudWatch dashboard). */
  readonly dashboardUrl?: string;
}

/**
 * PagerDuty severity of a severity label value: critical/page/high → critical, error → error,
 * warning/warn/medium → warning, info/low/none → info, anything else (or none) → warning.
 * @example pagerDutySeverity('page') // 'critical'
 */
const pagerDutySeverity = (severity: string | undefined): PagerDutySeverity =>
  SEVERITY_MAP[(severity ?? '').trim().toLowerCase()] ?? 'warning';

const FNV_OFFSET_64 = 0xcbf29ce484222325n;
const FNV_PRIME_64 = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const utf8 = new TextEncoder();

/**
 * The `dedup_key` of an alert group: `vigil-` and the FNV-1a 64 hash of its group key (16 hex
 * digits), the same for every notification of the group so `resolve` closes what `trigger` opened.
 * @example pagerDutyDedupKey('{}:{alertname="HighErrorRate"}') // 'vigil-…' (22 characters)
 */
const pagerDutyDedupKey = (groupKey: string): string => {
  let h = FNV_OFFSET_64;
  for (const b of utf8.encode(groupKey)) {
    h ^= BigInt(b);
    h = (h * FNV_PRIME_64) & MASK_64;
  }
  return `vigil-${h.toString(16).padStart(16, '0')}`;
};

const isHttpUrl = (url: string | undefined): url is string =>
  url !== undefined && /^https?:\/\/\S+$/.test(url);

const summaryOf = (n: Notification, alerts: readonly WebhookAlert[], total: number): string => {
  const name = n.commonLabels.alertname || n.groupLabels.alertname || 'alerts';
  const severity = n.severity || n.commonLabels.severity;
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const head = `[FIRING:${firing}/${total}] ${name}${severity ? ` (${severity})` : ''}`;
  const detail =
    n.commonAnnotations.summary ??
    [...new Set(alerts.map((a) => a.annotations.summary).filter(Boolean))].join('; ');
  return truncateAtWord(detail ? `${head}: ${detail}` : head, PAGERDUTY_MAX_SUMMARY_CHARS);
};

const linksOf = (
  alerts: readonly WebhookAlert[],
  options: PagerDutyEventOptions,
): PagerDutyLink[] => {
  const links: PagerDutyLink[] = [];
  const seen = new Set<string>();
  const add = (href: string | undefined, text: string): void => {
    if (!isHttpUrl(href) || seen.has(href)) return;
    seen.add(href);
    links.push({ href, text });
  };
  for (const a of alerts)
    add(a.annotations.runbook_url, `Runbook: ${a.labels.alertname ?? 'alert'}`);
  add(options.dashboardUrl, 'CloudWatch dashboard');
  for (const a of alerts) add(a.generatorURL, `Source: ${a.labels.alertname ?? 'alert'}`);
  return links;
};

const byteLength = (value: unknown): number => utf8.encode(JSON.stringify(value)).length;

/**
 * The Events API v2 event of a notification: `trigger` while any alert of the group fires,
 * `resolve` (same `dedup_key`) once the group is resolved. `custom_details.alerts` lists every
 * alert with its labels and annotations; alerts past the 512 KB size limit are dropped from the
 * end and counted in `custom_details.truncated_alerts`.
 * @param n - the notification
 * @param options - routing key and client details
 * @example buildPagerDutyEvent(notification, { routingKey: 'R0123456789abcdef0123456789abcdef' })
 */
const buildPagerDutyEvent = (n: Notification, options: PagerDutyEventOptions): PagerDutyEvent => {
  const dedupKey = pagerDutyDedupKey(n.groupKey).slice(0, PAGERDUTY_MAX_DEDUP_KEY_CHARS);
  if (n.status === 'resolved') {
    return { routing_key: options.routingKey, event_action: 'resolve', dedup_key: dedupKey };
  }
  const alerts = n.payload.alerts;
  const total = alerts.length + n.payload.truncatedAlerts;
  const startsAt = alerts
    .filter((a) => a.status === 'firing')
    .map((a) => a.startsAt)
    .sort()[0];
  const details = (kept: readonly WebhookAlert[]): Record<string, unknown> => ({
    status: n.status,
    firing: alerts.filter((a) => a.status === 'firing').length,
    resolved: alerts.filter((a) => a.status === 'resolved').length,
    truncated_alerts: total - kept.length,
    group_key: n.groupKey,
    group_labels: n.groupLabels,
    common_labels: n.commonLabels,
    common_annotations: n.commonAnnotations,
    alerts: kept.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      starts_at: a.startsAt,
      ends_at: a.endsAt,
      generator_url: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
  });
  const build = (kept: readonly WebhookAlert[]): PagerDutyTriggerEvent => ({
    routing_key: options.routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: summaryOf(n, alerts, total),
      source: n.commonLabels.instance || options.source || 'vigil',
      severity: pagerDutySeverity(n.severity || n.commonLabels.severity),
      ...(startsAt ? { timestamp: startsAt } : {}),
      ...(n.commonLabels.job ? { component: n.commonLabels.job } : {}),
      group: n.commonLabels.namespace || n.commonLabels.service || n.receiver,
      ...(n.commonLabels.alertname ? { class: n.commonLabels.alertname } : {}),
      custom_details: details(kept),
    },
    links: linksOf(kept, options),
    client: options.client ?? 'Vigil',
    ...((options.clientUrl ?? n.payload.externalURL)
      ? { client_url: options.clientUrl ?? n.payload.externalURL }
      : {}),
  });
  let kept = alerts.length;
  let event = build(alerts);
  while (kept > 0 && byteLength(event) > PAGERDUTY_MAX_EVENT_BYTES) {
    kept = Math.floor(kept / 2);
    event = build(alerts.slice(0, kept));
  }
  return event;
};

export type {
  PagerDutyEvent,
  PagerDutyEventOptions,
  PagerDutyLink,
  PagerDutyResolveEvent,
  PagerDutyTriggerEvent,
};
export {
  buildPagerDutyEvent,
  PAGERDUTY_EVENTS_URL,
  PAGERDUTY_MAX_DEDUP_KEY_CHARS,
  PAGERDUTY_MAX_EVENT_BYTES,
  PAGERDUTY_MAX_SUMMARY_CHARS,
  PagerDutyEventAction,
  PagerDutySeverity,
  pagerDutyDedupKey,
  pagerDutySeverity,
};
