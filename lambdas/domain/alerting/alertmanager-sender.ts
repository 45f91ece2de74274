/**
 * Alerts to Alertmanagers, as Prometheus's notifier sends them: the alerts rule evaluation found
 * due (firing ones at most once per resend delay with `endsAt` = valid-until, resolved ones with
 * `endsAt` = resolved-at, `rules/alerting.go` `sendAlerts`), external labels added where an alert
 * has no such label (`notifier.go` `relabelAlerts`), posted in batches of 64 to every Alertmanager
 * at once (`sendAll`). Unlike Prometheus, which drops a failed batch, a failed POST is retried with
 * backoff; after the last attempt the failure is logged and counted, never thrown: the
 * notifications through SNS go on whatever happens here.
 * @see https://github.com/prometheus/prometheus/blob/main/notifier/notifier.go
 * @see https://github.com/prometheus/prometheus/blob/main/rules/alerting.go
 * @see https://github.com/prometheus/prometheus/blob/main/cmd/prometheus/main.go (`sendAlerts`)
 */
import { backoffMs, retry } from '../retry';
import { labelsFingerprint } from '../series/fingerprint';
import type { Labels } from '../series/labels';
import {
  type AlertmanagerClient,
  AlertmanagerPostError,
  type AlertmanagerTarget,
  type PostableAlert,
} from './alertmanager-client';
import type { AlertInput } from './types';

/** Alerts per request (Prometheus 2.x `maxBatchSize`). */
const ALERTMANAGER_BATCH_SIZE = 64;
/** Attempts per batch, the first included. */
const DEFAULT_MAX_ATTEMPTS = 3;
/** Backoff before the first retry, doubled for the next, ms. */
const DEFAULT_BASE_DELAY_MS = 500;

/** What sending to Alertmanagers needs besides the alerts and the targets. */
interface AlertmanagerDelivery {
  readonly client: AlertmanagerClient;
  /** Waits between attempts. */
  readonly sleep: (ms: number) => Promise<void>;
  /** With it, full jitter on the backoff. */
  readonly random?: () => number;
  /** Where failures are reported (never a credential). */
  readonly log?: (message: string, extra: Readonly<Record<string, unknown>>) => void;
  /** @default 3 */
  readonly maxAttempts?: number;
  /** @default 500 */
  readonly baseDelayMs?: number;
}

/** What one round of sending did, counted in alerts × Alertmanagers. */
interface AlertmanagerSendSummary {
  /** Alerts an Alertmanager acknowledged (2xx). */
  readonly alertsSent: number;
  /** Alerts an Alertmanager did not get after every attempt. */
  readonly alertsFailed: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The alerts as Alertmanager API v2 takes them: external labels added where the alert's own
 * value is empty, times as RFC 3339. When one round holds the same alert twice (two evaluations
 * of a group in one run), the later one is kept: it is the newer state.
 */
const toPostableAlerts = (
  alerts: readonly AlertInput[],
  externalLabels: Labels = {},
): PostableAlert[] => {
  const byFingerprint = new Map<string, PostableAlert>();
  for (const a of alerts) {
    const labels: Record<string, string> = { ...a.labels };
    for (const [name, value] of Object.entries(externalLabels))
      if (!labels[name]) labels[name] = value;
    const sorted = Object.fromEntries(
      Object.entries(labels)
        .filter(([, v]) => v !== '')
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
    );
    const fp = labelsFingerprint(sorted);
    byFingerprint.delete(fp);
    byFingerprint.set(fp, {
      labels: sorted,
      annotations: a.annotations,
      startsAt: iso(a.startsAtMs),
      endsAt: iso(a.endsAtMs),
      generatorURL: a.generatorURL,
    });
  }
  return [...byFingerprint.values()];
};

/** `items` in consecutive slices of at most `size`. */
const batchesOf = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const describe = (error: unknown): Record<string, unknown> => ({
  error: error instanceof Error ? error.message : String(error),
  ...(error instanceof AlertmanagerPostError && error.status !== undefined
    ? { status: error.status }
    : {}),
});

/** Every batch to one Alertmanager, in order; once one fails for good, the rest are not tried. */
const sendToOne = async (
  d: AlertmanagerDelivery,
  target: AlertmanagerTarget,
  batches: readonly PostableAlert[][],
): Promise<AlertmanagerSendSummary> => {
  let alertsSent = 0;
  let alertsFailed = 0;
  let down = false;
  for (const batch of batches) {
    if (down) {
      alertsFailed += batch.length;
      continue;
    }
    let attempts = 0;
    try {
      await retry(
        (attempt) => {
          attempts = attempt;
          return d.client.postAlerts(target, batch);
        },
        {
          maxAttempts: Math.max(1, d.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
          sleep: d.sleep,
          delayMs: (error, attempt) =>
            error instanceof AlertmanagerPostError && error.retryable
              ? backoffMs(attempt, {
                  baseMs: d.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
                  ...(d.random ? { random: d.random } : {}),
                })
              : undefined,
        },
      );
      alertsSent += batch.length;
    } catch (error) {
      down = true;
      alertsFailed += batch.length;
      d.log?.('alerts not delivered to Alertmanager', {
        alertmanager: target.url,
        alerts: batch.length,
        attempts,
        ...describe(error),
      });
    }
  }
  return { alertsSent, alertsFailed };
};

/**
 * Posts `alerts` to every target at once; resolves with what was delivered and never rejects.
 * @example await sendToAlertmanagers(delivery, document.alerting.alertmanagers, alerts, { env: 'prod' })
 */
const sendToAlertmanagers = async (
  delivery: AlertmanagerDelivery,
  targets: readonly AlertmanagerTarget[],
  alerts: readonly AlertInput[],
  externalLabels: Labels = {},
): Promise<AlertmanagerSendSummary> => {
  if (targets.length === 0 || alerts.length === 0) return { alertsSent: 0, alertsFailed: 0 };
  const batches = batchesOf(toPostableAlerts(alerts, externalLabels), ALERTMANAGER_BATCH_SIZE);
  const results = await Promise.all(targets.map((t) => sendToOne(delivery, t, batches)));
  return {
    alertsSent: results.reduce((n, r) => n + r.alertsSent, 0),
    alertsFailed: results.reduce((n, r) => n + r.alertsFailed, 0),
  };
};

/** Rounds waiting behind the one being sent, in the background mode, before new ones are dropped. */
const MAX_QUEUED_ROUNDS = 10;

/**
 * What the rule evaluator holds: {@link sendToAlertmanagers} with its delivery. In the background
 * mode (the local server, whose evaluator runs every second) `send` returns at once and the
 * rounds go out one after the other in the order given, as Prometheus's notifier queue does, so
 * an unreachable Alertmanager never holds up the next evaluation; past {@link MAX_QUEUED_ROUNDS}
 * waiting rounds, new ones are dropped and logged. A function invocation sends in the foreground:
 * it must not end with a send in flight.
 */
class AlertmanagerSender {
  readonly #delivery: AlertmanagerDelivery;
  readonly #background: boolean;
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;

  constructor(delivery: AlertmanagerDelivery, options: { readonly background?: boolean } = {}) {
    this.#delivery = delivery;
    this.#background = options.background ?? false;
  }

  /** Sends one round (foreground), or queues it and resolves with nothing sent yet (background). */
  send(
    targets: readonly AlertmanagerTarget[],
    alerts: readonly AlertInput[],
    externalLabels: Labels = {},
  ): Promise<AlertmanagerSendSummary> {
    if (!this.#background)
      return sendToAlertmanagers(this.#delivery, targets, alerts, externalLabels);
    if (targets.length === 0 || alerts.length === 0)
      return Promise.resolve({ alertsSent: 0, alertsFailed: 0 });
    if (this.#queued >= MAX_QUEUED_ROUNDS) {
      this.#delivery.log?.('alerts not delivered to Alertmanager: send queue full', {
        alerts: alerts.length,
        queued: this.#queued,
      });
      return Promise.resolve({ alertsSent: 0, alertsFailed: alerts.length * targets.length });
    }
    this.#queued++;
    this.#tail = this.#tail.then(async () => {
      try {
        await sendToAlertmanagers(this.#delivery, targets, alerts, externalLabels);
      } finally {
        this.#queued--;
      }
    });
    return Promise.resolve({ alertsSent: 0, alertsFailed: 0 });
  }

  /** Resolves once every queued round has been sent or given up on. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}

export type { AlertmanagerDelivery, AlertmanagerSendSummary };
export {
  ALERTMANAGER_BATCH_SIZE,
  AlertmanagerSender,
  MAX_QUEUED_ROUNDS,
  sendToAlertmanagers,
  toPostableAlerts,
};
