import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import { parseRuleFile } from '../../../../lambdas/domain/rules/rule-file';
import { runRuleUnitTests } from '../../../../lambdas/domain/rules/unit-test';
import { parseUnitTestFile } from '../../../../lambdas/domain/rules/unit-test-file';
import { renderAlertTemplate } from '../../../../lambdas/domain/templates';

const RULES = `
groups:
  - name: g
    rules:
      - alert: High
        expr: m > 1
        for: 2m
        labels: {severity: page}
        annotations: {summary: 'v={{ $value }} i={{ $labels.instance }} c={{ $externalLabels.cluster }}'}
      - record: m:doubled
        expr: m * 2
  - name: h
    rules:
      - record: m:quadrupled
        expr: m:doubled * 2
`;

const run = async (testFile: string, rules = RULES): Promise<string[]> => {
  const { groups, errors } = parseRuleFile(rules, 'rules.yml');
  return runRuleUnitTests(
    parseUnitTestFile(testFile),
    { groups, errors: errors.map((e) => e.message) },
    { createStore: () => new MemorySeriesStore(), renderTemplate: renderAlertTemplate },
  );
};

const INPUT = `
  - interval: 1m
    external_labels: {cluster: prod}
    input_series:
      - series: 'm{instance="a"}'
        values: '0 5x5'
`;

describe('Function: runRuleUnitTests', () => {
  it('passes when firing alerts and samples match', async () => {
    // Prepare
    const file = `tests:${INPUT}
    alert_rule_test:
      - eval_time: 2m
        alertname: High
      - eval_time: 3m30s
        alertname: High
        exp_alerts:
          - exp_labels: {severity: page, instance: a}
            exp_annotations: {summary: 'v=5 i=a c=prod'}
    promql_expr_test:
      - expr: m:doubled
        eval_time: 4m
        exp_samples:
          - labels: 'm:doubled{instance="a"}'
            value: 10
      - expr: sum(m)
        eval_time: 4m
        exp_samples: [{labels: '{}', value: 5}]
`;

    // Act
    const failures = await run(file);

    // Assess
    expect(failures).toEqual([]);
  });

  it('reports an alert mismatch like promtool', async () => {
    // Prepare
    const file = `tests:${INPUT}
    name: grp
    alert_rule_test:
      - eval_time: 2m
        alertname: High
        exp_alerts:
          - exp_labels: {severity: page, instance: a}
`;

    // Act
    const failures = await run(file);

    // Assess
    expect(failures).toEqual([
      [
        '    name: grp,',
        '    alertname: High, time: 2m, ',
        '        exp:[',
        '            0:',
        '              Labels:{alertname="High", instance="a", severity="page"}',
        '              Annotations:{}',
        '            ], ',
        '        got:[]',
      ].join('\n'),
    ]);
  });

  it('reports a sample mismatch with exact float comparison', async () => {
    // Prepare
    const file = `tests:${INPUT}
    promql_expr_test:
      - expr: 0.1 + 0.2
        eval_time: 0m
        exp_samples: [{labels: '{}', value: 0.3}]
      - expr: m
        eval_time: 1m
        exp_samples: []
`;

    // Act
    const failures = await run(file);

    // Assess
    expect(failures).toEqual([
      '    expr: "0.1 + 0.2", time: 0s,\n        exp: {} 3E-01\n        got: {} 3.0000000000000004E-01',
      '    expr: "m", time: 1m,\n        exp: nil\n        got: {__name__="m", instance="a"} 5E+00',
    ]);
  });

  it('evaluates groups in group_eval_order, so a later group sees this evaluation', async () => {
    // Prepare
    const base = `tests:${INPUT}
    promql_expr_test:
      - expr: m:quadrupled
        eval_time: 1m
        exp_samples: [{labels: 'm:quadrupled{instance="a"}', value: 20}]
`;

    // Act
    const ordered = await run(`group_eval_order: [g, h]\n${base}`);
    const reversed = await run(`group_eval_order: [h, g]\n${base}`);

    // Assess
    expect(ordered).toEqual([]);
    expect(reversed).toEqual([
      '    expr: "m:quadrupled", time: 1m,\n        exp: {__name__="m:quadrupled", instance="a"} 2E+01\n        got: {__name__="m:quadrupled", instance="a"} 0E+00',
    ]);
  });

  it('fails on a group name repeated in group_eval_order', async () => {
    // Act & Assess
    expect(await run(`group_eval_order: [g, g]\ntests:${INPUT}`)).toEqual([
      'group name repeated in evaluation order: g',
    ]);
  });

  it('fails on an alert test without alertname', async () => {
    // Act
    const failures = await run(`tests:${INPUT}    alert_rule_test:\n      - eval_time: 5m\n`);

    // Assess
    expect(failures).toEqual([
      'an item under alert_rule_test misses required attribute alertname at eval_time 5m',
    ]);
  });

  it('stops a test group at a rule evaluation error', async () => {
    // Prepare
    const rules = `
groups:
  - name: bad
    rules:
      - alert: Dup
        expr: '{__name__=~"m|m2"}'
`;
    const file = `tests:
  - input_series:
      - {series: 'm{instance="a"}', values: '_ 1'}
      - {series: 'm2{instance="a"}', values: '_ 1'}
    promql_expr_test:
      - expr: m
        eval_time: 2m
        exp_samples: []
`;

    // Act
    const failures = await run(file, rules);

    // Assess
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^ {4}rule: Dup, time: 1m0s, err: vector contains metrics with the same labelset/,
    );
  });

  it('reports rule-file and input-series errors for each test group', async () => {
    // Act
    const badInput = await run(
      `tests:\n  - input_series: [{series: 'm', values: '1+x2'}]\n  - input_series: []\n`,
    );
    const badRules = await run('tests:\n  - input_series: []\n', 'groups: [{name: g, rules: 3}]');

    // Assess
    expect(badInput).toEqual(['error in parsing input series m "1+x2": invalid value "1+x2"']);
    expect(badRules).toHaveLength(1);
    expect(badRules[0]).toMatch(/^rules\.yml:1:/);
  });

  it('checks an eval_time between evaluations against the evaluation before it', async () => {
    // Prepare
    const file = `evaluation_interval: 2m\ntests:${INPUT}
    alert_rule_test:
      - eval_time: 3m59s
        alertname: High
      - eval_time: 4m
        alertname: High
        exp_alerts:
          - exp_labels: {severity: page, instance: a}
            exp_annotations: {summary: 'v=5 i=a c=prod'}
`;

    // Act & Assess
    expect(await run(file)).toEqual([]);
  });
});
