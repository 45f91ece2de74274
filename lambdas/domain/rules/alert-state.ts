/**
 * Alert state as plain data: what Prometheus keeps in memory per alerting rule (`AlertingRule.active`),
 * made explicit so a Lambda can load it before an evaluation and save it after.
 * @see https://github.com/prometheus/prometheus/blob/main/rules/alerting.go
 * @see https://github.com/prometheus/compliance/blob/main/alert_generator/specification.md
 */
import type { Labels } from '../series/labels';
import { labelsFingerprint } from '../series/fingerprint';

/** States of one alert instance. */
const AlertState = {
  Inactive: 'inactive',
  Pending: 'pending',
  Firing: 'firing',
} as const;
type AlertState = (typeof AlertState)[keyof typeof AlertState];

/** Health of a rule after its last evaluation, as `/api/v1/rules` reports it. */
const RuleHealth = {
  Unknown: 'unknown',
  Ok: 'ok',
  Err: 'err',
} as const;
type RuleHealth = (typeof RuleHealth)[keyof typeof RuleHealth];

/**
 * One instance of an alerting rule (Prometheus `rules.Alert`). Times are ms since the epoch;
 * an absent optional time is Go's zero `time.Time`.
 */
interface ActiveAlert {
  readonly state: AlertState;
  /** Identifying labels: query labels minus `__name__`, plus templated rule labels, plus `alertname`. */
  readonly labels: Labels;
  readonly annotations: Labels;
  /** Value of the expression at the last evaluation that returned this alert. */
  readonly value: number;
  readonly activeAtMs: number;
  readonly firedAtMs?: number;
  readonly resolvedAtMs?: number;
  readonly lastSentAtMs?: number;
  readonly keepFiringSinceMs?: number;
  readonly validUntilMs?: number;
}

/** The alerts of one alerting rule, keyed by {@link alertFingerprint} of their labels. */
type AlertStateMap = ReadonlyMap<string, ActiveAlert>;

/** A sample produced by a rule evaluation (`ALERTS`, `ALERTS_FOR_STATE`, a recorded series). */
interface RuleSample {
  /** Full labels, `__name__` included. */
  readonly labels: Labels;
  readonly t: number;
  readonly v: number;
}

/** One element of an instant-vector query result. */
interface VectorSample {
  readonly labels: Labels;
  readonly value: number;
}

/** What one rule of a group carries from one evaluation to the next. */
interface RuleState {
  /** Alerts of an alerting rule (always empty for a recording rule). */
  readonly alerts: AlertStateMap;
  /**
   * Series the rule wrote at its last successful evaluation; those missing from the next one get
   * a staleness marker (Prometheus `Group.seriesInPreviousEval`).
   */
  readonly series: readonly Labels[];
  readonly health: RuleHealth;
  readonly lastError?: string;
  /** Clock time the last evaluation started, ms. */
  readonly lastEvaluationMs?: number;
  readonly evaluationTimeMs?: number;
}

/** The state of one rule group, keyed by {@link ruleStateKey}. */
interface GroupState {
  readonly rules: Readonly<Record<string, RuleState>>;
  /** Evaluation time (the `at` of the rules) of the last evaluation, ms. */
  readonly lastEvaluationAtMs?: number;
}

/**
 * An alerting rule, as the rule-file loader gives it (Prometheus `rulefmt.Rule` with `alert`).
 * Durations are in ms; absent ones are 0.
 */
interface AlertingRuleDefinition {
  readonly alert: string;
  readonly expr: string;
  readonly forMs?: number;
  readonly keepFiringForMs?: number;
  readonly labels?: Labels;
  readonly annotations?: Labels;
}

/** A recording rule, as the rule-file loader gives it (Prometheus `rulefmt.Rule` with `record`). */
interface RecordingRuleDefinition {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Labels;
}

/** A rule group, as the rule-file loader gives it (Prometheus `rulefmt.RuleGroup`). */
interface RuleGroupDefinition {
  readonly name: string;
  /** @default the global evaluation interval (1m) */
  readonly intervalMs?: number;
  /** Maximum alerts per alerting rule / series per recording rule; 0 or absent = no limit. */
  readonly limit?: number;
  /** Queries run this much before the evaluation time (`query_offset`). @default 0 */
  readonly queryOffsetMs?: number;
  readonly rules: readonly (AlertingRuleDefinition | RecordingRuleDefinition)[];
}

/**
 * A rule evaluation failed after its query succeeded: duplicate label sets, or a result the rule
 * cannot use. The message is Prometheus's, so `/api/v1/rules` `lastError` reads the same.
 */
class RuleEvaluationError extends Error {
  override readonly name: string = 'RuleEvaluationError';
}

/**
 * The rule produced more alerts or series than the group's `limit`. Prometheus then forgets the
 * rule's alerts (`r.active = map[uint64]*Alert{}`) and reports `exceeded limit of N with M alerts`.
 * @see https://github.com/prometheus/prometheus/blob/main/rules/alerting.go
 */
class RuleLimitExceededError extends RuleEvaluationError {
  override readonly name = 'RuleLimitExceededError';
}

/** An empty group state: no rule evaluated yet. */
const emptyGroupState = (): GroupState => ({ rules: {} });

/**
 * The fingerprint of a label set as Alertmanager and the webhook payload show it (FNV-1a 64,
 * 16 hex digits); see {@link labelsFingerprint}.
 */
const alertFingerprint = (labels: Labels): string => labelsFingerprint(labels);

/**
 * The key of a rule's state inside its group: kind, name and rule labels, plus the occurrence
 * number among identical rules. Like Prometheus's `Group.CopyState`, state follows a rule when
 * other rules are added or moved, and is dropped when the rule's name or labels change.
 */
const ruleStateKey = (
  kind: 'alert' | 'record',
  name: string,
  labels: Labels | undefined,
  occurrence: number,
): string => {
  const l = labels ?? {};
  const sorted = Object.keys(l)
    .sort()
    .map((n) => [n, l[n]]);
  return JSON.stringify([kind, name, sorted, occurrence]);
};

/**
 * The state key of each rule of a group, in file order: the evaluator stores a rule's state
 * under it and the rules API reads it back. A repeated rule (same kind, name and labels) gets the
 * next occurrence number, so each copy keeps its own state.
 */
const groupRuleStateKeys = (
  rules: readonly (AlertingRuleDefinition | RecordingRuleDefinition)[],
): string[] => {
  const occurrences = new Map<string, number>();
  return rules.map((rule) => {
    const [kind, name] =
      'alert' in rule && typeof rule.alert === 'string'
        ? (['alert', rule.alert] as const)
        : (['record', (rule as RecordingRuleDefinition).record] as const);
    const base = ruleStateKey(kind, name, rule.labels, 0);
    const occurrence = occurrences.get(base) ?? 0;
    occurrences.set(base, occurrence + 1);
    return ruleStateKey(kind, name, rule.labels, occurrence);
  });
};

/** JSON form of a float: a number when finite, else Prometheus's spelling. */
type JsonFloat = number | 'NaN' | '+Inf' | '-Inf';

const floatToJSON = (v: number): JsonFloat => {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return v;
};

const floatFromJSON = (v: unknown): number => {
  if (typeof v === 'number') return v;
  if (v === '+Inf') return Number.POSITIVE_INFINITY;
  if (v === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number.NaN;
};

/** JSON form of an {@link ActiveAlert} (`value` may be `"NaN"`, `"+Inf"`, `"-Inf"`). */
type ActiveAlertJSON = Omit<ActiveAlert, 'value'> & { readonly value: JsonFloat };

/** JSON form of a {@link RuleState}: alerts as an object keyed by fingerprint. */
type RuleStateJSON = Omit<RuleState, 'alerts'> & {
  readonly alerts: Readonly<Record<string, ActiveAlertJSON>>;
};

/** JSON form of a {@link GroupState}. */
interface GroupStateJSON {
  readonly rules: Readonly<Record<string, RuleStateJSON>>;
  readonly lastEvaluationAtMs?: number;
}

/** Plain JSON (no Map, no NaN) of an alert map; `JSON.stringify` of it round-trips. */
const alertsToJSON = (alerts: AlertStateMap): Record<string, ActiveAlertJSON> => {
  const out: Record<string, ActiveAlertJSON> = {};
  for (const [fp, a] of alerts) out[fp] = { ...a, value: floatToJSON(a.value) };
  return out;
};

/** Inverse of {@link alertsToJSON}. */
const alertsFromJSON = (
  json: Readonly<Record<string, ActiveAlertJSON>>,
): Map<string, ActiveAlert> => {
  const out = new Map<string, ActiveAlert>();
  for (const [fp, a] of Object.entries(json)) out.set(fp, { ...a, value: floatFromJSON(a.value) });
  return out;
};

/** Plain JSON of a group state, for a file or a DynamoDB item. */
const groupStateToJSON = (state: GroupState): GroupStateJSON => {
  const rules: Record<string, RuleStateJSON> = {};
  for (const [key, r] of Object.entries(state.rules)) {
    rules[key] = { ...r, alerts: alertsToJSON(r.alerts) };
  }
  return state.lastEvaluationAtMs === undefined
    ? { rules }
    : { rules, lastEvaluationAtMs: state.lastEvaluationAtMs };
};

/** Inverse of {@link groupStateToJSON}. */
const groupStateFromJSON = (json: GroupStateJSON): GroupState => {
  const rules: Record<string, RuleState> = {};
  for (const [key, r] of Object.entries(json.rules)) {
    rules[key] = { ...r, alerts: alertsFromJSON(r.alerts) };
  }
  return json.lastEvaluationAtMs === undefined
    ? { rules }
    : { rules, lastEvaluationAtMs: json.lastEvaluationAtMs };
};

export type {
  ActiveAlertJSON,
  AlertingRuleDefinition,
  RecordingRuleDefinition,
  RuleGroupDefinition,
  AlertStateMap,
  GroupStateJSON,
  JsonFloat,
  RuleSample,
  RuleState,
  RuleStateJSON,
  VectorSample,
};
export {
  type ActiveAlert,
  AlertState,
  alertFingerprint,
  alertsFromJSON,
  alertsToJSON,
  emptyGroupState,
  type GroupState,
  groupStateFromJSON,
  groupStateToJSON,
  RuleEvaluationError,
  RuleHealth,
  RuleLimitExceededError,
  groupRuleStateKeys,
  ruleStateKey,
};
