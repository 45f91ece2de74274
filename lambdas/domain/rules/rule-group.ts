/**
 * One evaluation of a rule group: the rules in file order, each query at the group's evaluation
 * time, health and last error per rule, staleness markers for series a rule stopped producing, and
 * the alerts due to be sent. A failing rule is marked `err` and keeps its previous alerts; the
 * group goes on with the next rule.
 * @see https://github.com/prometheus/prometheus/blob/main/rules/group.go (`Group.Eval`)
 * @see https://github.com/prometheus/compliance/blob/main/alert_generator/specification.md
 */
import type { Labels } from '../series/labels';
import { seriesKey } from '../series/labels';
import type { Series } from '../series/sample';
import { STALE_NAN } from '../series/sample';
import {
  type ActiveAlert,
  type AlertingRuleDefinition,
  AlertState,
  type GroupState,
  type RecordingRuleDefinition,
  RuleHealth,
  RuleLimitExceededError,
  type RuleGroupDefinition,
  type RuleSample,
  type RuleState,
  groupRuleStateKeys,
} from './alert-state';
import {
  type AlertTransition,
  DEFAULT_RESEND_DELAY_MS,
  evaluateAlertingRule,
  markSent,
  needsSending,
  type RenderTemplate,
  type RuleQueryFn,
} from './alerting-rule';
import { evaluateRecordingRule } from './recording-rule';

/**
 * Interval of a group without `interval` (Prometheus `global.evaluation_interval` default).
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/
 */
const DEFAULT_EVALUATION_INTERVAL_MS = 60 * 1000;

/** What a group evaluation needs from the outside. */
interface RuleGroupDeps {
  /**
   * Instant query of an expression at a time. A scalar result is expected as one element with
   * no labels (Prometheus `EngineQueryFunc`); a string result should throw.
   */
  readonly query: RuleQueryFn;
  readonly renderTemplate: RenderTemplate;
  /** Wall clock in ms, for `evaluationTimeMs` and `lastEvaluationMs` only. */
  readonly now: () => number;
  /** @default {} */
  readonly externalLabels?: Labels;
  /** @default '' */
  readonly externalURL?: string;
  /**
   * Writes one rule's samples before the next rule runs, so later rules of the group see them
   * (spec: "Results of a rule evaluation MUST be available for any subsequent rules"). When
   * absent, the caller writes {@link RuleGroupEvaluation.samples} after the group.
   */
  readonly appendSamples?: (samples: readonly RuleSample[]) => Promise<void>;
  /** @default 60000 (`--rules.alert.resend-delay`) */
  readonly resendDelayMs?: number;
  /** Interval of groups without one. @default 60000 */
  readonly defaultIntervalMs?: number;
}

/** An alert due to be sent, in the terms of Prometheus's `notifier.Alert`. */
interface AlertNotification {
  readonly ruleName: string;
  readonly expr: string;
  readonly fingerprint: string;
  /** `resolved` once the alert is inactive. */
  readonly status: 'firing' | 'resolved';
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly value: number;
  readonly activeAtMs: number;
  /** `FiredAt` (spec: "startsAt MUST be set to the FiredAt time"). */
  readonly startsAtMs: number;
  /** `ResolvedAt` when resolved, else `ValidUntil`. */
  readonly endsAtMs: number;
  /** `<externalURL>/graph?g0.expr=<expr>&g0.tab=1`. */
  readonly generatorURL: string;
}

/** Outcome of one rule in one group evaluation, as `/api/v1/rules` shows it. */
interface RuleResult {
  readonly name: string;
  readonly type: 'alerting' | 'recording';
  /** Key of the rule's entry in {@link GroupState.rules}. */
  readonly key: string;
  readonly health: RuleHealth;
  readonly lastError?: string;
  readonly evaluationTimeMs: number;
  readonly lastEvaluationMs: number;
  /** State changes of the rule's alerts (empty for recording rules and failures). */
  readonly transitions: readonly AlertTransition[];
}

/** Result of one group evaluation. */
interface RuleGroupEvaluation {
  readonly state: GroupState;
  /** Every sample written (or to write): rule outputs, `ALERTS*`, staleness markers. */
  readonly samples: RuleSample[];
  readonly notificationsToSend: AlertNotification[];
  readonly ruleResults: RuleResult[];
  readonly evaluationTimeMs: number;
}

const isAlertingRule = (
  rule: AlertingRuleDefinition | RecordingRuleDefinition,
): rule is AlertingRuleDefinition => 'alert' in rule && typeof rule.alert === 'string';

/** Go's `url.QueryEscape`: only `[A-Za-z0-9_.~-]` stay, space becomes `+`. */
const queryEscape = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

/**
 * The link to an expression in the Prometheus UI (`strutil.TableLinkForExpression`), after the
 * external URL, as Prometheus sets `generatorURL`.
 */
const generatorURL = (externalURL: string, expr: string): string =>
  `${externalURL}/graph?g0.expr=${queryEscape(expr)}&g0.tab=1`;

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const toNotification = (
  rule: AlertingRuleDefinition,
  fingerprint: string,
  a: ActiveAlert,
  externalURL: string,
): AlertNotification => ({
  ruleName: rule.alert,
  expr: rule.expr,
  fingerprint,
  status: a.state === AlertState.Inactive ? 'resolved' : 'firing',
  labels: a.labels,
  annotations: a.annotations,
  value: a.value,
  activeAtMs: a.activeAtMs,
  // Only firing or resolved alerts are sent, so FiredAt is set; markSent set ValidUntil.
  startsAtMs: a.firedAtMs as number,
  endsAtMs: a.resolvedAtMs ?? (a.validUntilMs as number),
  generatorURL: generatorURL(externalURL, rule.expr),
});

/** Staleness markers at `atMs` for the previous series not in `current`. */
const staleMarkers = (
  previous: readonly Labels[],
  current: readonly RuleSample[],
  atMs: number,
): RuleSample[] => {
  const now = new Set(current.map((s) => seriesKey(s.labels)));
  return previous
    .filter((l) => !now.has(seriesKey(l)))
    .map((labels) => ({ labels, t: atMs, v: STALE_NAN }));
};

const UNEVALUATED: RuleState = { alerts: new Map(), series: [], health: RuleHealth.Unknown };

/**
 * Evaluates every rule of a group at `atMs`, in order, as Prometheus's `Group.Eval`:
 * - each rule's `expr` is queried at `atMs` (minus `query_offset`); a query or rule error marks the rule `err` with
 *   `lastError`, keeps its previous alerts (a failed evaluation never resolves a firing alert) and
 *   sends nothing for it; the next rule still runs. Exceeding `limit` is the one exception, as in
 *   Prometheus: the rule's alerts are forgotten;
 * - alerts due per {@link needsSending} are returned in `notificationsToSend` and marked sent
 *   (`lastSentAt`, `validUntil`) in the returned state;
 * - a series a rule wrote last time and not this time gets a staleness marker, and so do the series
 *   of rules no longer in the group.
 * Restoring `for` state is the caller's business: `state` in, `state` out.
 * @param group the rule group
 * @param state the group's state after its previous evaluation
 * @param atMs the evaluation time (aligned to the group's interval by the scheduler)
 * @param deps query, templates, clock, optional per-rule sample appender
 * @example
 * const res = await evaluateRuleGroup(group, emptyGroupState(), at, { query, renderTemplate, now });
 */
const evaluateRuleGroup = async (
  group: RuleGroupDefinition,
  state: GroupState,
  atMs: number,
  deps: RuleGroupDeps,
): Promise<RuleGroupEvaluation> => {
  const groupStart = deps.now();
  const intervalMs = group.intervalMs ?? deps.defaultIntervalMs ?? DEFAULT_EVALUATION_INTERVAL_MS;
  const resendDelayMs = deps.resendDelayMs ?? DEFAULT_RESEND_DELAY_MS;
  const externalURL = deps.externalURL ?? '';
  const limit = group.limit ?? 0;
  const queryOffsetMs = group.queryOffsetMs ?? 0;
  // group.go: rules query (and write) at ts - query_offset; alert times stay at ts.
  const queryAtMs = atMs - queryOffsetMs;

  const rules: Record<string, RuleState> = {};
  const samples: RuleSample[] = [];
  const notificationsToSend: AlertNotification[] = [];
  const ruleResults: RuleResult[] = [];
  const keys = groupRuleStateKeys(group.rules);

  for (const [index, rule] of group.rules.entries()) {
    const alerting = isAlertingRule(rule);
    const name = alerting ? rule.alert : (rule as RecordingRuleDefinition).record;
    const key = keys[index] as string;
    const prev = state.rules[key] ?? UNEVALUATED;
    const start = deps.now();

    let next: RuleState;
    let transitions: readonly AlertTransition[] = [];
    try {
      const result = await deps.query(rule.expr, queryAtMs);
      let out: RuleSample[];
      let alerts = prev.alerts;
      if (alerting) {
        const ev = await evaluateAlertingRule(rule, prev.alerts, result, atMs, {
          renderTemplate: deps.renderTemplate,
          query: deps.query,
          limit,
          queryOffsetMs,
          ...(deps.externalLabels ? { externalLabels: deps.externalLabels } : {}),
          externalURL,
        });
        const sent = new Map<string, ActiveAlert>();
        for (const [fp, a] of ev.state) {
          if (!needsSending(a, atMs, resendDelayMs)) {
            sent.set(fp, a);
            continue;
          }
          const marked = markSent(a, atMs, intervalMs, resendDelayMs);
          sent.set(fp, marked);
          notificationsToSend.push(toNotification(rule, fp, marked, externalURL));
        }
        alerts = sent;
        transitions = ev.transitions;
        out = ev.samples;
      } else {
        out = evaluateRecordingRule(rule as RecordingRuleDefinition, result, queryAtMs, limit);
      }
      const written = [...out, ...staleMarkers(prev.series, out, queryAtMs)];
      samples.push(...written);
      next = { alerts, series: out.map((s) => s.labels), health: RuleHealth.Ok };
      try {
        await deps.appendSamples?.(written);
      } catch (err) {
        // group.go: a failed append marks the rule bad; the evaluation itself stands, and the
        // series are compared with the last successfully written ones next time.
        next = {
          alerts,
          series: prev.series,
          health: RuleHealth.Err,
          lastError: errorMessage(err),
        };
      }
    } catch (err) {
      const alerts = err instanceof RuleLimitExceededError ? new Map() : prev.alerts;
      next = { alerts, series: prev.series, health: RuleHealth.Err, lastError: errorMessage(err) };
    }
    const evaluationTimeMs = deps.now() - start;
    rules[key] = { ...next, lastEvaluationMs: start, evaluationTimeMs };
    ruleResults.push({
      name,
      type: alerting ? 'alerting' : 'recording',
      key,
      health: next.health,
      ...(next.lastError === undefined ? {} : { lastError: next.lastError }),
      evaluationTimeMs,
      lastEvaluationMs: start,
      transitions,
    });
  }

  // Rules removed from the group: their series go stale (Group.CopyState / cleanupStaleSeries).
  const removed: RuleSample[] = [];
  for (const [key, r] of Object.entries(state.rules)) {
    if (!(key in rules)) removed.push(...staleMarkers(r.series, [], queryAtMs));
  }
  if (removed.length > 0) {
    samples.push(...removed);
    try {
      await deps.appendSamples?.(removed);
    } catch {
      // Best effort, as in Prometheus: the markers are also in `samples` for the caller.
    }
  }

  return {
    state: { rules, lastEvaluationAtMs: atMs },
    samples,
    notificationsToSend,
    ruleResults,
    evaluationTimeMs: deps.now() - groupStart,
  };
};

/** Groups rule samples into store series (one sample each), for `SeriesStore.write`. */
const samplesToSeries = (samples: readonly RuleSample[]): Series[] =>
  samples.map((s) => ({ labels: s.labels, samples: [{ t: s.t, v: s.v }] }));

export {
  type AlertNotification,
  DEFAULT_EVALUATION_INTERVAL_MS,
  evaluateRuleGroup,
  generatorURL,
  type RuleGroupDeps,
  type RuleGroupEvaluation,
  type RuleResult,
  samplesToSeries,
};
