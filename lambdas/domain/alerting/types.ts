/** Data shapes of the notification pipeline (plain JSON throughout). */
import type { Labels } from '../series/labels';

/** An alert handed over by rule evaluation (Prometheus's `notifier.Alert`, times in ms). */
interface AlertInput {
  readonly labels: Labels;
  readonly annotations: Labels;
  /** When the alert started firing, ms; `0` means "now" (as Alertmanager's API). */
  readonly startsAtMs: number;
  /** `0` while open; a past time once resolved; a future time = valid until. */
  readonly endsAtMs: number;
  readonly generatorURL: string;
  /** Ignored when given: always recomputed from the labels so it cannot disagree with them. */
  readonly fingerprint?: string;
}

/** An alert as held by an aggregation group (Alertmanager's `types.Alert`). */
interface StoredAlert {
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly generatorURL: string;
  readonly updatedAtMs: number;
  /** `endsAt` was filled from `resolve_timeout` because the sender gave none. */
  readonly timeout: boolean;
}

/** Alert status in notifications. */
const AlertStatus = { Firing: 'firing', Resolved: 'resolved' } as const;
type AlertStatus = (typeof AlertStatus)[keyof typeof AlertStatus];

/** Alertmanager webhook payload alert (`template.Alert`). */
interface WebhookAlert {
  readonly status: AlertStatus;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

/**
 * Alertmanager webhook payload, version 4.
 * @see https://prometheus.io/docs/alerting/latest/configuration/#webhook_config
 */
interface WebhookPayload {
  readonly version: '4';
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: AlertStatus;
  readonly receiver: string;
  readonly groupLabels: Labels;
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  readonly externalURL: string;
  readonly alerts: readonly WebhookAlert[];
}

/** One notification to publish (a `Notifier` sends it, e.g. to the SNS topic of `severity`). */
interface Notification {
  readonly groupKey: string;
  readonly receiver: string;
  readonly status: AlertStatus;
  readonly alerts: readonly StoredAlert[];
  readonly groupLabels: Labels;
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  readonly severity: string;
  readonly payload: WebhookPayload;
}

/** One aggregation group (`dispatch.aggrGroup`), timers replaced by `nextFlushAtMs`. */
interface AggregationGroupState {
  readonly groupKey: string;
  readonly groupLabels: Labels;
  readonly alerts: Readonly<Record<string, StoredAlert>>;
  readonly hasFlushed: boolean;
  /** The group is flushed by the first `dispatch` call at or after this time. */
  readonly nextFlushAtMs: number;
}

/** What was last sent for a group (Alertmanager's notification log entry, `nflogpb.Entry`). */
interface NotificationLogEntry {
  readonly atMs: number;
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  readonly expiresAtMs: number;
}

/** The dispatcher's whole state; JSON-serialisable as is. */
interface DispatcherState {
  readonly version: 1;
  readonly groups: Readonly<Record<string, AggregationGroupState>>;
  readonly notificationLog: Readonly<Record<string, NotificationLogEntry>>;
}

export type {
  AggregationGroupState,
  AlertInput,
  DispatcherState,
  Notification,
  NotificationLogEntry,
  StoredAlert,
  WebhookAlert,
  WebhookPayload,
};
export { AlertStatus };
