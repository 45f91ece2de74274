/**
 * One run of the rule evaluator (the scheduled function, or the local server's timer): every
 * group evaluated at each of its due ticks, then the alerts to send through the dispatcher
 * (grouping, inhibition, silences, dedup) to the notifier. State lives in an
 * {@link AlertStateStore} with versioned documents, so a run may die at any point and two runs
 * may overlap without double notifications.
 * @see https://github.com/prometheus/prometheus/blob/main/rules/group.go (`Group.run`)
 * @see https://github.com/prometheus/compliance/blob/main/alert_generator/specification.md
 */
import { type AlertingConfig, dispatch, emptyDispatcherState } from '../alerting';
import type { AlertmanagerSender } from '../alerting/alertmanager-sender';
import { SILENCES_DOC_KEY, type SilencesDoc } from '../alerting/silences';
import type { AlertInput, DispatcherState } from '../alerting/types';
import type { AlertStateStore, Clock, SeriesStore } from '../ports';
import type { Notifier } from '../alerting/notifier';
import type { QueryEngine } from '../query/query-engine';
import { LocalQueryEngine } from '../query/local-query-engine';
import {
  emptyGroupState,
  type GroupState,
  type GroupStateJSON,
  groupStateFromJSON,
  groupStateToJSON,
  RuleEvaluationError,
  RuleHealth,
} from './alert-state';
import type { RenderTemplate } from './alerting-rule';
import {
  type AlertNotification,
  DEFAULT_EVALUATION_INTERVAL_MS,
  evaluateRuleGroup,
  samplesToSeries,
} from './rule-group';
import { groupStateDocKey, type RulesDocument, type RulesDocumentGroup } from './rules-document';
import { type ParsedExprLookup, parsedExprLookup } from '../promql/expr-json';
import { SelectCache } from './select-cache';
import { matchersNeedRegexEngine } from '../series/matchers';
import { GO_SYNTAX, loadRegexEngine } from '../regex/re2';
import { engineRuleQuery } from './rule-query';

/**
 * `renderAlertTemplate`, with the template engine loaded by the first label or annotation that
 * has an action: text without `{{` is its own expansion (Go's `text/template`), and most runs
 * render none, so a function's start-up does not load the engine.
 */
const renderOnDemand: RenderTemplate = async (text, data, opts) =>
  text.includes('{{') ? (await import('../templates')).renderAlertTemplate(text, data, opts) : text;

const parsedLookups = new WeakMap<RulesDocument, ParsedExprLookup>();

/** The document's expressions parsed at synth, each read back once per document. */
const parsedLookupOf = (document: RulesDocument): ParsedExprLookup => {
  let lookup = parsedLookups.get(document);
  if (!lookup) {
    lookup = parsedExprLookup(document.parsedExprs);
    parsedLookups.set(document, lookup);
  }
  return lookup;
};

/** Key of the dispatcher's state document. */
const DISPATCHER_DOC_KEY = 'dispatcher';
/**
 * Most ticks of one group evaluated by one run. Prometheus skips missed iterations and evaluates
 * only the latest; catching up on a few keeps short-interval groups exact within a run of a
 * scheduler that fires less often than they are due (e.g. every minute for a 10s group).
 */
const MAX_TICKS_PER_RUN = 10;

/** A group's state document: the evaluator's state plus the group-level figures of `/api/v1/rules`. */
interface GroupStateDoc {
  readonly state: GroupStateJSON;
  /** Wall-clock duration of the last evaluation, ms. */
  readonly evaluationTimeMs: number;
  /** Wall-clock start of the last evaluation, ms. */
  readonly lastEvaluationMs: number;
}

/** What {@link runEvaluation} needs. */
interface EvaluationRunDeps {
  /** Where recording-rule, `ALERTS` and `ALERTS_FOR_STATE` samples are written (and, by default, read). */
  readonly store: SeriesStore;
  /**
   * Where the rules' PromQL is evaluated: a store that evaluates PromQL itself (Amazon Managed
   * Service for Prometheus: `PrometheusApiQueryEngine`); `store` then only takes the outputs.
   * @default Vigil's engine (`LocalQueryEngine`) over a `SelectCache` of `store` per tick: one
   * store query per distinct selector and range of the tick, and later rules see earlier outputs
   */
  readonly queryEngine?: QueryEngine;
  readonly state: AlertStateStore;
  readonly notifier: Notifier;
  readonly document: RulesDocument;
  /** Wall clock, for evaluation durations only (evaluation times come from `nowMs`). */
  readonly clock: Clock;
  /** @default {@link renderOnDemand} */
  readonly renderTemplate?: RenderTemplate;
  /** @default 10 */
  readonly maxTicksPerRun?: number;
  /**
   * How alerts reach the Alertmanagers of `alerting.alertmanagers`, if any are configured.
   * @default none: nothing is sent to an Alertmanager
   */
  readonly alertmanagers?: AlertmanagerSender;
}

/** What one run did. */
interface EvaluationRunSummary {
  /** Groups with at least one tick evaluated and saved. */
  readonly groupsEvaluated: number;
  /** Group evaluations (ticks) done, across groups. */
  readonly evaluations: number;
  /** Groups another run had saved first: their results and notifications were dropped. */
  readonly conflicts: number;
  readonly rulesOk: number;
  readonly rulesErr: number;
  /** Notifications handed to the notifier. */
  readonly notificationsSent: number;
  /** Dispatcher state not saved because another run saved it first. */
  readonly dispatcherConflict: boolean;
  /** Alerts the Alertmanagers acknowledged (alerts × Alertmanagers). */
  readonly alertmanagerAlertsSent: number;
  /** Alerts an Alertmanager did not get after every attempt (alerts × Alertmanagers). */
  readonly alertmanagerAlertsFailed: number;
  readonly durationMs: number;
}

/**
 * The ticks of a group due at `nowMs`: multiples of the interval after the last evaluated one,
 * up to `nowMs`, the latest `max` of them; only the latest tick for a group never evaluated.
 * Prometheus aligns evaluations on the interval the same way (plus a per-group offset).
 */
const dueTicks = (
  intervalMs: number,
  lastEvaluationAtMs: number | undefined,
  nowMs: number,
  max: number,
): number[] => {
  const latest = Math.floor(nowMs / intervalMs) * intervalMs;
  if (lastEvaluationAtMs === undefined) return [latest];
  const first = Math.max(
    (Math.floor(lastEvaluationAtMs / intervalMs) + 1) * intervalMs,
    latest - (max - 1) * intervalMs,
  );
  const ticks: number[] = [];
  for (let t = first; t <= latest; t += intervalMs) ticks.push(t);
  return ticks;
};

/** The alert as the dispatcher takes it (Prometheus → Alertmanager). */
const toAlertInput = (n: AlertNotification): AlertInput => ({
  labels: n.labels,
  annotations: n.annotations,
  startsAtMs: n.startsAtMs,
  endsAtMs: n.endsAtMs,
  generatorURL: n.generatorURL,
});

/** Reads a group's state document (empty state when none). */
const readGroupStateDoc = (raw: unknown): GroupStateDoc | undefined => {
  const doc = raw as Partial<GroupStateDoc> | undefined;
  return doc?.state === undefined ? undefined : (doc as GroupStateDoc);
};

interface GroupOutcome {
  readonly evaluations: number;
  readonly saved: boolean;
  readonly alerts: readonly AlertNotification[];
  readonly rulesOk: number;
  readonly rulesErr: number;
}

const evaluateGroup = async (
  deps: EvaluationRunDeps,
  group: RulesDocumentGroup,
  nowMs: number,
): Promise<GroupOutcome> => {
  const { evaluation } = deps.document;
  const intervalMs = group.intervalMs ?? evaluation.intervalMs ?? DEFAULT_EVALUATION_INTERVAL_MS;
  const key = groupStateDocKey(group);
  const loaded = await deps.state.load(key);
  const prevDoc = readGroupStateDoc(loaded?.state);
  let state: GroupState = prevDoc ? groupStateFromJSON(prevDoc.state) : emptyGroupState();
  const ticks = dueTicks(
    intervalMs,
    state.lastEvaluationAtMs,
    nowMs,
    deps.maxTicksPerRun ?? MAX_TICKS_PER_RUN,
  );
  if (ticks.length === 0) {
    return { evaluations: 0, saved: false, alerts: [], rulesOk: 0, rulesErr: 0 };
  }
  const alerts: AlertNotification[] = [];
  let rulesOk = 0;
  let rulesErr = 0;
  let evaluationTimeMs = 0;
  let lastEvaluationMs = deps.clock.now();
  for (const ts of ticks) {
    lastEvaluationMs = deps.clock.now();
    // One store query per distinct selector and range in this evaluation, not one per rule.
    const store = deps.queryEngine ? deps.store : new SelectCache(deps.store);
    const engine =
      deps.queryEngine ?? new LocalQueryEngine({ store, parsed: parsedLookupOf(deps.document) });
    const res = await evaluateRuleGroup(group, state, ts, {
      query: engineRuleQuery(engine, intervalMs),
      renderTemplate: deps.renderTemplate ?? renderOnDemand,
      now: () => deps.clock.now(),
      externalLabels: evaluation.externalLabels,
      externalURL: evaluation.externalUrl,
      defaultIntervalMs: evaluation.intervalMs,
      appendSamples: async (samples) => {
        if (samples.length === 0) return;
        const written = await store.write(samplesToSeries(samples));
        if (written.rejected.length > 0) {
          throw new RuleEvaluationError(
            `${written.rejected.length} samples rejected by the store: ${written.rejected[0]?.reason ?? ''}`,
          );
        }
      },
    });
    state = res.state;
    evaluationTimeMs = res.evaluationTimeMs;
    alerts.push(...res.notificationsToSend);
    for (const r of res.ruleResults) {
      if (r.health === RuleHealth.Err) rulesErr++;
      else rulesOk++;
    }
  }
  const doc: GroupStateDoc = {
    state: groupStateToJSON(state),
    evaluationTimeMs,
    lastEvaluationMs,
  };
  const saved = await deps.state.save(key, doc, loaded?.version ?? 0);
  return { evaluations: ticks.length, saved, alerts: saved ? alerts : [], rulesOk, rulesErr };
};

/**
 * Runs every due evaluation of every group at `nowMs`, then the notification pipeline:
 * 1. per group: load its state (`group/<file>/<name>`), evaluate each due tick at its exact
 *    timestamp (recording-rule, `ALERTS` and `ALERTS_FOR_STATE` samples written to the store as
 *    each rule runs), save the state against the loaded version. On a version conflict another
 *    run got there first: that group's alerts are not sent by this run;
 * 2. the alerts due to be sent go to the dispatcher (state `dispatcher`, silences `silences`);
 *    its notifications go to the notifier, and only then is the dispatcher state saved. A failed
 *    send throws, so the run is retried with nothing marked as notified. At the same time the
 *    same alerts go to the configured Alertmanagers (`alerting.alertmanagers`), whose failures
 *    are logged and counted in the summary, never thrown.
 * A failing rule keeps its alerts (marked `err` by the group evaluation); a failing store read
 * of the state documents throws.
 * @example const summary = await runEvaluation({ store, state, notifier, document, clock }, Date.now());
 */
const runEvaluation = async (
  deps: EvaluationRunDeps,
  nowMs: number,
): Promise<EvaluationRunSummary> => {
  const start = deps.clock.now();
  const alerts: AlertInput[] = [];
  let groupsEvaluated = 0;
  let evaluations = 0;
  let conflicts = 0;
  let rulesOk = 0;
  let rulesErr = 0;
  for (const group of deps.document.groups) {
    const outcome = await evaluateGroup(deps, group, nowMs);
    evaluations += outcome.evaluations;
    rulesOk += outcome.rulesOk;
    rulesErr += outcome.rulesErr;
    if (outcome.evaluations === 0) continue;
    if (outcome.saved) groupsEvaluated++;
    else conflicts++;
    alerts.push(...outcome.alerts.map(toAlertInput));
  }

  // The Alertmanagers get the alerts beside the dispatcher, never in its way: their send never
  // rejects, and a failed dispatcher step still waits for it before the run fails.
  const [dispatched, alertmanagers] = await Promise.allSettled([
    runDispatcher(deps.state, deps.notifier, deps.document.alerting, alerts, nowMs),
    deps.alertmanagers
      ? deps.alertmanagers.send(
          deps.document.alerting.alertmanagers ?? [],
          alerts,
          deps.document.evaluation.externalLabels,
        )
      : Promise.resolve({ alertsSent: 0, alertsFailed: 0 }),
  ]);
  if (dispatched.status === 'rejected') throw dispatched.reason;
  const { notificationsSent, dispatcherConflict } = dispatched.value;
  const am =
    alertmanagers.status === 'fulfilled'
      ? alertmanagers.value
      : { alertsSent: 0, alertsFailed: alerts.length };
  return {
    groupsEvaluated,
    evaluations,
    conflicts,
    rulesOk,
    rulesErr,
    notificationsSent,
    dispatcherConflict,
    alertmanagerAlertsSent: am.alertsSent,
    alertmanagerAlertsFailed: am.alertsFailed,
    durationMs: deps.clock.now() - start,
  };
};

/** The dispatcher step: ingest, flush due groups, send, then save. */
const runDispatcher = async (
  store: AlertStateStore,
  notifier: Notifier,
  config: AlertingConfig,
  alerts: readonly AlertInput[],
  nowMs: number,
): Promise<{ notificationsSent: number; dispatcherConflict: boolean }> => {
  const loaded = await store.load(DISPATCHER_DOC_KEY);
  const prev = (loaded?.state as DispatcherState | undefined) ?? emptyDispatcherState();
  const silences = ((await store.load(SILENCES_DOC_KEY))?.state as SilencesDoc | undefined)
    ?.silences;
  // Alertmanager matchers (inhibit rules, silences) are matched synchronously by the dispatch.
  const matchers = [
    ...config.inhibitRules.flatMap((r) => [...r.sourceMatchers, ...r.targetMatchers]),
    ...(silences ?? []).flatMap((s) => s.matchers),
  ];
  if (matchersNeedRegexEngine(matchers, GO_SYNTAX)) await loadRegexEngine();
  const { state: next, notifications } = dispatch(prev, alerts, nowMs, config, silences ?? []);
  if (notifications.length > 0) await notifier.send(notifications);
  const unchanged = alerts.length === 0 && JSON.stringify(next) === JSON.stringify(prev);
  const saved = unchanged || (await store.save(DISPATCHER_DOC_KEY, next, loaded?.version ?? 0));
  return { notificationsSent: notifications.length, dispatcherConflict: !saved };
};

export type { EvaluationRunDeps, EvaluationRunSummary, GroupStateDoc, SilencesDoc };
export { DISPATCHER_DOC_KEY, dueTicks, MAX_TICKS_PER_RUN, runEvaluation, SILENCES_DOC_KEY };
