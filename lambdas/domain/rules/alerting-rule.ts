/**
 * The alerting-rule state machine: inactive → pending → firing after `for`, `keep_firing_for`,
 * resolved alerts kept for 15 minutes, and the `ALERTS` / `ALERTS_FOR_STATE` series. Pure: the
 * query result, the previous state and the time come in; the new state and samples go out.
 * @see https://github.com/prometheus/prometheus/blob/main/rules/alerting.go (`Eval`, `needsSending`, `sendAlerts`)
 * @see https://github.com/prometheus/compliance/blob/main/alert_generator/specification.md
 */
import type { Labels } from '../series/labels';
import { METRIC_NAME_LABEL, normalizeLabels } from '../series/labels';
import {
  type ActiveAlert,
  AlertState,
  type AlertStateMap,
  type AlertingRuleDefinition,
  alertFingerprint,
  RuleEvaluationError,
  RuleLimitExceededError,
  type RuleSample,
  type VectorSample,
} from './alert-state';

/** Metric name of the synthetic alert series (`alerting.go` `alertMetricName`). */
const ALERTS_METRIC_NAME = 'ALERTS';
/** Metric name of the `for`-state series (`alerting.go` `alertForStateMetricName`). */
const ALERTS_FOR_STATE_METRIC_NAME = 'ALERTS_FOR_STATE';
const ALERT_NAME_LABEL = 'alertname';
const ALERT_STATE_LABEL = 'alertstate';

/**
 * How long a resolved alert stays in the state (and keeps being sent as resolved).
 * @see https://github.com/prometheus/prometheus/blob/main/rules/alerting.go (`resolvedRetention`)
 */
const RESOLVED_RETENTION_MS = 15 * 60 * 1000;

/**
 * Minimum time between two sends of the same alert (`--rules.alert.resend-delay`).
 * @see https://github.com/prometheus/compliance/blob/main/alert_generator/specification.md ("MUST default to 1 minute")
 */
const DEFAULT_RESEND_DELAY_MS = 60 * 1000;

/** Prometheus's message when two results get the same labels (`ErrDuplicateAlertLabelSet`). */
const DUPLICATE_ALERT_LABELSET_MESSAGE =
  'vector contains metrics with the same labelset after applying alert labels';

/** Data a label or annotation template sees (`template.AlertTemplateData`). */
interface AlertTemplateData {
  /** Labels of the query result, `__name__` included (`$labels`). */
  readonly labels: Labels;
  readonly externalLabels: Labels;
  readonly externalURL: string;
  /** `$value`. */
  readonly value: number;
}

/** An instant query at a time: the rule's expression, or a template's `query`. */
type RuleQueryFn = (expr: string, atMs: number) => Promise<readonly VectorSample[]>;

/** Options a template renderer gets besides the data. */
interface RenderTemplateOptions {
  /** Template name, `__alert_<alertname>` as in Prometheus (appears in error messages). */
  readonly name: string;
  /** Evaluation time in ms, for `query` (named as in the templates module's `RenderOptions`). */
  readonly nowMs: number;
  /** For the `query` template function. */
  readonly query?: RuleQueryFn;
}

/**
 * Renders one label or annotation template. May throw; the error text is then used the way
 * Prometheus does (`<error expanding template: …>`).
 */
type RenderTemplate = (
  text: string,
  data: AlertTemplateData,
  opts: RenderTemplateOptions,
) => string | Promise<string>;

/** What an alerting-rule evaluation needs besides the rule, the state and the query result. */
interface AlertingRuleDeps {
  readonly renderTemplate: RenderTemplate;
  /** @default {} */
  readonly externalLabels?: Labels;
  /** @default '' */
  readonly externalURL?: string;
  /** Passed to templates for `query`. */
  readonly query?: RuleQueryFn;
  /** The group's `limit`: more active alerts than this fails the rule. 0 or absent = none. */
  readonly limit?: number;
  /**
   * The group's `query_offset`: the query ran at `atMs - queryOffsetMs`, and the `ALERTS*`
   * samples are written at that time too; alert times stay at `atMs`. @default 0
   */
  readonly queryOffsetMs?: number;
}

/** A change of state of one alert instance during an evaluation. */
interface AlertTransition {
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly from: AlertState;
  readonly to: AlertState;
  readonly atMs: number;
}

/** Result of one alerting-rule evaluation. */
interface AlertingRuleEvaluation {
  readonly state: Map<string, ActiveAlert>;
  /** `ALERTS` and `ALERTS_FOR_STATE` samples of the pending and firing alerts, at `atMs`. */
  readonly samples: RuleSample[];
  readonly transitions: AlertTransition[];
}

const expandTemplate = async (
  text: string,
  data: AlertTemplateData,
  opts: RenderTemplateOptions,
  render: RenderTemplate,
): Promise<string> => {
  try {
    return await render(text, data, opts);
  } catch (err) {
    // alerting.go: a failed expansion becomes the label/annotation value, it does not fail the rule.
    return `<error expanding template: ${err instanceof Error ? err.message : String(err)}>`;
  }
};

const sortedRecord = (entries: [string, string][]): Record<string, string> =>
  Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));

interface Candidate {
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly value: number;
}

/** Steps 1–4 of the compliance spec: one alert per result element, labels templated. */
const buildCandidates = async (
  rule: AlertingRuleDefinition,
  queryResult: readonly VectorSample[],
  atMs: number,
  deps: AlertingRuleDeps,
): Promise<Map<string, Candidate>> => {
  const out = new Map<string, Candidate>();
  const opts: RenderTemplateOptions = {
    name: `__alert_${rule.alert}`,
    nowMs: atMs,
    ...(deps.query ? { query: deps.query } : {}),
  };
  for (const sample of queryResult) {
    const data: AlertTemplateData = {
      labels: sample.labels,
      externalLabels: deps.externalLabels ?? {},
      externalURL: deps.externalURL ?? '',
      value: sample.value,
    };
    const merged: Record<string, string> = { ...sample.labels };
    delete merged[METRIC_NAME_LABEL];
    for (const [name, text] of Object.entries(rule.labels ?? {})) {
      // An empty result deletes the label (labels.Builder.Set with "").
      merged[name] = await expandTemplate(text, data, opts, deps.renderTemplate);
    }
    merged[ALERT_NAME_LABEL] = rule.alert;
    const labels = normalizeLabels(merged);
    const annotations: [string, string][] = [];
    for (const [name, text] of Object.entries(rule.annotations ?? {})) {
      annotations.push([name, await expandTemplate(text, data, opts, deps.renderTemplate)]);
    }
    const fp = alertFingerprint(labels);
    if (out.has(fp)) throw new RuleEvaluationError(DUPLICATE_ALERT_LABELSET_MESSAGE);
    out.set(fp, { labels, annotations: sortedRecord(annotations), value: sample.value });
  }
  return out;
};

/**
 * `ALERTS{alertname, alertstate, …}` = 1. The rule's raw labels are the base, as in
 * `AlertingRule.sample`, so a label whose template expanded to "" still carries the raw text.
 */
const alertsSample = (
  rule: AlertingRuleDefinition,
  alert: ActiveAlert,
  atMs: number,
): RuleSample => ({
  labels: normalizeLabels({
    ...rule.labels,
    ...alert.labels,
    [METRIC_NAME_LABEL]: ALERTS_METRIC_NAME,
    [ALERT_NAME_LABEL]: rule.alert,
    [ALERT_STATE_LABEL]: alert.state,
  }),
  t: atMs,
  v: 1,
});

/** `ALERTS_FOR_STATE{alertname, …}` = `ActiveAt` in whole seconds (Go `Time.Unix()`). */
const forStateSample = (
  rule: AlertingRuleDefinition,
  alert: ActiveAlert,
  atMs: number,
): RuleSample => ({
  labels: normalizeLabels({
    ...rule.labels,
    ...alert.labels,
    [METRIC_NAME_LABEL]: ALERTS_FOR_STATE_METRIC_NAME,
    [ALERT_NAME_LABEL]: rule.alert,
  }),
  t: atMs,
  v: Math.floor(alert.activeAtMs / 1000),
});

const transitionsBetween = (
  prev: AlertStateMap,
  next: ReadonlyMap<string, ActiveAlert>,
  atMs: number,
): AlertTransition[] => {
  const out: AlertTransition[] = [];
  const fps = new Set([...prev.keys(), ...next.keys()]);
  for (const fp of fps) {
    const before = prev.get(fp);
    const after = next.get(fp);
    const from = before?.state ?? AlertState.Inactive;
    const to = after?.state ?? AlertState.Inactive;
    if (from === to) continue;
    const { labels } = (after ?? before) as ActiveAlert;
    out.push({ fingerprint: fp, labels, from, to, atMs });
  }
  return out;
};

/**
 * Evaluates an alerting rule over its query result at `atMs`, as Prometheus's `AlertingRule.Eval`:
 * - each result element becomes an alert: its labels minus `__name__`, plus the rule's labels
 *   (templated with `$labels`/`$value`), plus `alertname`; annotations are templated too;
 * - two elements with the same alert labels fail the rule (state unchanged);
 * - a new alert is pending at `activeAt = atMs`, and fires once `atMs - activeAt >= for`
 *   (immediately when `for` is 0); an existing one gets the new value and annotations;
 * - an alert missing from the result: a pending one is dropped; a firing one keeps firing while
 *   `atMs - keepFiringSince < keep_firing_for`, then becomes inactive with `resolvedAt = atMs`
 *   and stays in the state for {@link RESOLVED_RETENTION_MS} so it is sent as resolved;
 * - more pending/firing alerts than `deps.limit` throws {@link RuleLimitExceededError}.
 * @param rule the alerting rule
 * @param prevState the rule's alerts after the previous evaluation (not modified)
 * @param queryResult the rule's `expr` evaluated at `atMs`
 * @param atMs the evaluation time
 * @param deps template renderer, external labels/URL, limit
 * @throws RuleEvaluationError on duplicate alert label sets, RuleLimitExceededError over the limit
 * @example
 * const { state, samples } = await evaluateAlertingRule(rule, new Map(), result, at, { renderTemplate });
 */
const evaluateAlertingRule = async (
  rule: AlertingRuleDefinition,
  prevState: AlertStateMap,
  queryResult: readonly VectorSample[],
  atMs: number,
  deps: AlertingRuleDeps,
): Promise<AlertingRuleEvaluation> => {
  const candidates = await buildCandidates(rule, queryResult, atMs, deps);
  const forMs = rule.forMs ?? 0;
  const keepFiringForMs = rule.keepFiringForMs ?? 0;

  const next = new Map<string, ActiveAlert>(prevState);
  for (const [fp, c] of candidates) {
    const existing = next.get(fp);
    if (existing && existing.state !== AlertState.Inactive) {
      next.set(fp, { ...existing, value: c.value, annotations: c.annotations });
      continue;
    }
    // A retained resolved alert with the same labels is replaced: a new alert starts (spec,
    // "inactive State Conditions").
    next.set(fp, {
      state: AlertState.Pending,
      labels: c.labels,
      annotations: c.annotations,
      value: c.value,
      activeAtMs: atMs,
    });
  }

  const samples: RuleSample[] = [];
  const sampleAtMs = atMs - (deps.queryOffsetMs ?? 0);
  let numActive = 0;
  for (const [fp, current] of [...next]) {
    let a = current;
    if (!candidates.has(fp)) {
      let keepFiring = false;
      if (a.state === AlertState.Firing && keepFiringForMs > 0) {
        if (a.keepFiringSinceMs === undefined) a = { ...a, keepFiringSinceMs: atMs };
        keepFiring = atMs - (a.keepFiringSinceMs as number) < keepFiringForMs;
      }
      if (
        a.state === AlertState.Pending ||
        (a.resolvedAtMs !== undefined && atMs - a.resolvedAtMs > RESOLVED_RETENTION_MS)
      ) {
        next.delete(fp);
        continue;
      }
      if (!keepFiring) {
        if (a.state !== AlertState.Inactive) {
          a = { ...a, state: AlertState.Inactive, resolvedAtMs: atMs };
        }
        next.set(fp, a);
        continue;
      }
    } else if (a.keepFiringSinceMs !== undefined) {
      const { keepFiringSinceMs: _cleared, ...rest } = a;
      a = rest;
    }
    numActive++;
    if (a.state === AlertState.Pending && atMs - a.activeAtMs >= forMs) {
      a = { ...a, state: AlertState.Firing, firedAtMs: atMs };
    }
    next.set(fp, a);
    samples.push(alertsSample(rule, a, sampleAtMs), forStateSample(rule, a, sampleAtMs));
  }

  const limit = deps.limit ?? 0;
  if (limit > 0 && numActive > limit) {
    throw new RuleLimitExceededError(`exceeded limit of ${limit} with ${numActive} alerts`);
  }
  return { state: next, samples, transitions: transitionsBetween(prevState, next, atMs) };
};

/**
 * Whether an alert is due to be sent at `atMs` (`Alert.needsSending`): never while pending; at once
 * when resolved since the last send; otherwise when the last send is more than `resendDelayMs` old.
 * @param resendDelayMs @default 60000 ({@link DEFAULT_RESEND_DELAY_MS})
 */
const needsSending = (
  alert: ActiveAlert,
  atMs: number,
  resendDelayMs: number = DEFAULT_RESEND_DELAY_MS,
): boolean => {
  if (alert.state === AlertState.Pending) return false;
  const lastSent = alert.lastSentAtMs ?? Number.NEGATIVE_INFINITY;
  if (alert.resolvedAtMs !== undefined && alert.resolvedAtMs > lastSent) return true;
  return lastSent + resendDelayMs < atMs;
};

/**
 * The alert as sent at `atMs` (`sendAlerts`): `lastSentAt = atMs` and `validUntil = atMs +
 * 4 × max(interval, resendDelay)`, which allows for two failed evaluations or sends.
 */
const markSent = (
  alert: ActiveAlert,
  atMs: number,
  intervalMs: number,
  resendDelayMs: number = DEFAULT_RESEND_DELAY_MS,
): ActiveAlert => ({
  ...alert,
  lastSentAtMs: atMs,
  validUntilMs: atMs + 4 * Math.max(intervalMs, resendDelayMs),
});

export {
  ALERTS_FOR_STATE_METRIC_NAME,
  ALERTS_METRIC_NAME,
  type AlertTemplateData,
  type AlertTransition,
  type AlertingRuleDeps,
  type AlertingRuleEvaluation,
  DEFAULT_RESEND_DELAY_MS,
  DUPLICATE_ALERT_LABELSET_MESSAGE,
  evaluateAlertingRule,
  markSent,
  needsSending,
  RESOLVED_RETENTION_MS,
  type RenderTemplate,
  type RenderTemplateOptions,
  type RuleQueryFn,
};
