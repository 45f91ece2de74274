/**
 * `npm run bench:rules`: the rule-evaluation figures, printed (never asserted).
 * 1. Evaluation time of the example rule set (test/fixtures/rules/example-*.yml, loaded exactly as
 *    `vigil.config.yaml` would) over ~1,000 series × 1 h at 15 s on the local store
 *    (`EmbeddedSeriesStore` in a temporary directory), through `runEvaluation`: one tick of every
 *    group, fresh alert state each run, median of a few runs after a warm-up.
 * 2. Store queries one evaluation of a group makes on Timestream: the real
 *    `TimestreamSeriesStore` over a stub `TimestreamQueryClient` that counts `DESCRIBE` and
 *    `SELECT` statements (answering `DESCRIBE` with the data's dimensions and every `SELECT` with
 *    an empty page), against the distinct selectors of the group's expressions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TimestreamQueryClient } from '@aws-sdk/client-timestream-query';
import type { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import { EmbeddedSeriesStore } from '../lambdas/adapters/storage/embedded-series-store';
import { SPECIAL_VALUE_DIMENSION } from '../lambdas/adapters/storage/timestream/encoding';
import { TimestreamSeriesStore } from '../lambdas/adapters/storage/timestream-series-store';
import { validateConfig } from '../lambdas/domain/config/validate';
import type { Notification } from '../lambdas/domain/alerting/types';
import type { AlertStateStore, Clock, SeriesStore } from '../lambdas/domain/ports';
import type { Notifier } from '../lambdas/domain/alerting/notifier';
import { parseExpr } from '../lambdas/domain/promql';
import type { GroupStateDoc } from '../lambdas/domain/rules/evaluation-run';
import { runEvaluation } from '../lambdas/domain/rules/evaluation-run';
import type { RulesDocument, RulesDocumentGroup } from '../lambdas/domain/rules/rules-document';
import type { Labels } from '../lambdas/domain/series/labels';
import { loadRulesDocument } from '../lambdas/shared/rules-loader';
import type { Series } from '../lambdas/domain/series/sample';
import { fmt, fmtMs, median, ROOT, table } from './lib';

/** The example rule files, relative to the repository root (the bench's config directory). */
const RULE_FILES = ['test/fixtures/rules/example-*.yml'];
/** Evaluation time: a multiple of every group interval (30 s, 1 m), so every group is due. */
const NOW_MS = 1_764_000_000_000;
const STEP_MS = 15_000;
const SPAN_MS = 3_600_000;
const FIRST_MS = NOW_MS - SPAN_MS + STEP_MS;

const wallClock: Clock = { now: () => performance.now() };

/** Deterministic PRNG (mulberry32), so every run evaluates the same data. */
const prng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const TIMES: readonly number[] = Array.from(
  { length: SPAN_MS / STEP_MS },
  (_, i) => FIRST_MS + i * STEP_MS,
);

const gauge = (labels: Labels, value: (t: number) => number): Series => ({
  labels,
  samples: TIMES.map((t) => ({ t, v: value(t) })),
});
/** A counter growing by `perSecond` from `start`. */
const counter = (labels: Labels, perSecond: number, start = 0): Series =>
  gauge(labels, (t) => start + (perSecond * (t - FIRST_MS)) / 1000);

/**
 * ~1,000 series for every metric the the example rules read, a few of them over their thresholds
 * (targets down, 5xx rates, a stalled training run, low accuracy, full containers, slow
 * predictions).
 */
const exampleData = (): Series[] => {
  const rnd = prng(4);
  const out: Series[] = [];
  const jobs = ['robo-rlhf-app', 'inference', 'logging', 'api'];
  for (const job of jobs) {
    for (let i = 0; i < 5; i++) {
      const instance = `${job}-${i}:8080`;
      const down = (job === 'robo-rlhf-app' && i === 0) || (job === 'api' && i === 3);
      out.push(gauge({ __name__: 'up', job, instance }, () => (down ? 0 : 1)));
      for (const method of ['GET', 'POST']) {
        for (const status of ['200', '201', '404', '500', '503']) {
          const failing = status.startsWith('5') && i === 1;
          const perSecond = status.startsWith('2')
            ? 2 + rnd() * 10
            : failing
              ? 0.5 + rnd()
              : rnd() * 0.05;
          out.push(
            counter({ __name__: 'http_requests_total', job, instance, method, status }, perSecond),
          );
        }
      }
      out.push(
        counter(
          { __name__: 'training_steps_total', job, instance },
          i === 2 ? 0 : 1 + rnd() * 3,
          1000,
        ),
      );
    }
  }
  for (const model_version of ['v1', 'v2', 'v3', 'v4']) {
    for (let i = 0; i < 10; i++) {
      const instance = `rxvision-${i}:9100`;
      const count = 5 + rnd() * 20;
      const meanLatency = model_version === 'v4' && i < 2 ? 0.25 : 0.02 + rnd() * 0.05;
      const base = { model_version, instance };
      out.push(
        counter({ __name__: 'model_inference_latency_seconds_count', ...base }, count),
        counter({ __name__: 'model_inference_latency_seconds_sum', ...base }, count * meanLatency),
        counter({ __name__: 'model_predictions_total', ...base, result: 'ok' }, count),
        counter(
          { __name__: 'model_predictions_total', ...base, result: 'error' },
          count * (model_version === 'v3' ? 0.05 : 0.001),
        ),
      );
    }
  }
  const buckets = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '25', '60', '+Inf'];
  for (const model of ['resnet', 'vit']) {
    for (let i = 0; i < 10; i++) {
      const instance = `inference-${i}:8000`;
      const perSecond = 10 + rnd() * 20;
      const slow = model === 'vit' && i === 0;
      // Cumulative bucket shares: most requests fast, the slow instance's tail past 1 s.
      const share = (le: string): number =>
        le === '+Inf' ? 1 : Math.min(1, Number(le) / (slow ? 3 : 0.3));
      for (const le of buckets) {
        out.push(
          counter(
            { __name__: 'prediction_latency_seconds_bucket', model, instance, le },
            perSecond * share(le),
          ),
        );
      }
      out.push(
        counter({ __name__: 'prediction_latency_seconds_count', model, instance }, perSecond),
        counter({ __name__: 'prediction_latency_seconds_sum', model, instance }, perSecond * 0.2),
        counter({ __name__: 'predictions_total', model, instance }, perSecond),
        counter(
          { __name__: 'prediction_errors_total', model, instance },
          perSecond * (i === 3 ? 0.1 : 0.01),
        ),
        gauge({ __name__: 'model_loaded', model, instance }, () => (i === 4 ? 0 : 1)),
        gauge(
          { __name__: 'ml_model_accuracy', model, instance },
          (
            (a: number) => () =>
              a
          )(i === 5 ? 0.8 : 0.88 + rnd() * 0.1),
        ),
      );
    }
  }
  for (let i = 0; i < 10; i++) {
    const instance = `logging-${i}:8001`;
    const perSecond = 5 + rnd() * 5;
    out.push(
      gauge({ __name__: 'logging_db_initialized', instance }, () => (i === 6 ? 0 : 1)),
      counter({ __name__: 'logging_predictions_total', instance }, perSecond),
      counter({ __name__: 'logging_defects_total', instance }, perSecond * (i === 7 ? 0.3 : 0.05)),
    );
  }
  const containerPairs = Math.max(0, Math.round((1000 - out.length) / 2));
  for (let i = 0; i < containerPairs; i++) {
    const base = { namespace: `ns-${i % 5}`, pod: `pod-${i}`, container: `app-${i % 3}` };
    const limit = 2 ** 30 * (1 + (i % 4));
    const ratio = i % 20 === 0 ? 0.95 : 0.3 + rnd() * 0.5;
    out.push(
      gauge({ __name__: 'container_spec_memory_limit_bytes', ...base }, () => limit),
      gauge({ __name__: 'container_memory_usage_bytes', ...base }, () => limit * ratio),
    );
  }
  return out;
};

/** An in-memory `AlertStateStore` with versioned documents. */
class MemoryAlertStateStore implements AlertStateStore {
  readonly docs = new Map<string, { state: unknown; version: number }>();
  async load(key: string): Promise<{ state: unknown; version: number } | undefined> {
    return this.docs.get(key);
  }
  async save(key: string, state: unknown, expectedVersion: number): Promise<boolean> {
    if ((this.docs.get(key)?.version ?? 0) !== expectedVersion) return false;
    this.docs.set(key, { state, version: expectedVersion + 1 });
    return true;
  }
}

/** A `Notifier` that records what it is given. */
class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async send(notifications: readonly Notification[]): Promise<void> {
    this.sent.push(...notifications);
  }
}

/** The example rule set, loaded as `vigil.config.yaml` with `rules: [example-*.yml]` would be. */
const loadExampleRules = (): RulesDocument => {
  const { config, issues } = validateConfig({ rules: RULE_FILES });
  if (issues.length > 0) throw new Error(`config: ${JSON.stringify(issues)}`);
  return loadRulesDocument(config, ROOT);
};

const groupLabel = (g: RulesDocumentGroup): string => `${g.name} (${g.file.split('/').pop()})`;
const only = (doc: RulesDocument, groups: readonly RulesDocumentGroup[]): RulesDocument => ({
  ...doc,
  groups,
});

/** Active alerts (pending + firing) in the saved group states. */
const activeAlerts = (state: MemoryAlertStateStore): { pending: number; firing: number } => {
  let pending = 0;
  let firing = 0;
  for (const [key, { state: doc }] of state.docs) {
    if (!key.startsWith('group/')) continue;
    for (const rule of Object.values((doc as GroupStateDoc).state.rules)) {
      for (const a of Object.values(rule.alerts)) {
        if (a.state === 'pending') pending++;
        else if (a.state === 'firing') firing++;
      }
    }
  }
  return { pending, firing };
};

/** One evaluation-time row. */
export interface EvalFigure {
  readonly group: string;
  readonly rules: number;
  readonly medianMs: number;
  readonly rulesErr: number;
  readonly pending: number;
  readonly firing: number;
}

/** One tick of `doc`'s groups on `store`, fresh state; returns duration and outcome. */
const evaluateOnce = async (store: SeriesStore, doc: RulesDocument, nowMs: number) => {
  const state = new MemoryAlertStateStore();
  const notifier = new RecordingNotifier();
  const start = performance.now();
  const summary = await runEvaluation(
    { store, state, notifier, document: doc, clock: wallClock },
    nowMs,
  );
  const ms = performance.now() - start;
  return { ms, summary, alerts: activeAlerts(state), notifier };
};

/** Figure 1: evaluation time on the local store, per group and for the whole rule set. */
const runLocalEvalBench = async (
  doc: RulesDocument,
  opts: { warmup: number; repeats: number },
): Promise<{ series: number; samples: number; figures: EvalFigure[]; firingAfter: number }> => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-rules-'));
  try {
    const store = new EmbeddedSeriesStore({ dataDir: dir });
    const data = exampleData();
    await store.write(data);
    const samples = data.reduce((n, s) => n + s.samples.length, 0);
    const figures: EvalFigure[] = [];
    const measure = async (label: string, d: RulesDocument): Promise<void> => {
      const times: number[] = [];
      let last: Awaited<ReturnType<typeof evaluateOnce>> | undefined;
      for (let i = 0; i < opts.warmup + opts.repeats; i++) {
        last = await evaluateOnce(store, d, NOW_MS);
        if (i >= opts.warmup) times.push(last.ms);
      }
      figures.push({
        group: label,
        rules: d.groups.reduce((n, g) => n + g.rules.length, 0),
        medianMs: median(times),
        rulesErr: last?.summary.rulesErr ?? 0,
        pending: last?.alerts.pending ?? 0,
        firing: last?.alerts.firing ?? 0,
      });
    };
    for (const g of doc.groups) await measure(groupLabel(g), only(doc, [g]));
    await measure('all groups (one runEvaluation)', doc);
    // How many of those alerts fire once their `for` has passed: evaluate every 30 s over the
    // last 10 minutes of the data (the longest `for` of the example rules) on one state.
    const state = new MemoryAlertStateStore();
    const notifier = new RecordingNotifier();
    for (let t = NOW_MS - 600_000; t <= NOW_MS; t += 30_000) {
      await runEvaluation({ store, state, notifier, document: doc, clock: wallClock }, t);
    }
    store.close();
    return { series: data.length, samples, figures, firingAfter: activeAlerts(state).firing };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** Distinct selectors of an expression: metric matchers + range + offset, as the store sees them. */
const selectorKeys = (expr: string): string[] => {
  const keys: string[] = [];
  const walk = (node: unknown, rangeMs: number): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) walk(n, rangeMs);
      return;
    }
    const n = node as { type?: string; [k: string]: unknown };
    if (n.type === 'MatrixSelector') {
      walk(n.vectorSelector, n.rangeMs as number);
      return;
    }
    if (n.type === 'VectorSelector') {
      const m = [...(n.matchers as { name: string; op: string; value: string }[])]
        .map((x) => `${x.name}${x.op}"${x.value}"`)
        .sort();
      keys.push(`{${m.join(',')}}[${rangeMs}ms] offset ${n.offsetMs as number}ms`);
      return;
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'pos') walk(v, rangeMs);
  };
  walk(parseExpr(expr), 0);
  return keys;
};

/** A `TimestreamQueryClient` stand-in: counts statements, answers DESCRIBE, empty SELECTs. */
class CountingQueryClient {
  describes = 0;
  readonly selects: string[] = [];
  constructor(private readonly dimensions: readonly string[]) {}
  async send(command: { input: { QueryString?: string } }): Promise<unknown> {
    const sql = command.input.QueryString ?? '';
    if (sql.startsWith('DESCRIBE')) {
      this.describes++;
      return {
        ColumnInfo: [{ Name: 'Column' }, { Name: 'Type' }, { Name: 'Timestream attribute type' }],
        Rows: [
          ...this.dimensions.map((d) => ({
            Data: [{ ScalarValue: d }, { ScalarValue: 'varchar' }, { ScalarValue: 'DIMENSION' }],
          })),
          {
            Data: [
              { ScalarValue: 'measure_value::double' },
              { ScalarValue: 'double' },
              { ScalarValue: 'MEASURE_VALUE' },
            ],
          },
        ],
      };
    }
    if (sql.startsWith('SELECT')) this.selects.push(sql);
    return { ColumnInfo: [], Rows: [] };
  }
}

/** One Timestream query-count row. */
export interface QueryFigure {
  readonly group: string;
  readonly rules: number;
  readonly selectorsPerRule: number;
  readonly distinctSelectors: number;
  readonly selects: number;
  readonly distinctSelectSql: number;
  readonly describes: number;
}

/** Figure 2: Timestream statements sent by one evaluation tick of each group. */
const runTimestreamQueryBench = async (doc: RulesDocument): Promise<QueryFigure[]> => {
  const dimensions = [
    ...new Set(exampleData().flatMap((s) => Object.keys(s.labels).filter((k) => k !== '__name__'))),
    SPECIAL_VALUE_DIMENSION,
  ];
  const writeClient = { send: async () => ({}) } as unknown as TimestreamWriteClient;
  const figures: QueryFigure[] = [];
  // A control the example rules lack: groups whose rules share selectors (the example groups never repeat
  // one inside a group), here every example rule in one synthetic group.
  const merged: RulesDocumentGroup = {
    file: 'synthetic',
    name: 'all example rules in one group',
    rules: doc.groups.flatMap((g) => g.rules),
  };
  for (const g of [...doc.groups, merged]) {
    const client = new CountingQueryClient(dimensions);
    const store = new TimestreamSeriesStore({
      database: 'vigil',
      queryClient: client as unknown as TimestreamQueryClient,
      writeClient,
      maxAttempts: 1,
    });
    const perRule = g.rules.map((r) => selectorKeys(r.expr));
    await runEvaluation(
      {
        store,
        state: new MemoryAlertStateStore(),
        notifier: new RecordingNotifier(),
        document: only(doc, [g]),
        clock: wallClock,
      },
      NOW_MS,
    );
    figures.push({
      group: groupLabel(g),
      rules: g.rules.length,
      selectorsPerRule: perRule.reduce((n, k) => n + k.length, 0),
      distinctSelectors: new Set(perRule.flat()).size,
      selects: client.selects.length,
      distinctSelectSql: new Set(client.selects).size,
      describes: client.describes,
    });
  }
  return figures;
};

/** Both rule-evaluation figures. */
const runRulesBench = async (opts: { warmup: number; repeats: number }) => {
  const doc = loadExampleRules();
  const local = await runLocalEvalBench(doc, opts);
  const timestream = await runTimestreamQueryBench(doc);
  return { groups: doc.groups.length, local, timestream, opts };
};

const formatRulesFigures = (r: Awaited<ReturnType<typeof runRulesBench>>): string => {
  const sum = (xs: readonly QueryFigure[], f: (q: QueryFigure) => number): string =>
    fmt(xs.reduce((n, q) => n + f(q), 0));
  const exampleGroups = r.timestream.filter((q) => !q.group.includes('synthetic'));
  const row = (q: QueryFigure): string[] => [
    q.group,
    fmt(q.rules),
    fmt(q.selectorsPerRule),
    fmt(q.distinctSelectors),
    fmt(q.selects),
    fmt(q.distinctSelectSql),
    fmt(q.describes),
  ];
  return [
    `Example rules: ${r.groups} groups, ${r.local.figures.at(-1)?.rules ?? 0} rules (${RULE_FILES.join(', ')}); local store: EmbeddedSeriesStore, ${fmt(r.local.series)} series, ${fmt(r.local.samples)} samples (1 h at 15 s).`,
    `One tick per group through runEvaluation, fresh alert state each run; median of ${r.opts.repeats} runs after ${r.opts.warmup} warm-up. Alerts = active after that first tick (every example rule has a "for", so they start pending).`,
    table([
      ['group (file)', 'rules', 'median', 'rules err', 'pending', 'firing'],
      ...r.local.figures.map((f) => [
        f.group,
        fmt(f.rules),
        fmtMs(f.medianMs),
        fmt(f.rulesErr),
        fmt(f.pending),
        fmt(f.firing),
      ]),
    ]),
    `Same rules evaluated every 30 s over the data's last 10 min on one state: ${fmt(r.local.firingAfter)} alerts firing at the end.`,
    '',
    'Timestream: one tick per group through runEvaluation on TimestreamSeriesStore + stub query client (DESCRIBE answered with the data\'s dimensions, SELECT with an empty page). "selectors" = selectors summed over the rules\' expressions (one query each without the per-evaluation cache); "distinct" = distinct matchers+range+offset in the group.',
    table([
      ['group (file)', 'rules', 'selectors', 'distinct', 'SELECT sent', 'distinct SQL', 'DESCRIBE'],
      ...exampleGroups.map(row),
      [
        'total of the example groups',
        sum(exampleGroups, (q) => q.rules),
        sum(exampleGroups, (q) => q.selectorsPerRule),
        sum(exampleGroups, (q) => q.distinctSelectors),
        sum(exampleGroups, (q) => q.selects),
        sum(exampleGroups, (q) => q.distinctSelectSql),
        sum(exampleGroups, (q) => q.describes),
      ],
      ...r.timestream.filter((q) => !exampleGroups.includes(q)).map(row),
    ]),
  ].join('\n');
};

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  console.log(formatRulesFigures(await runRulesBench({ warmup: 1, repeats: 5 })));
}

export { formatRulesFigures, runLocalEvalBench, runRulesBench, runTimestreamQueryBench };
