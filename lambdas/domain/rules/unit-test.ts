/**
 * Running promtool's rule unit tests: each test group loads its input series into a fresh store
 * (lazily, up to each evaluation time), evaluates every rule group at every `evaluation_interval`
 * from 0 to the largest `eval_time`, compares the firing alerts at each `alert_rule_test`'s
 * `eval_time` and, at the end, runs each `promql_expr_test` against the store (input series plus
 * rule outputs). Failures are reported in promtool's words.
 *
 * Comparisons follow the pinned promtool (Prometheus 2.42, what `.ci/run` installs): alerts and
 * samples are compared as sorted lists, sample values exactly (`reflect.DeepEqual`, so an expected
 * NaN never matches). One deliberate difference: a test group without `interval` loads its
 * samples every `evaluation_interval`, as the documentation says; promtool 2.42 loads them all at
 * t=0 there (gap 0, the first value wins), which later Prometheus releases fixed.
 * @see https://github.com/prometheus/prometheus/blob/main/cmd/promtool/unittest.go
 * @see https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/
 */
import type { SeriesStore } from '../ports';
import {
  parseMetric,
  parseSeriesDescription,
  parseSeriesValues,
  SeriesNotationError,
} from '../promql/series-notation';
import type { Labels } from '../series/labels';
import { normalizeLabels } from '../series/labels';
import type { Series } from '../series/sample';
import { AlertState, emptyGroupState, type GroupState, RuleHealth } from './alert-state';
import type { RenderTemplate } from './alerting-rule';
import { DEFAULT_EVALUATION_INTERVAL_MS, evaluateRuleGroup, samplesToSeries } from './rule-group';
import type { RuleGroup } from './rule-file';
import {
  formatFloatE,
  formatGoDuration,
  formatLabels,
  formatModelDuration,
  goQuote,
} from './unit-test-format';
import type { UnitTestAlertCase, UnitTestFile, UnitTestGroup } from './unit-test-file';
import { ruleQuery } from './rule-query';

/** What the runner needs from the outside. */
interface RuleUnitTestDeps {
  /** A new, empty store; one per test group. */
  readonly createStore: () => SeriesStore;
  /** Renders label and annotation templates (the templates module's `renderAlertTemplate`). */
  readonly renderTemplate: RenderTemplate;
}

/**
 * The rule groups of a test file's `rule_files`, in file order, or the reasons they could not be
 * loaded (each reported by every test group, as promtool's `LoadGroups` does).
 */
interface LoadedRuleGroups {
  readonly groups: readonly RuleGroup[];
  readonly errors: readonly string[];
}

/** The input series could not be read (bad series description or value notation). */
class RuleUnitTestInputError extends Error {
  override readonly name = 'RuleUnitTestInputError';
}

/** Whether two label sets are equal. */
const sameLabels = (a: Labels, b: Labels): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
};

/** Prometheus's `labels.Compare`: name by name, then value, then length. */
const compareLabels = (a: Labels, b: Labels): number => {
  const ea = Object.keys(a).sort();
  const eb = Object.keys(b).sort();
  for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
    const na = ea[i] as string;
    const nb = eb[i] as string;
    if (na !== nb) return na < nb ? -1 : 1;
    const va = a[na] as string;
    const vb = b[nb] as string;
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return ea.length - eb.length;
};

/** promtool's `indentLines`: every line but the first gets the indent. */
const indentLines = (lines: string, indent: string): string =>
  lines.split('\n').join(`\n${indent}`);

interface AlertLA {
  readonly labels: Labels;
  readonly annotations: Labels;
}

const compareAlerts = (a: AlertLA, b: AlertLA): number =>
  compareLabels(a.labels, b.labels) || compareLabels(a.annotations, b.annotations);

const formatAlert = (a: AlertLA): string =>
  `Labels:${formatLabels(a.labels)}\nAnnotations:${formatLabels(a.annotations)}`;

/** promtool's `labelsAndAnnotations.String()`. */
const formatAlerts = (alerts: readonly AlertLA[]): string => {
  if (alerts.length === 0) return '[]';
  const items = alerts.map((a, i) => `${i}:${indentLines(`\n${formatAlert(a)}`, '  ')}`);
  return `[\n${items.join(',\n')}\n]`;
};

interface ParsedSample {
  readonly labels: Labels;
  readonly value: number;
}

/** promtool's `parsedSamplesString`: `{a="b"} 1E+00, ...`, or `nil`. */
const formatSamples = (samples: readonly ParsedSample[]): string =>
  samples.length === 0
    ? 'nil'
    : samples.map((s) => `${formatLabels(s.labels)} ${formatFloatE(s.value)}`).join(', ');

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The input series as store series, samples at `i × interval`; `_` leaves a gap. */
const inputSeries = (tg: UnitTestGroup, intervalMs: number): Series[] =>
  tg.inputSeries.map((s) => {
    try {
      const { labels, rest } = parseSeriesDescription(s.series.trim());
      if (rest.trim() !== '' || Object.keys(labels).length === 0) {
        throw new SeriesNotationError(`invalid series ${JSON.stringify(s.series)}`);
      }
      const samples = parseSeriesValues(s.values).flatMap((v, i) => {
        if (v === 'histogram') {
          throw new SeriesNotationError('native histograms are not supported in input_series');
        }
        return v === null ? [] : [{ t: i * intervalMs, v }];
      });
      return { labels: normalizeLabels(labels), samples };
    } catch (err) {
      throw new RuleUnitTestInputError(
        `error in parsing input series ${s.series} ${JSON.stringify(s.values)}: ${errorText(err)}`,
        { cause: err },
      );
    }
  });

/**
 * Writes the input samples with `t <= uptoMs` not yet written, as promtool's lazy loader
 * (`WithSamplesTill`), so a rule never sees data from its future.
 */
const loadTill = async (
  store: SeriesStore,
  series: readonly Series[],
  loaded: { ms: number },
  uptoMs: number,
): Promise<void> => {
  const batch = series
    .map((s) => ({
      labels: s.labels,
      samples: s.samples.filter((x) => x.t > loaded.ms && x.t <= uptoMs),
    }))
    .filter((s) => s.samples.length > 0);
  if (batch.length > 0) await store.write(batch);
  loaded.ms = uptoMs;
};

/** promtool's `orderedGroups`: groups named in `group_eval_order` by their place, others first. */
const orderGroups = (groups: readonly RuleGroup[], order: readonly string[]): RuleGroup[] => {
  const rank = (g: RuleGroup): number => Math.max(order.indexOf(g.name), 0);
  return [...groups].sort((a, b) => rank(a) - rank(b));
};

/** Runs one test group; returns its failures (empty when it passes). */
const runTestGroup = async (
  tg: UnitTestGroup,
  loaded: LoadedRuleGroups,
  evalIntervalMs: number,
  groupOrder: readonly string[],
  deps: RuleUnitTestDeps,
): Promise<string[]> => {
  const intervalMs = tg.intervalMs === 0 ? evalIntervalMs : tg.intervalMs;
  let input: Series[];
  try {
    input = inputSeries(tg, intervalMs);
  } catch (err) {
    return [errorText(err)];
  }
  if (loaded.errors.length > 0) return [...loaded.errors];
  const store = deps.createStore();
  const query = ruleQuery(store, evalIntervalMs);
  const groups = orderGroups(loaded.groups, groupOrder);

  const alertTests = new Map<number, UnitTestAlertCase[]>();
  for (const c of tg.alertRuleTests) {
    if (c.alertname === '') {
      const inGroup = tg.name === '' ? '' : ` (in TestGroup ${tg.name})`;
      return [
        `an item under alert_rule_test misses required attribute alertname at eval_time ${formatModelDuration(c.evalTimeMs)}${inGroup}`,
      ];
    }
    alertTests.set(c.evalTimeMs, [...(alertTests.get(c.evalTimeMs) ?? []), c]);
  }
  const alertTimes = [...alertTests.keys()].sort((a, b) => a - b);
  const maxMs = Math.max(
    0,
    ...tg.alertRuleTests.map((c) => c.evalTimeMs),
    ...tg.promqlExprTests.map((c) => c.evalTimeMs),
  );

  const errs: string[] = [];
  const states: GroupState[] = groups.map(() => emptyGroupState());
  const lastResults = groups.map(() => [] as { name: string; type: string; key: string }[]);
  const loadedTill = { ms: -1 };
  let curr = 0;
  for (let ts = 0; ts <= maxMs; ts += evalIntervalMs) {
    await loadTill(store, input, loadedTill, ts);
    const evalErrs: string[] = [];
    for (const [i, group] of groups.entries()) {
      const res = await evaluateRuleGroup(group, states[i] as GroupState, ts, {
        query,
        renderTemplate: deps.renderTemplate,
        now: () => 0,
        externalLabels: tg.externalLabels,
        externalURL: tg.externalURL,
        defaultIntervalMs: intervalMs,
        appendSamples: async (samples) => {
          await store.write(samplesToSeries(samples));
        },
      });
      states[i] = res.state;
      lastResults[i] = res.ruleResults;
      for (const r of res.ruleResults) {
        if (r.health === RuleHealth.Err) {
          evalErrs.push(
            `    rule: ${r.name}, time: ${formatGoDuration(ts)}, err: ${r.lastError ?? ''}`,
          );
        }
      }
    }
    errs.push(...evalErrs);
    if (evalErrs.length > 0) return errs;

    while (
      curr < alertTimes.length &&
      ts <= (alertTimes[curr] as number) &&
      (alertTimes[curr] as number) < ts + evalIntervalMs
    ) {
      const t = alertTimes[curr] as number;
      const cases = alertTests.get(t) ?? [];
      const wanted = new Set(cases.map((c) => c.alertname));
      const got = new Map<string, AlertLA[]>();
      for (const [i, results] of lastResults.entries()) {
        for (const r of results) {
          if (r.type !== 'alerting' || !wanted.has(r.name)) continue;
          const alerts = (states[i] as GroupState).rules[r.key]?.alerts ?? new Map();
          const firing = [...alerts.values()]
            .filter((a) => a.state === AlertState.Firing)
            .map((a) => ({ labels: a.labels, annotations: a.annotations }));
          got.set(r.name, [...(got.get(r.name) ?? []), ...firing]);
        }
      }
      for (const c of cases) {
        const gotAlerts = [...(got.get(c.alertname) ?? [])].sort(compareAlerts);
        const expAlerts = c.expAlerts
          .map((a) => ({
            labels: normalizeLabels({ ...a.labels, alertname: c.alertname }),
            annotations: a.annotations,
          }))
          .sort(compareAlerts);
        const equal =
          gotAlerts.length === expAlerts.length &&
          gotAlerts.every(
            (g, k) =>
              sameLabels(g.labels, (expAlerts[k] as AlertLA).labels) &&
              sameLabels(g.annotations, (expAlerts[k] as AlertLA).annotations),
          );
        if (!equal) {
          const testName = tg.name === '' ? '' : `    name: ${tg.name},\n`;
          const exp = indentLines(formatAlerts(expAlerts), '            ');
          const gotText = indentLines(formatAlerts(gotAlerts), '            ');
          errs.push(
            `${testName}    alertname: ${c.alertname}, time: ${formatModelDuration(c.evalTimeMs)}, \n        exp:${exp}, \n        got:${gotText}`,
          );
        }
      }
      curr++;
    }
  }

  for (const c of tg.promqlExprTests) {
    const where = `    expr: ${goQuote(c.expr)}, time: ${formatModelDuration(c.evalTimeMs)}`;
    let got: ParsedSample[];
    try {
      got = (await query(c.expr, c.evalTimeMs)).map((s) => ({ labels: s.labels, value: s.value }));
    } catch (err) {
      errs.push(`${where}, err: ${errorText(err)}`);
      continue;
    }
    const exp: ParsedSample[] = [];
    let bad: string | undefined;
    for (const s of c.expSamples) {
      try {
        exp.push({ labels: parseMetric(s.labels), value: s.value });
      } catch (err) {
        bad = `labels ${goQuote(s.labels)}: ${errorText(err)}`;
        break;
      }
    }
    if (bad !== undefined) {
      errs.push(`${where}, err: ${bad}`);
      continue;
    }
    const byLabels = (a: ParsedSample, b: ParsedSample): number =>
      compareLabels(a.labels, b.labels);
    exp.sort(byLabels);
    got.sort(byLabels);
    const equal =
      exp.length === got.length &&
      exp.every((e, k) => {
        const g = got[k] as ParsedSample;
        // reflect.DeepEqual on float64: exact, and NaN never equals NaN.
        return sameLabels(e.labels, g.labels) && e.value === g.value;
      });
    if (!equal) {
      errs.push(
        `${where},\n        exp: ${formatSamples(exp)}\n        got: ${formatSamples(got)}`,
      );
    }
  }
  return errs;
};

/**
 * Runs every test group of a unit-test file and returns the failures in promtool's words (one
 * string per failure, possibly multi-line); an empty list means the file passes.
 * - `evaluation_interval` defaults to 1m, each group's `interval` to `evaluation_interval`;
 * - a name repeated in `group_eval_order` fails the whole file;
 * - an evaluation error of any rule stops that test group, after the failures found so far.
 * @param file the parsed test file
 * @param loaded the rule groups of its `rule_files` (or why they could not be loaded)
 * @param deps a store factory and the template renderer
 * @example
 * const failures = await runRuleUnitTests(parseUnitTestFile(text), { groups, errors: [] },
 *   { createStore: () => new MemorySeriesStore(), renderTemplate: renderAlertTemplate });
 */
const runRuleUnitTests = async (
  file: UnitTestFile,
  loaded: LoadedRuleGroups,
  deps: RuleUnitTestDeps,
): Promise<string[]> => {
  const evalIntervalMs =
    file.evaluationIntervalMs === 0 ? DEFAULT_EVALUATION_INTERVAL_MS : file.evaluationIntervalMs;
  const seen = new Set<string>();
  for (const name of file.groupEvalOrder) {
    if (seen.has(name)) return [`group name repeated in evaluation order: ${name}`];
    seen.add(name);
  }
  const errs: string[] = [];
  for (const tg of file.tests) {
    errs.push(...(await runTestGroup(tg, loaded, evalIntervalMs, file.groupEvalOrder, deps)));
  }
  return errs;
};

export type { LoadedRuleGroups, RuleUnitTestDeps };
export { compareLabels, runRuleUnitTests, RuleUnitTestInputError };
