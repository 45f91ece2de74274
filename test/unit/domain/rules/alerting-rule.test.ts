import {
  type ActiveAlert,
  AlertState,
  type AlertStateMap,
  type AlertingRuleDefinition,
  alertFingerprint,
  alertsFromJSON,
  alertsToJSON,
  emptyGroupState,
  groupStateFromJSON,
  groupStateToJSON,
  RuleEvaluationError,
  RuleHealth,
  RuleLimitExceededError,
  type RuleSample,
  type VectorSample,
} from '../../../../lambdas/domain/rules/alert-state';
import {
  type AlertingRuleDeps,
  evaluateAlertingRule,
  markSent,
  needsSending,
  type RenderTemplate,
  type RuleQueryFn,
} from '../../../../lambdas/domain/rules/alerting-rule';
import type { Labels } from '../../../../lambdas/domain/series/labels';

const MINUTE_MS = 60_000;

/**
 * A tiny `load 1m` script: values per minute in promqltest's expanding notation
 * (`75 85 10x5`, `1+2x3`, `_` for no sample).
 */
const expandValues = (text: string): (number | undefined)[] => {
  const out: (number | undefined)[] = [];
  for (const tok of text.trim().split(/\s+/)) {
    if (tok === '_') {
      out.push(undefined);
      continue;
    }
    const m = /^(-?[\d.]+)([+-][\d.]+)?x(\d+)$/.exec(tok);
    if (m) {
      const step = Number(m[2] ?? 0);
      for (let i = 0; i <= Number(m[3]); i++) out.push(Number(m[1]) + step * i);
      continue;
    }
    out.push(Number(tok));
  }
  return out;
};

/** A fake instant query over a load script, for expressions `<metric> <|> <number>`. */
const loadQuery = (series: readonly { labels: Labels; values: string }[]): RuleQueryFn => {
  const loaded = series.map((s) => ({ labels: s.labels, values: expandValues(s.values) }));
  return async (expr, atMs) => {
    const m = /^(\w+) ([<>]) ([\d.]+)$/.exec(expr);
    if (!m) throw new Error(`fake query cannot evaluate ${expr}`);
    const [, name, op, threshold] = m;
    const out: VectorSample[] = [];
    for (const s of loaded) {
      const v = s.values[atMs / MINUTE_MS];
      if (s.labels.__name__ !== name || v === undefined) continue;
      if (op === '>' ? v > Number(threshold) : v < Number(threshold)) {
        out.push({ labels: s.labels, value: v });
      }
    }
    return out;
  };
};

/**
 * A fake template renderer: `{{ $labels.x }}`, `{{ $value }}`, `{{ $externalLabels.x }}`,
 * `{{ len $externalLabels }}`, `{{ $externalURL }}`, `{{ if lt $value N }}a{{ else }}b{{ end }}`;
 * `{{ fail }}` throws.
 */
const fakeRender: RenderTemplate = (text, data) =>
  text
    .replace(
      /\{\{ if lt \$value ([\d.]+) \}\}(.*?)\{\{ else \}\}(.*?)\{\{ end \}\}/g,
      (_, n: string, a: string, b: string) => (data.value < Number(n) ? a : b),
    )
    .replace(/\{\{ *(.*?) *\}\}/g, (_, e: string) => {
      if (e === 'fail') throw new Error('template: __alert: function "fail" not defined');
      if (e === '$value') return String(data.value);
      if (e === '$externalURL') return data.externalURL;
      if (e === 'len $externalLabels') return String(Object.keys(data.externalLabels).length);
      const m = /^\$(labels|externalLabels)\.(\w+)$/.exec(e);
      if (m?.[1] === 'labels') return data.labels[m[2] as string] ?? '';
      if (m?.[1] === 'externalLabels') return data.externalLabels[m[2] as string] ?? '';
      throw new Error(`fake renderer cannot render ${e}`);
    });

const HTTP_REQUESTS = { __name__: 'http_requests', job: 'app-server', instance: '0' };

/** Runs a rule minute by minute; returns the ALERTS states seen at each minute and the states. */
const runMinutes = async (
  rule: AlertingRuleDefinition,
  query: RuleQueryFn,
  minutes: number,
  deps: Partial<AlertingRuleDeps> = {},
): Promise<{ rows: string[]; states: Map<string, ActiveAlert>[]; samples: RuleSample[][] }> => {
  let state: AlertStateMap = new Map();
  const rows: string[] = [];
  const states: Map<string, ActiveAlert>[] = [];
  const samples: RuleSample[][] = [];
  for (let i = 0; i < minutes; i++) {
    const at = i * MINUTE_MS;
    const res = await evaluateAlertingRule(rule, state, await query(rule.expr, at), at, {
      renderTemplate: fakeRender,
      ...deps,
    });
    state = res.state;
    states.push(res.state);
    samples.push(res.samples);
    rows.push(
      res.samples
        .filter((s) => s.labels.__name__ === 'ALERTS')
        .map((s) => s.labels.alertstate)
        .sort()
        .join(',') || '-',
    );
  }
  return { rows, states, samples };
};

describe('Class: AlertingRule', () => {
  describe('Method: evaluateAlertingRule', () => {
    it('goes pending, fires after `for`, and resolves when the condition clears', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '75 85 70 70 10x3' }]);
      const rule = {
        alert: 'HTTPRequestRateHigh',
        expr: 'http_requests > 50',
        forMs: 2 * MINUTE_MS,
      };

      // Act
      const { rows, states } = await runMinutes(rule, query, 7);

      // Assess
      expect(rows).toEqual(['pending', 'pending', 'firing', 'firing', '-', '-', '-']);
      const [alert] = [...(states[4] as Map<string, ActiveAlert>).values()];
      expect(alert).toEqual({
        state: 'inactive',
        labels: { alertname: 'HTTPRequestRateHigh', instance: '0', job: 'app-server' },
        annotations: {},
        value: 70,
        activeAtMs: 0,
        firedAtMs: 2 * MINUTE_MS,
        resolvedAtMs: 4 * MINUTE_MS,
      });
    });

    it('fires at once when `for` is 0', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '75 85 10' }]);
      const rule = { alert: 'HTTPRequestRateHigh', expr: 'http_requests > 50' };

      // Act
      const { rows, states } = await runMinutes(rule, query, 3);

      // Assess
      expect(rows).toEqual(['firing', 'firing', '-']);
      const [alert] = [...(states[0] as Map<string, ActiveAlert>).values()];
      expect(alert).toMatchObject({ state: 'firing', activeAtMs: 0, firedAtMs: 0 });
    });

    it('fires at the next evaluation when `for` is shorter than the interval', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '75 85' }]);
      const rule = { alert: 'A', expr: 'http_requests > 50', forMs: 30_000 };

      // Act
      const { rows } = await runMinutes(rule, query, 2);

      // Assess
      expect(rows).toEqual(['pending', 'firing']);
    });

    it('keeps firing for keepFiringFor after the condition clears (alerting_test.go TestKeepFiringFor)', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '75 85 70 70 10x5' }]);
      const rule = {
        alert: 'HTTPRequestRateHigh',
        expr: 'http_requests > 50',
        forMs: MINUTE_MS,
        keepFiringForMs: MINUTE_MS,
      };

      // Act
      const { rows, states } = await runMinutes(rule, query, 6);

      // Assess
      expect(rows).toEqual(['pending', 'firing', 'firing', 'firing', 'firing', '-']);
      const [kept] = [...(states[4] as Map<string, ActiveAlert>).values()];
      expect(kept).toMatchObject({ state: 'firing', keepFiringSinceMs: 4 * MINUTE_MS, value: 70 });
      const [resolved] = [...(states[5] as Map<string, ActiveAlert>).values()];
      expect(resolved).toMatchObject({ state: 'inactive', resolvedAtMs: 5 * MINUTE_MS });
    });

    it('clears keepFiringSince when the condition comes back', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '75 10 75 10 10 10' }]);
      const rule = { alert: 'A', expr: 'http_requests > 50', keepFiringForMs: 2 * MINUTE_MS };

      // Act
      const { rows, states } = await runMinutes(rule, query, 6);

      // Assess
      expect(rows).toEqual(['firing', 'firing', 'firing', 'firing', 'firing', '-']);
      const [back] = [...(states[2] as Map<string, ActiveAlert>).values()];
      expect(back?.keepFiringSinceMs).toBeUndefined();
      expect(back?.activeAtMs).toBe(0);
    });

    it('drops a pending alert at once even with keepFiringFor (alerting_test.go TestPendingAndKeepFiringFor)', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '75 10x10' }]);
      const rule = {
        alert: 'HTTPRequestRateHigh',
        expr: 'http_requests > 50',
        forMs: MINUTE_MS,
        keepFiringForMs: MINUTE_MS,
      };

      // Act
      const { rows, states } = await runMinutes(rule, query, 2);

      // Assess
      expect(rows).toEqual(['pending', '-']);
      expect(states[1]?.size).toBe(0);
    });

    it('restarts `for` from scratch on flapping input', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '60 _ 60 10 60 60 60 60' }]);
      const rule = { alert: 'Flapping', expr: 'http_requests > 50', forMs: 2 * MINUTE_MS };

      // Act
      const { rows, states } = await runMinutes(rule, query, 8);

      // Assess
      expect(rows).toEqual([
        'pending',
        '-',
        'pending',
        '-',
        'pending',
        'pending',
        'firing',
        'firing',
      ]);
      const [alert] = [...(states[6] as Map<string, ActiveAlert>).values()];
      expect(alert).toMatchObject({ activeAtMs: 4 * MINUTE_MS, firedAtMs: 6 * MINUTE_MS });
    });

    it('starts a new alert when a resolved one comes back', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '60 60 10 60 60' }]);
      const rule = { alert: 'Back', expr: 'http_requests > 50', forMs: MINUTE_MS };

      // Act
      const { rows, states } = await runMinutes(rule, query, 5);

      // Assess
      expect(rows).toEqual(['pending', 'firing', '-', 'pending', 'firing']);
      const [alert] = [...(states[3] as Map<string, ActiveAlert>).values()];
      expect(alert).toEqual({
        state: 'pending',
        labels: { alertname: 'Back', instance: '0', job: 'app-server' },
        annotations: {},
        value: 60,
        activeAtMs: 3 * MINUTE_MS,
      });
    });

    it('keeps a resolved alert for 15 minutes, then drops it', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '60 10x30' }]);
      const rule = { alert: 'Resolved', expr: 'http_requests > 50' };

      // Act
      const { states } = await runMinutes(rule, query, 18);

      // Assess: resolved at minute 1; still kept at 16 (exactly 15 min), gone at 17.
      const sizes = states.map((s) => s.size);
      expect(sizes).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
      expect([...(states[16] as Map<string, ActiveAlert>).values()][0]).toMatchObject({
        state: 'inactive',
        resolvedAtMs: MINUTE_MS,
      });
    });

    it('tracks one alert per series, each on its own clock', async () => {
      // Prepare
      const query = loadQuery([
        { labels: { ...HTTP_REQUESTS, instance: '0' }, values: '60 60 60 10' },
        { labels: { ...HTTP_REQUESTS, instance: '1' }, values: '10 60 60 60' },
      ]);
      const rule = { alert: 'PerInstance', expr: 'http_requests > 50', forMs: MINUTE_MS };

      // Act
      const { samples } = await runMinutes(rule, query, 4);

      // Assess
      const byInstance = samples.map((s) =>
        s
          .filter((x) => x.labels.__name__ === 'ALERTS')
          .map((x) => `${x.labels.instance}:${x.labels.alertstate}`)
          .sort(),
      );
      expect(byInstance).toEqual([
        ['0:pending'],
        ['0:firing', '1:pending'],
        ['0:firing', '1:firing'],
        ['1:firing'],
      ]);
    });

    it('writes ALERTS and ALERTS_FOR_STATE with the alert labels at the evaluation time', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '_ 75 75' }]);
      const rule = {
        alert: 'HTTPRequestRateHigh',
        expr: 'http_requests > 50',
        forMs: MINUTE_MS,
        labels: { severity: 'page' },
      };

      // Act
      const { samples } = await runMinutes(rule, query, 3);

      // Assess
      expect(samples[0]).toEqual([]);
      expect(samples[2]).toEqual([
        {
          labels: {
            __name__: 'ALERTS',
            alertname: 'HTTPRequestRateHigh',
            alertstate: 'firing',
            instance: '0',
            job: 'app-server',
            severity: 'page',
          },
          t: 2 * MINUTE_MS,
          v: 1,
        },
        {
          labels: {
            __name__: 'ALERTS_FOR_STATE',
            alertname: 'HTTPRequestRateHigh',
            instance: '0',
            job: 'app-server',
            severity: 'page',
          },
          t: 2 * MINUTE_MS,
          v: 60,
        },
      ]);
    });

    it('templates labels and annotations with $labels and $value, and updates annotations each time', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '75 85' }]);
      const rule = {
        alert: 'HTTPRequestRateHigh',
        expr: 'http_requests > 50',
        forMs: 5 * MINUTE_MS,
        labels: { team: 'ml-{{ $labels.job }}', job: 'overridden' },
        annotations: { summary: '{{ $labels.instance }} at {{ $value }}', static: 'same' },
      };

      // Act
      const { states } = await runMinutes(rule, query, 2);

      // Assess
      const [first] = [...(states[0] as Map<string, ActiveAlert>).values()];
      const [second] = [...(states[1] as Map<string, ActiveAlert>).values()];
      expect(first?.labels).toEqual({
        alertname: 'HTTPRequestRateHigh',
        instance: '0',
        job: 'overridden',
        team: 'ml-app-server',
      });
      expect(first?.annotations).toEqual({ static: 'same', summary: '0 at 75' });
      expect(second?.annotations).toEqual({ static: 'same', summary: '0 at 85' });
      expect(second?.value).toBe(85);
    });

    it('overrides an alertname label of the result, and drops a label that templates to ""', async () => {
      // Prepare
      const result = [{ labels: { __name__: 'x', alertname: 'other', job: 'j' }, value: 1 }];
      const rule = { alert: 'Mine', expr: 'x', labels: { job: '{{ $labels.none }}' } };

      // Act
      const { state, samples } = await evaluateAlertingRule(rule, new Map(), result, 0, {
        renderTemplate: fakeRender,
      });

      // Assess
      expect([...state.values()][0]?.labels).toEqual({ alertname: 'Mine' });
      // AlertingRule.sample starts from the raw rule labels (a Prometheus quirk, kept).
      expect(samples[0]?.labels).toEqual({
        __name__: 'ALERTS',
        alertname: 'Mine',
        alertstate: 'firing',
        job: '{{ $labels.none }}',
      });
    });

    it('keeps the severity given by the first evaluation (alerting_test.go TestAlertingRuleLabelsUpdate)', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '75 85 70 70' }]);
      const rule = {
        alert: 'HTTPRequestRateLow',
        expr: 'http_requests < 100',
        forMs: MINUTE_MS,
        labels: { severity: '{{ if lt $value 80.0 }}critical{{ else }}warning{{ end }}' },
      };

      // Act
      const { samples } = await runMinutes(rule, query, 4);

      // Assess
      const alerts = samples.map((s) =>
        s
          .filter((x) => x.labels.__name__ === 'ALERTS')
          .map((x) => `${x.labels.severity}:${x.labels.alertstate}`),
      );
      expect(alerts).toEqual([
        ['critical:pending'],
        ['warning:pending'],
        ['critical:pending'],
        ['critical:firing'],
      ]);
    });

    it('passes external labels and URL to templates (TestAlertingRuleExternalLabelsInTemplate)', async () => {
      // Prepare
      const result = [{ labels: HTTP_REQUESTS, value: 75 }];
      const rule = {
        alert: 'ExternalLabelExists',
        expr: 'http_requests < 100',
        labels: {
          templated_label:
            'There are {{ len $externalLabels }} external Labels, of which foo is {{ $externalLabels.foo }}.',
        },
        annotations: { url: 'The external URL is {{ $externalURL }}.' },
      };

      // Act
      const without = await evaluateAlertingRule(rule, new Map(), result, 0, {
        renderTemplate: fakeRender,
      });
      const withLabels = await evaluateAlertingRule(rule, new Map(), result, 0, {
        renderTemplate: fakeRender,
        externalLabels: { foo: 'bar', dings: 'bums' },
        externalURL: 'http://localhost:1234',
      });

      // Assess
      const a = [...without.state.values()][0];
      const b = [...withLabels.state.values()][0];
      expect(a?.labels.templated_label).toBe('There are 0 external Labels, of which foo is .');
      expect(a?.annotations.url).toBe('The external URL is .');
      expect(b?.labels.templated_label).toBe('There are 2 external Labels, of which foo is bar.');
      expect(b?.annotations.url).toBe('The external URL is http://localhost:1234.');
    });

    it('gives the renderer the template name, time and query function', async () => {
      // Prepare
      const seen: unknown[] = [];
      const query: RuleQueryFn = async () => [];
      const render: RenderTemplate = async (text, _data, opts) => {
        seen.push(opts);
        return text;
      };
      const rule = { alert: 'Named', expr: 'x', annotations: { a: 'b' } };

      // Act
      await evaluateAlertingRule(rule, new Map(), [{ labels: {}, value: 1 }], 5000, {
        renderTemplate: render,
        query,
      });

      // Assess
      expect(seen).toEqual([{ name: '__alert_Named', nowMs: 5000, query }]);
    });

    it('turns a template error into the value, as Prometheus does', async () => {
      // Prepare
      const rule = { alert: 'Broken', expr: 'x', annotations: { summary: '{{ fail }}' } };

      // Act
      const { state } = await evaluateAlertingRule(rule, new Map(), [{ labels: {}, value: 1 }], 0, {
        renderTemplate: fakeRender,
      });

      // Assess
      expect([...state.values()][0]?.annotations.summary).toBe(
        '<error expanding template: template: __alert: function "fail" not defined>',
      );
    });

    it('reports a renderer that throws a non-Error', async () => {
      // Prepare
      const render: RenderTemplate = () => {
        throw 'boom';
      };

      // Act
      const { state } = await evaluateAlertingRule(
        { alert: 'S', expr: 'x', annotations: { a: '{{ x }}' } },
        new Map(),
        [{ labels: {}, value: 1 }],
        0,
        { renderTemplate: render },
      );

      // Assess
      expect([...state.values()][0]?.annotations.a).toBe('<error expanding template: boom>');
    });

    it('fails on results with the same labels after templating (TestAlertingRuleDuplicate)', async () => {
      // Prepare: `vector(0) or label_replace(vector(0),"test","x","","")` with label test="test".
      const result: VectorSample[] = [
        { labels: {}, value: 0 },
        { labels: { test: 'x' }, value: 0 },
      ];
      const rule = { alert: 'foo', expr: 'e', forMs: MINUTE_MS, labels: { test: 'test' } };

      // Act
      const act = evaluateAlertingRule(rule, new Map(), result, 0, { renderTemplate: fakeRender });

      // Assess
      await expect(act).rejects.toThrow(RuleEvaluationError);
      await expect(act).rejects.toThrow(
        'vector contains metrics with the same labelset after applying alert labels',
      );
    });

    it.each([
      { limit: 0, error: undefined },
      { limit: -1, error: undefined },
      { limit: 2, error: undefined },
      { limit: 1, error: 'exceeded limit of 1 with 2 alerts' },
    ])('applies limit $limit (TestAlertingRuleLimit)', async ({ limit, error }) => {
      // Prepare
      const result = [
        { labels: { __name__: 'metric', label: '1' }, value: 1 },
        { labels: { __name__: 'metric', label: '2' }, value: 1 },
      ];
      const rule = { alert: 'foo', expr: 'metric > 0', forMs: MINUTE_MS, labels: { test: 'test' } };

      // Act
      const act = evaluateAlertingRule(rule, new Map(), result, 0, {
        renderTemplate: fakeRender,
        limit,
      });

      // Assess
      if (error) {
        await expect(act).rejects.toThrow(RuleLimitExceededError);
        await expect(act).rejects.toThrow(error);
      } else {
        await expect(act).resolves.toMatchObject({ samples: expect.any(Array) });
      }
    });

    it('reports transitions between states', async () => {
      // Prepare
      const query = loadQuery([{ labels: HTTP_REQUESTS, values: '75 75 10' }]);
      const rule = { alert: 'T', expr: 'http_requests > 50', forMs: MINUTE_MS };
      const transitions = [];
      let state: AlertStateMap = new Map();

      // Act
      for (let i = 0; i < 3; i++) {
        const at = i * MINUTE_MS;
        const res = await evaluateAlertingRule(rule, state, await query(rule.expr, at), at, {
          renderTemplate: fakeRender,
        });
        state = res.state;
        transitions.push(...res.transitions.map((t) => `${t.atMs / MINUTE_MS}:${t.from}>${t.to}`));
      }

      // Assess
      expect(transitions).toEqual(['0:inactive>pending', '1:pending>firing', '2:firing>inactive']);
    });

    it('leaves the previous state untouched', async () => {
      // Prepare
      const rule = { alert: 'P', expr: 'x', forMs: MINUTE_MS };
      const first = await evaluateAlertingRule(rule, new Map(), [{ labels: {}, value: 1 }], 0, {
        renderTemplate: fakeRender,
      });
      const snapshot = JSON.stringify(alertsToJSON(first.state));

      // Act
      await evaluateAlertingRule(rule, first.state, [{ labels: {}, value: 2 }], MINUTE_MS, {
        renderTemplate: fakeRender,
      });

      // Assess
      expect(JSON.stringify(alertsToJSON(first.state))).toBe(snapshot);
    });
  });

  describe('Method: needsSending', () => {
    const firing: ActiveAlert = {
      state: AlertState.Firing,
      labels: { alertname: 'A' },
      annotations: {},
      value: 1,
      activeAtMs: 0,
      firedAtMs: 0,
    };

    it.each([
      {
        name: 'never a pending alert',
        alert: { ...firing, state: AlertState.Pending },
        at: 0,
        want: false,
      },
      { name: 'a firing alert never sent', alert: firing, at: 0, want: true },
      {
        name: 'not within the resend delay',
        alert: { ...firing, lastSentAtMs: 0 },
        at: 30_000,
        want: false,
      },
      {
        name: 'not exactly at the resend delay',
        alert: { ...firing, lastSentAtMs: 0 },
        at: 60_000,
        want: false,
      },
      {
        name: 'after the resend delay',
        alert: { ...firing, lastSentAtMs: 0 },
        at: 60_001,
        want: true,
      },
      {
        name: 'a resolved alert once, at once',
        alert: { ...firing, state: AlertState.Inactive, lastSentAtMs: 0, resolvedAtMs: 10_000 },
        at: 10_000,
        want: true,
      },
      {
        name: 'a resolved alert again only after the resend delay',
        alert: {
          ...firing,
          state: AlertState.Inactive,
          lastSentAtMs: 10_000,
          resolvedAtMs: 10_000,
        },
        at: 20_000,
        want: false,
      },
    ])('answers $want for $name', ({ alert, at, want }) => {
      // Act
      const got = needsSending(alert, at);

      // Assess
      expect(got).toBe(want);
    });

    it('uses the given resend delay', () => {
      // Act
      const got = needsSending({ ...firing, lastSentAtMs: 0 }, 20_000, 10_000);

      // Assess
      expect(got).toBe(true);
    });
  });

  describe('Method: markSent', () => {
    it('sets lastSentAt and validUntil = at + 4 × max(interval, resendDelay)', () => {
      // Prepare
      const alert: ActiveAlert = {
        state: AlertState.Firing,
        labels: {},
        annotations: {},
        value: 1,
        activeAtMs: 0,
      };

      // Act
      const short = markSent(alert, 1000, 15_000);
      const long = markSent(alert, 1000, 5 * MINUTE_MS, MINUTE_MS);

      // Assess
      expect(short).toMatchObject({ lastSentAtMs: 1000, validUntilMs: 1000 + 4 * MINUTE_MS });
      expect(long.validUntilMs).toBe(1000 + 20 * MINUTE_MS);
    });
  });
});

describe('Feature: alert state as plain data', () => {
  it('fingerprints label sets like Alertmanager (FNV-1a 64, order-free, empty values skipped)', () => {
    // Act
    const empty = alertFingerprint({});
    const a = alertFingerprint({ alertname: 'A', job: 'x' });
    const b = alertFingerprint({ job: 'x', alertname: 'A', other: '' });

    // Assess: the empty label set hashes to the FNV-1a 64 offset basis (model.emptyLabelSignature).
    expect(empty).toBe('cbf29ce484222325');
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(alertFingerprint({ alertname: 'B', job: 'x' })).not.toBe(a);
  });

  it('round-trips alerts through JSON text, NaN and infinities included', () => {
    // Prepare
    const alerts = new Map<string, ActiveAlert>([
      [
        'a',
        { state: 'firing', labels: { a: '1' }, annotations: {}, value: Number.NaN, activeAtMs: 1 },
      ],
      [
        'b',
        {
          state: 'pending',
          labels: {},
          annotations: { s: 'x' },
          value: Number.POSITIVE_INFINITY,
          activeAtMs: 2,
        },
      ],
      [
        'c',
        {
          state: 'inactive',
          labels: {},
          annotations: {},
          value: Number.NEGATIVE_INFINITY,
          activeAtMs: 3,
          resolvedAtMs: 4,
        },
      ],
      [
        'd',
        {
          state: 'firing',
          labels: {},
          annotations: {},
          value: 0.5,
          activeAtMs: 3,
          lastSentAtMs: 5,
          validUntilMs: 9,
        },
      ],
    ]);

    // Act
    const back = alertsFromJSON(JSON.parse(JSON.stringify(alertsToJSON(alerts))));

    // Assess
    expect(back).toEqual(alerts);
  });

  it('round-trips a group state through JSON text', () => {
    // Prepare
    const state = {
      rules: {
        k: {
          alerts: new Map<string, ActiveAlert>([
            [
              'f',
              { state: 'firing', labels: { x: 'y' }, annotations: {}, value: 2, activeAtMs: 0 },
            ],
          ]),
          series: [{ __name__: 'ALERTS', x: 'y' }],
          health: RuleHealth.Err,
          lastError: 'boom',
          lastEvaluationMs: 10,
          evaluationTimeMs: 3,
        },
      },
      lastEvaluationAtMs: 60_000,
    };

    // Act
    const back = groupStateFromJSON(JSON.parse(JSON.stringify(groupStateToJSON(state))));
    const empty = groupStateFromJSON(
      JSON.parse(JSON.stringify(groupStateToJSON(emptyGroupState()))),
    );

    // Assess
    expect(back).toEqual(state);
    expect(empty).toEqual({ rules: {} });
  });
});
