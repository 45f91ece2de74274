/**
 * The notification dispatcher: Alertmanager's aggregation groups, mute stages (inhibition,
 * silences) and dedup stage as a pure state machine. Timers become timestamps: each call
 * ingests alerts, then flushes every group whose `nextFlushAtMs` is due at `nowMs`.
 * @see https://github.com/prometheus/alertmanager/blob/main/dispatch/dispatch.go (aggrGroup)
 * @see https://github.com/prometheus/alertmanager/blob/main/notify/notify.go (DedupStage.needsUpdate)
 */
import { normalizeLabels } from '../series/labels';
import type { AlertingConfig } from './config';
import { commonOf, compareAlertLabels, groupKeyOf, groupLabelsOf } from './grouping';
import { type InhibitionSource, inhibitedBy } from './inhibition';
import { labelsFingerprint } from './label-set';
import { type Silence, silencedBy } from './silences';
import type {
  AggregationGroupState,
  AlertInput,
  DispatcherState,
  Notification,
  NotificationLogEntry,
  StoredAlert,
} from './types';
import { buildWebhookPayload, isResolved, VIGIL_RECEIVER } from './webhook';

/** An input alert that was not accepted, and why (Alertmanager's API drops these too). */
interface RejectedAlert {
  readonly alert: AlertInput;
  readonly reason: string;
}

/** Result of one {@link dispatch} call. */
interface DispatchResult {
  readonly state: DispatcherState;
  readonly notifications: readonly Notification[];
  readonly rejected: readonly RejectedAlert[];
}

/** A dispatcher with no groups (first run). */
const emptyDispatcherState = (): DispatcherState => ({
  version: 1,
  groups: {},
  notificationLog: {},
});

/**
 * `types.Alert.Merge`: the younger update wins, the earliest start is kept, and a later
 * explicit end survives a timeout-derived one.
 */
const mergeAlerts = (old: StoredAlert, young: StoredAlert, nowMs: number): StoredAlert => {
  const startsAtMs = Math.min(old.startsAtMs, young.startsAtMs);
  let endsAtMs = young.endsAtMs;
  let timeout = young.timeout;
  if (isResolved(young, nowMs)) {
    if (isResolved(old, nowMs) && old.endsAtMs > young.endsAtMs) endsAtMs = old.endsAtMs;
  } else if (old.endsAtMs > young.endsAtMs && !old.timeout) {
    endsAtMs = old.endsAtMs;
    timeout = false;
  }
  return { ...young, startsAtMs, endsAtMs, timeout };
};

/** Builds the stored alert, or a reason to reject it (`types.Alert.Validate`). */
const toStored = (a: AlertInput, nowMs: number, config: AlertingConfig): StoredAlert | string => {
  const labels = normalizeLabels(a.labels ?? {});
  if (Object.keys(labels).length === 0) return 'at least one label pair required';
  if (!Number.isFinite(a.startsAtMs) || !Number.isFinite(a.endsAtMs)) {
    return 'startsAtMs and endsAtMs must be finite';
  }
  const startsAtMs = a.startsAtMs === 0 ? nowMs : a.startsAtMs;
  if (a.endsAtMs !== 0 && a.endsAtMs < startsAtMs) return 'end time must not be before start time';
  const timeout = a.endsAtMs === 0;
  return {
    fingerprint: labelsFingerprint(labels),
    labels,
    annotations: normalizeLabels(a.annotations ?? {}),
    startsAtMs,
    endsAtMs: timeout ? nowMs + config.resolveTimeoutMs : a.endsAtMs,
    generatorURL: a.generatorURL ?? '',
    updatedAtMs: nowMs,
    timeout,
  };
};

/** True when every element of `sub` is in `sup`. */
const isSubset = (sub: readonly string[], sup: readonly string[]): boolean => {
  const s = new Set(sup);
  return sub.every((x) => s.has(x));
};

/**
 * `DedupStage.needsUpdate` with `send_resolved: true`: notify a group never notified when
 * something fires; a new firing alert; all alerts resolved after some were notified firing;
 * a newly resolved alert; or, unchanged, once the last notification is older than
 * `repeat_interval`.
 */
const needsUpdate = (
  entry: NotificationLogEntry | undefined,
  firing: readonly string[],
  resolved: readonly string[],
  repeatIntervalMs: number,
  nowMs: number,
): boolean => {
  if (entry === undefined) return firing.length > 0;
  if (!isSubset(firing, entry.firing)) return true;
  if (firing.length === 0) return entry.firing.length > 0;
  if (!isSubset(resolved, entry.resolved)) return true;
  return entry.atMs < nowMs - repeatIntervalMs;
};

/** Adds an alert to its group, creating the group (flush after `group_wait`) if needed. */
const insert = (
  groups: Record<string, AggregationGroupState>,
  alert: StoredAlert,
  nowMs: number,
  config: AlertingConfig,
): void => {
  const groupLabels = groupLabelsOf(alert.labels, config.groupBy);
  const groupKey = groupKeyOf(groupLabels);
  const group: AggregationGroupState = groups[groupKey] ?? {
    groupKey,
    groupLabels,
    alerts: {},
    hasFlushed: false,
    nextFlushAtMs: nowMs + config.groupWaitMs,
  };
  const old = group.alerts[alert.fingerprint];
  // provider/mem Put: merge only when the activity ranges overlap; otherwise it is a new episode.
  const overlaps =
    old !== undefined &&
    ((alert.endsAtMs > old.startsAtMs && alert.endsAtMs < old.endsAtMs) ||
      (alert.startsAtMs > old.startsAtMs && alert.startsAtMs < old.endsAtMs));
  const merged = old !== undefined && overlaps ? mergeAlerts(old, alert, nowMs) : alert;
  // aggrGroup.insert: an alert older than group_wait is flushed right away on a fresh group.
  const nextFlushAtMs =
    !group.hasFlushed && merged.startsAtMs + config.groupWaitMs < nowMs
      ? Math.min(group.nextFlushAtMs, nowMs)
      : group.nextFlushAtMs;
  groups[groupKey] = {
    ...group,
    alerts: { ...group.alerts, [alert.fingerprint]: merged },
    nextFlushAtMs,
  };
};

/**
 * Runs the dispatcher at `nowMs`: ingests `alerts` (firing or resolved, as rule evaluation
 * sends them), then flushes each due group. A flush drops muted alerts (inhibited, or matched
 * by an active silence), decides with the notification log whether to notify, then forgets the
 * group's resolved alerts and reschedules the group `group_interval` later (on its own grid,
 * so a late invocation does not push later flushes back); an empty group is removed.
 * Deterministic; `state` is plain JSON and may be saved and reloaded between calls.
 * @param state the previous state ({@link emptyDispatcherState} on the first run)
 * @param alerts alerts received since the last call (re-sending an alert refreshes it)
 * @param silences current silences (only active ones mute)
 * @example
 * const { state: next, notifications } = dispatch(prev, alerts, now, config, silences);
 */
const dispatch = (
  state: DispatcherState,
  alerts: readonly AlertInput[],
  nowMs: number,
  config: AlertingConfig,
  silences: readonly Silence[] = [],
): DispatchResult => {
  const groups: Record<string, AggregationGroupState> = { ...state.groups };
  const rejected: RejectedAlert[] = [];
  for (const a of alerts) {
    const stored = toStored(a, nowMs, config);
    if (typeof stored === 'string') rejected.push({ alert: a, reason: stored });
    else insert(groups, stored, nowMs, config);
  }

  const sources: InhibitionSource[] =
    config.inhibitRules.length === 0
      ? []
      : Object.values(groups).flatMap((g) =>
          Object.values(g.alerts).map((a) => ({
            fingerprint: a.fingerprint,
            labels: a.labels,
            firing: !isResolved(a, nowMs),
          })),
        );
  const log: Record<string, NotificationLogEntry> = {};
  for (const [k, e] of Object.entries(state.notificationLog)) {
    if (e.expiresAtMs >= nowMs) log[k] = e;
  }

  const notifications: Notification[] = [];
  for (const key of Object.keys(groups).sort()) {
    const g = groups[key];
    if (g === undefined || g.nextFlushAtMs > nowMs) continue;
    const all = Object.values(g.alerts).sort((a, b) => compareAlertLabels(a.labels, b.labels));
    const unmuted = all.filter(
      (a) =>
        inhibitedBy(a.labels, config.inhibitRules, sources) === undefined &&
        silencedBy(a.labels, silences, nowMs).length === 0,
    );
    // The mute stage ends the pipeline when nothing is left: no log entry is written.
    if (unmuted.length > 0) {
      const firing = unmuted.filter((a) => !isResolved(a, nowMs)).map((a) => a.fingerprint);
      const resolved = unmuted.filter((a) => isResolved(a, nowMs)).map((a) => a.fingerprint);
      if (needsUpdate(log[key], firing, resolved, config.repeatIntervalMs, nowMs)) {
        notifications.push(toNotification(g, unmuted, nowMs, config));
        // SetNotifiesStage keeps the entry for twice the repeat interval.
        log[key] = {
          atMs: nowMs,
          firing,
          resolved,
          expiresAtMs: nowMs + 2 * config.repeatIntervalMs,
        };
      }
    }
    const remaining: Record<string, StoredAlert> = {};
    for (const a of all) if (!isResolved(a, nowMs)) remaining[a.fingerprint] = a;
    if (Object.keys(remaining).length === 0) {
      delete groups[key];
      continue;
    }
    let nextFlushAtMs = g.nextFlushAtMs + config.groupIntervalMs;
    if (nextFlushAtMs <= nowMs) nextFlushAtMs = nowMs + config.groupIntervalMs;
    groups[key] = { ...g, alerts: remaining, hasFlushed: true, nextFlushAtMs };
  }
  return {
    state: { version: 1, groups, notificationLog: log },
    notifications,
    rejected,
  };
};

const toNotification = (
  g: AggregationGroupState,
  alerts: readonly StoredAlert[],
  nowMs: number,
  config: AlertingConfig,
): Notification => {
  const payload = buildWebhookPayload({
    groupKey: g.groupKey,
    groupLabels: g.groupLabels,
    alerts,
    nowMs,
    externalURL: config.externalUrl,
  });
  const commonLabels = commonOf(alerts.map((a) => a.labels));
  return {
    groupKey: g.groupKey,
    receiver: VIGIL_RECEIVER,
    status: payload.status,
    alerts,
    groupLabels: g.groupLabels,
    commonLabels,
    commonAnnotations: payload.commonAnnotations,
    severity: commonLabels.severity ?? config.defaultSeverity,
    payload,
  };
};

/** The earliest time a call can produce a notification (for scheduling), or `undefined`. */
const nextFlushAtMs = (state: DispatcherState): number | undefined => {
  const times = Object.values(state.groups).map((g) => g.nextFlushAtMs);
  return times.length === 0 ? undefined : Math.min(...times);
};

export type { DispatchResult, RejectedAlert };
export { dispatch, emptyDispatcherState, needsUpdate, nextFlushAtMs };
