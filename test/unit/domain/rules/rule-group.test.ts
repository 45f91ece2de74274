import {
  alertFingerprint,
  emptyGroupState,
  type GroupState,
  groupStateFromJSON,
  groupStateToJSON,
  type RuleGroupDefinition,
  type RuleSample,
  type VectorSample,
} from '../../../../lambdas/domain/rules/alert-state';
import type { RenderTemplate } from '../../../../lambdas/domain/rules/alerting-rule';
import {
  type AlertNotification,
  evaluateRuleGroup,
  generatorURL,
  type RuleGroupDeps,
  type RuleGroupEvaluation,
  samplesToSeries,
} from '../../../../lambdas/domain/rules/rule-group';
import type { Labels } from '../../../../lambdas/domain/series/labels';
import { seriesKey } from '../../../../lambdas/domain/series/labels';
import { isStaleNaN } from '../../../../lambdas/domain/series/sample';

const MINUTE_MS = 60_000;

/** promqltest expanding notation, one value per minute (`10x3`, `1+1x2`, `_`). */
const expandValues = (text: string): (number | undefined)[] => {
  const out: (number | undefined)[] = [];
  for (const tok of text.trim().split(/\s+/)) {
    const m = /^(-?[\d.]+)([+-][\d.]+)?x(\d+)$/.exec(tok);
    if (tok === '_') out.push(undefined);
    else if (m)
      for (let i = 0; i <= Number(m[3]); i++) out.push(Number(m[1]) + Number(m[2] ?? 0) * i);
    else out.push(Number(tok));
  }
  return out;
};

/**
 * A fake store with a fake instant query: `<metric>` or `<metric> <|> <number>`, reading samples
 * exactly at the query time. Rule outputs appended to it are visible to later queries.
 */
class FakeTsdb {
  readonly queries: { expr: string; atMs: number }[] = [];
  private readonly data = new Map<string, { labels: Labels; points: Map<number, number> }>();
  /** Minutes at which a query of the expression throws. */
  readonly failures = new Map<string, Set<number>>();

  constructor(series: readonly { labels: Labels; values: string }[] = []) {
    for (const s of series) {
      const values = expandValues(s.values);
      this.append(
        values.flatMap((v, i) =>
          v === undefined ? [] : [{ labels: s.labels, t: i * MINUTE_MS, v }],
        ),
      );
    }
  }

  append(samples: readonly RuleSample[]): void {
    for (const s of samples) {
      const key = seriesKey(s.labels);
      const entry = this.data.get(key) ?? { labels: s.labels, points: new Map() };
      entry.points.set(s.t, s.v);
      this.data.set(key, entry);
    }
  }

  at(labels: Labels, t: number): number | undefined {
    return this.data.get(seriesKey(labels))?.points.get(t);
  }

  query = async (expr: string, atMs: number): Promise<VectorSample[]> => {
    this.queries.push({ expr, atMs });
    if (this.failures.get(expr)?.has(atMs / MINUTE_MS)) {
      throw new Error('query timed out in query execution');
    }
    const m = /^([\w:]+)(?: ([<>]) ([\d.]+))?$/.exec(expr);
    if (!m) throw new Error(`fake query cannot evaluate ${expr}`);
    const [, name, op, threshold] = m;
    const out: VectorSample[] = [];
    for (const { labels, points } of this.data.values()) {
      const v = points.get(atMs);
      if (labels.__name__ !== name || v === undefined || isStaleNaN(v)) continue;
      if (op === '>' && !(v > Number(threshold))) continue;
      if (op === '<' && !(v < Number(threshold))) continue;
      out.push({ labels, value: v });
    }
    return out;
  };
}

const fakeRender: RenderTemplate = (text, data) =>
  text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, n: string) => data.labels[n] ?? '');

/** A clock that advances 5 ms each time it is read. */
const steppingClock = (startMs = 1_000_000): (() => number) => {
  let t = startMs - 5;
  return () => {
    t += 5;
    return t;
  };
};

const depsFor = (db: FakeTsdb, extra: Partial<RuleGroupDeps> = {}): RuleGroupDeps => ({
  query: db.query,
  renderTemplate: fakeRender,
  now: steppingClock(),
  externalURL: 'http://vigil.example',
  appendSamples: async (s) => db.append(s),
  ...extra,
});

/** Evaluates the group once a minute from minute 0; the state goes through JSON text each time. */
const runMinutes = async (
  group: RuleGroupDefinition,
  db: FakeTsdb,
  minutes: number,
  extra: Partial<RuleGroupDeps> = {},
): Promise<RuleGroupEvaluation[]> => {
  const deps = depsFor(db, extra);
  let state: GroupState = emptyGroupState();
  const out: RuleGroupEvaluation[] = [];
  for (let i = 0; i < minutes; i++) {
    const res = await evaluateRuleGroup(group, state, i * MINUTE_MS, deps);
    state = groupStateFromJSON(JSON.parse(JSON.stringify(groupStateToJSON(res.state))));
    out.push(res);
  }
  return out;
};

/** The alert states of the group's first rule, one string per minute. */
const alertRows = (results: readonly RuleGroupEvaluation[], ruleIndex = 0): string[] =>
  results.map((r) => {
    const key = r.ruleResults[ruleIndex]?.key as string;
    const alerts = [...(r.state.rules[key]?.alerts.values() ?? [])];
    return alerts.map((a) => a.state).join(',') || '-';
  });

const sent = (results: readonly RuleGroupEvaluation[]): string[] =>
  results.flatMap((r, minute) => r.notificationsToSend.map((n) => `${minute}:${n.status}`));

const X = { __name__: 'x', job: 'api' };

describe('Function: evaluateRuleGroup', () => {
  it('evaluates rules in file order, later rules seeing earlier results of the same evaluation', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '3 8' }]);
    const group: RuleGroupDefinition = {
      name: 'g',
      rules: [
        { record: 'job:x', expr: 'x', labels: { source: 'rule' } },
        { alert: 'XHigh', expr: 'job:x > 5' },
      ],
    };

    // Act
    const results = await runMinutes(group, db, 2);

    // Assess
    expect(db.queries).toEqual([
      { expr: 'x', atMs: 0 },
      { expr: 'job:x > 5', atMs: 0 },
      { expr: 'x', atMs: MINUTE_MS },
      { expr: 'job:x > 5', atMs: MINUTE_MS },
    ]);
    expect(alertRows(results, 1)).toEqual(['-', 'firing']);
    expect(results[1]?.ruleResults.map((r) => [r.name, r.type, r.health])).toEqual([
      ['job:x', 'recording', 'ok'],
      ['XHigh', 'alerting', 'ok'],
    ]);
    expect(db.at({ __name__: 'job:x', job: 'api', source: 'rule' }, MINUTE_MS)).toBe(8);
  });

  it('keeps a firing alert through failing queries, marks the rule err, and goes on', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10x9' }]);
    db.failures.set('x > 5', new Set([3, 4]));
    const group: RuleGroupDefinition = {
      name: 'g',
      rules: [
        { alert: 'XHigh', expr: 'x > 5', forMs: MINUTE_MS },
        { record: 'x:copy', expr: 'x' },
      ],
    };

    // Act
    const results = await runMinutes(group, db, 7);

    // Assess
    expect(alertRows(results)).toEqual([
      'pending',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
    ]);
    expect(results.map((r) => r.ruleResults[0]?.health)).toEqual([
      'ok',
      'ok',
      'ok',
      'err',
      'err',
      'ok',
      'ok',
    ]);
    expect(results[3]?.ruleResults[0]?.lastError).toBe('query timed out in query execution');
    expect(results[5]?.ruleResults[0]?.lastError).toBeUndefined();
    expect(results.map((r) => r.ruleResults[1]?.health)).toEqual(Array(7).fill('ok'));
    // Nothing is sent or written for the failed rule while it fails; the alert keeps its activeAt.
    expect(sent(results)).toEqual(['1:firing', '5:firing']);
    expect(results[3]?.samples.map((s) => s.labels.__name__)).toEqual(['x:copy']);
    const key = results[6]?.ruleResults[0]?.key as string;
    expect([...(results[6]?.state.rules[key]?.alerts.values() ?? [])][0]).toMatchObject({
      activeAtMs: 0,
      firedAtMs: MINUTE_MS,
    });
  });

  it('sends firing alerts after each resend delay, then resolved ones until dropped', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10 10 10 10 0x20' }]);
    const group: RuleGroupDefinition = {
      name: 'g',
      rules: [
        { alert: 'XHigh', expr: 'x > 5', annotations: { summary: 'x of {{ $labels.job }}' } },
      ],
    };

    // Act
    const results = await runMinutes(group, db, 22);

    // Assess: needsSending compares with `Before`, so with a 1m interval and 1m resend delay an
    // alert is sent every other evaluation, as Prometheus does.
    expect(sent(results)).toEqual([
      '0:firing',
      '2:firing',
      '4:resolved',
      '6:resolved',
      '8:resolved',
      '10:resolved',
      '12:resolved',
      '14:resolved',
      '16:resolved',
      '18:resolved',
    ]);
    const labels = { alertname: 'XHigh', job: 'api' };
    const first: AlertNotification = {
      ruleName: 'XHigh',
      expr: 'x > 5',
      fingerprint: alertFingerprint(labels),
      status: 'firing',
      labels,
      annotations: { summary: 'x of api' },
      value: 10,
      activeAtMs: 0,
      startsAtMs: 0,
      endsAtMs: 4 * MINUTE_MS,
      generatorURL: 'http://vigil.example/graph?g0.expr=x+%3E+5&g0.tab=1',
    };
    expect(results[0]?.notificationsToSend).toEqual([first]);
    expect(results[4]?.notificationsToSend).toEqual([
      { ...first, status: 'resolved', endsAtMs: 4 * MINUTE_MS },
    ]);
    expect(alertRows(results).slice(18)).toEqual(['inactive', 'inactive', '-', '-']);
  });

  it('sets validUntil from the group interval when it exceeds the resend delay', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10' }]);
    const group = { name: 'g', intervalMs: 5 * MINUTE_MS, rules: [{ alert: 'A', expr: 'x > 5' }] };

    // Act
    const [res] = await runMinutes(group, db, 1, { resendDelayMs: 30_000 });

    // Assess
    expect(res?.notificationsToSend[0]?.endsAtMs).toBe(20 * MINUTE_MS);
  });

  it('writes ALERTS samples and staleness markers for alert series that ended', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10 10 0' }]);
    const group = { name: 'g', rules: [{ alert: 'A', expr: 'x > 5', forMs: MINUTE_MS }] };
    const pending = { __name__: 'ALERTS', alertname: 'A', alertstate: 'pending', job: 'api' };
    const firing = { ...pending, alertstate: 'firing' };
    const forState = { __name__: 'ALERTS_FOR_STATE', alertname: 'A', job: 'api' };

    // Act
    await runMinutes(group, db, 3);

    // Assess
    expect(db.at(pending, 0)).toBe(1);
    expect(db.at(forState, 0)).toBe(0);
    expect(isStaleNaN(db.at(pending, MINUTE_MS) as number)).toBe(true);
    expect(db.at(firing, MINUTE_MS)).toBe(1);
    expect(isStaleNaN(db.at(firing, 2 * MINUTE_MS) as number)).toBe(true);
    expect(isStaleNaN(db.at(forState, 2 * MINUTE_MS) as number)).toBe(true);
  });

  it('marks a rule over the limit err and forgets its alerts, as Prometheus does', async () => {
    // Prepare
    const db = new FakeTsdb([
      { labels: { ...X, instance: '1' }, values: '10 10' },
      { labels: { ...X, instance: '2' }, values: '_ 10' },
    ]);
    const group = { name: 'g', limit: 1, rules: [{ alert: 'A', expr: 'x > 5' }] };

    // Act
    const results = await runMinutes(group, db, 2);

    // Assess
    expect(alertRows(results)).toEqual(['firing', '-']);
    expect(results[1]?.ruleResults[0]).toMatchObject({
      health: 'err',
      lastError: 'exceeded limit of 1 with 2 alerts',
    });
    expect(results[1]?.notificationsToSend).toEqual([]);
  });

  it('passes external labels to templates and reports a non-Error failure as text', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10' }]);
    const group = {
      name: 'g',
      rules: [
        { alert: 'A', expr: 'x > 5', labels: { cluster: '{{ $externalLabels.cluster }}' } },
        { record: 'r', expr: 'x' },
      ],
    };
    const renderTemplate: RenderTemplate = (text, data) =>
      text.replace('{{ $externalLabels.cluster }}', data.externalLabels.cluster ?? '');
    const query = async (expr: string, at: number): Promise<VectorSample[]> => {
      if (expr === 'x') throw 'connection reset';
      return db.query(expr, at);
    };

    // Act
    const [res] = await runMinutes(group, db, 1, {
      renderTemplate,
      query,
      externalLabels: { cluster: 'eu-1' },
    });

    // Assess
    expect(res?.notificationsToSend[0]?.labels).toEqual({
      alertname: 'A',
      cluster: 'eu-1',
      job: 'api',
    });
    expect(res?.ruleResults[1]).toMatchObject({ health: 'err', lastError: 'connection reset' });
  });

  it('marks a recording rule with colliding results err', async () => {
    // Prepare
    const db = new FakeTsdb([
      { labels: { __name__: 'x', instance: '1' }, values: '1' },
      { labels: { __name__: 'x', instance: '2' }, values: '2' },
    ]);
    const group = { name: 'g', rules: [{ record: 'r', expr: 'x', labels: { instance: 'same' } }] };

    // Act
    const [res] = await runMinutes(group, db, 1);

    // Assess
    expect(res?.ruleResults[0]).toMatchObject({
      health: 'err',
      lastError: 'vector contains metrics with the same labelset after applying rule labels',
    });
    expect(res?.samples).toEqual([]);
  });

  it('times each rule and the group with the injected clock', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '1' }]);
    const group = {
      name: 'g',
      rules: [
        { record: 'a', expr: 'x' },
        { record: 'b', expr: 'x' },
      ],
    };

    // Act
    const res = await evaluateRuleGroup(
      group,
      emptyGroupState(),
      0,
      depsFor(db, { now: steppingClock(100) }),
    );

    // Assess: reads at 100 (group), 105/110 (rule a), 115/120 (rule b), 125 (group end).
    expect(res.ruleResults.map((r) => [r.lastEvaluationMs, r.evaluationTimeMs])).toEqual([
      [105, 5],
      [115, 5],
    ]);
    expect(res.evaluationTimeMs).toBe(25);
    expect(res.state.rules[res.ruleResults[0]?.key as string]).toMatchObject({
      health: 'ok',
      lastEvaluationMs: 105,
      evaluationTimeMs: 5,
    });
  });

  it('keeps each rule its state when rules are added or moved, and stales removed rules', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10 10 10' }]);
    const alert = { alert: 'A', expr: 'x > 5', forMs: 2 * MINUTE_MS };
    const before = { name: 'g', rules: [{ record: 'old', expr: 'x' }, alert] };
    const after = { name: 'g', rules: [alert, { record: 'new', expr: 'x' }] };
    const deps = depsFor(db);

    // Act
    const r0 = await evaluateRuleGroup(before, emptyGroupState(), 0, deps);
    const r1 = await evaluateRuleGroup(after, r0.state, MINUTE_MS, deps);
    const r2 = await evaluateRuleGroup(after, r1.state, 2 * MINUTE_MS, deps);

    // Assess
    expect(alertRows([r0], 1)).toEqual(['pending']);
    expect(alertRows([r1, r2])).toEqual(['pending', 'firing']);
    expect(isStaleNaN(db.at({ __name__: 'old', job: 'api' }, MINUTE_MS) as number)).toBe(true);
    expect(Object.keys(r1.state.rules)).toHaveLength(2);
  });

  it('tells identical rules apart by their order', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10' }]);
    const group = {
      name: 'g',
      rules: [
        { alert: 'Same', expr: 'x > 5' },
        { alert: 'Same', expr: 'x > 5', forMs: MINUTE_MS },
      ],
    };

    // Act
    const [res] = await runMinutes(group, db, 1);

    // Assess
    expect(new Set(res?.ruleResults.map((r) => r.key)).size).toBe(2);
    expect(alertRows(res ? [res] : [], 0)).toEqual(['firing']);
    expect(alertRows(res ? [res] : [], 1)).toEqual(['pending']);
  });

  it('queries and writes at the evaluation time minus query_offset', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10 10' }]);
    const group = {
      name: 'g',
      queryOffsetMs: MINUTE_MS,
      rules: [
        { alert: 'A', expr: 'x > 5' },
        { record: 'r', expr: 'x' },
      ],
    };

    // Act
    const res = await evaluateRuleGroup(group, emptyGroupState(), 2 * MINUTE_MS, depsFor(db));

    // Assess
    expect(db.queries.map((q) => q.atMs)).toEqual([MINUTE_MS, MINUTE_MS]);
    expect(res.samples.map((s) => s.t)).toEqual([MINUTE_MS, MINUTE_MS, MINUTE_MS]);
    const [alert] = [
      ...(res.state.rules[res.ruleResults[0]?.key as string]?.alerts.values() ?? []),
    ];
    expect(alert).toMatchObject({ activeAtMs: 2 * MINUTE_MS, firedAtMs: 2 * MINUTE_MS });
  });

  it('marks a rule err when its samples cannot be written, and still advances its alerts', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10' }]);
    const group = { name: 'g', rules: [{ alert: 'A', expr: 'x > 5' }] };
    const appendSamples = async (): Promise<void> => {
      throw new Error('store throttled');
    };

    // Act
    const [res] = await runMinutes(group, db, 1, { appendSamples });

    // Assess
    expect(res?.ruleResults[0]).toMatchObject({ health: 'err', lastError: 'store throttled' });
    expect(alertRows(res ? [res] : [])).toEqual(['firing']);
    expect(res?.samples).toHaveLength(2);
  });

  it('returns every sample for the caller to write when no appender is given', async () => {
    // Prepare
    const db = new FakeTsdb([{ labels: X, values: '10' }]);
    const group = { name: 'g', rules: [{ record: 'r', expr: 'x' }] };

    // Act
    const res = await evaluateRuleGroup(group, emptyGroupState(), 0, {
      query: db.query,
      renderTemplate: fakeRender,
      now: steppingClock(),
    });

    // Assess
    expect(samplesToSeries(res.samples)).toEqual([
      { labels: { __name__: 'r', job: 'api' }, samples: [{ t: 0, v: 10 }] },
    ]);
    expect(res.state.lastEvaluationAtMs).toBe(0);
  });
});

describe('Function: generatorURL', () => {
  it('escapes the expression like Go url.QueryEscape', () => {
    // Act
    const url = generatorURL('', `sum(rate(x{job="a b"}[5m])) > 0.5 * (1 + 2)!'~`);

    // Assess
    expect(url).toBe(
      '/graph?g0.expr=sum%28rate%28x%7Bjob%3D%22a+b%22%7D%5B5m%5D%29%29+%3E+0.5+%2A+%281+%2B+2%29%21%27~&g0.tab=1',
    );
  });
});
