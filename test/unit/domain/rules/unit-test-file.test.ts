import fc from 'fast-check';
import {
  parseUnitTestFile,
  RuleUnitTestFileError,
} from '../../../../lambdas/domain/rules/unit-test-file';

describe('Function: parseUnitTestFile', () => {
  it('reads every field of the promtool format', () => {
    // Prepare
    const text = `
rule_files: [a.yml, 'rules/*.yml']
evaluation_interval: 30s
group_eval_order: [g1, g2]
tests:
  - interval: 15s
    name: t
    external_labels: {cluster: prod}
    external_url: http://prom.example
    input_series:
      - series: 'up{job="a"}'
        values: 1 0x3
    alert_rule_test:
      - eval_time: 2m
        alertname: Down
        exp_alerts:
          - exp_labels: {job: a, code: 500}
            exp_annotations: {summary: 1.0}
    promql_expr_test:
      - expr: up
        eval_time: 1m
        exp_samples:
          - labels: 'up{job="a"}'
            value: .inf
`;

    // Act
    const file = parseUnitTestFile(text);

    // Assess
    expect(file.ruleFiles).toEqual(['a.yml', 'rules/*.yml']);
    expect(file.evaluationIntervalMs).toBe(30_000);
    expect(file.groupEvalOrder).toEqual(['g1', 'g2']);
    const [tg] = file.tests;
    expect(tg).toMatchObject({
      intervalMs: 15_000,
      name: 't',
      externalLabels: { cluster: 'prod' },
      externalURL: 'http://prom.example',
      inputSeries: [{ series: 'up{job="a"}', values: '1 0x3' }],
    });
    expect(tg?.alertRuleTests).toEqual([
      {
        evalTimeMs: 120_000,
        alertname: 'Down',
        expAlerts: [{ labels: { job: 'a', code: '500' }, annotations: { summary: '1.0' } }],
      },
    ]);
    expect(tg?.promqlExprTests).toEqual([
      {
        expr: 'up',
        evalTimeMs: 60_000,
        expSamples: [{ labels: 'up{job="a"}', value: Number.POSITIVE_INFINITY }],
      },
    ]);
  });

  it('defaults absent fields to zero values', () => {
    // Act
    const file = parseUnitTestFile('tests:\n  - input_series: []\n');

    // Assess
    expect(file).toEqual({
      ruleFiles: [],
      evaluationIntervalMs: 0,
      groupEvalOrder: [],
      tests: [
        {
          intervalMs: 0,
          inputSeries: [],
          alertRuleTests: [],
          promqlExprTests: [],
          externalLabels: {},
          externalURL: '',
          name: '',
        },
      ],
    });
  });

  it.each([
    ['rule_files: []\nfoo: 1\n', '  line 2: field foo not found in type main.unitTestFile'],
    [
      'tests:\n  - interval: 1m\n    bogus: 1\n',
      '  line 3: field bogus not found in type main.testGroup',
    ],
    ['evaluation_interval: 5\n', '  line 1: not a valid duration string: "5"'],
    [
      'tests:\n  - promql_expr_test:\n      - exp_samples: [{labels: "{}", value: abc}]\n',
      '  line 3: cannot unmarshal "abc" into float64',
    ],
  ])('reports %j as %s', (text, line) => {
    // Act & Assess
    expect(() => parseUnitTestFile(text)).toThrow(`yaml: unmarshal errors:\n${line}`);
  });

  it('reports YAML syntax errors with their line', () => {
    // Act & Assess
    expect(() => parseUnitTestFile('tests: [\n')).toThrow(/^yaml: line \d+: /);
  });

  it('throws only RuleUnitTestFileError on random input', () => {
    // Assess
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          parseUnitTestFile(text);
        } catch (err) {
          if (!(err instanceof RuleUnitTestFileError)) throw err;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
