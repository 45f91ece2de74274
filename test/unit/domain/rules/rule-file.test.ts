import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type AlertingRule,
  parseRuleFile,
  type RecordingRule,
  RuleFileError,
} from '../../../../lambdas/domain/rules/rule-file';

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../fixtures/rules/${name}`, import.meta.url)), 'utf8');

const parseFixture = (name: string, options = {}) => parseRuleFile(fixture(name), name, options);

const messages = (name: string): string[] => parseFixture(name).errors.map((e) => e.message);

describe('Function: parseRuleFile', () => {
  describe('the example rule files', () => {
    it.each([
      ['example-rxvision.yml', ['rxvision'], [2]],
      ['example-robo-rlhf.yml', ['robo-rlhf-alerts'], [3]],
      [
        'example-inference-service.yml',
        ['inference_service', 'logging_service', 'system_health'],
        [3, 2, 2],
      ],
      ['example-application.yml', ['application.rules'], [3]],
    ])('loads %s without errors', (name, groupNames, ruleCounts) => {
      // Act
      const { groups, errors } = parseFixture(name);

      // Assess
      expect(errors).toEqual([]);
      expect(groups.map((g) => g.name)).toEqual(groupNames);
      expect(groups.map((g) => g.rules.length)).toEqual(ruleCounts);
    });

    it('keeps the multi-line expression, for, labels and annotations of example-rxvision.yml as written', () => {
      // Act
      const { groups } = parseFixture('example-rxvision.yml');

      // Assess
      const rule = groups[0]?.rules[0] as AlertingRule;
      expect(rule).toMatchObject({
        alert: 'HighInferenceLatency',
        expr:
          'rate(model_inference_latency_seconds_sum[5m]) /\n' +
          'rate(model_inference_latency_seconds_count[5m]) > 0.1\n',
        forMs: 300_000,
        keepFiringForMs: 0,
        labels: { severity: 'warning' },
        annotations: {
          summary: 'High inference latency',
          description: 'Model {{$labels.model_version}} latency > 100ms',
        },
        position: { line: 5, column: 9 },
      });
      expect(rule.exprAst.type).toBe('BinaryExpr');
      expect(groups[0]?.file).toBe('example-rxvision.yml');
      expect(groups[0]?.intervalMs).toBeUndefined();
    });

    it('reads the 30s group interval and folded description of example-inference-service.yml', () => {
      // Act
      const { groups } = parseFixture('example-inference-service.yml');

      // Assess
      expect(groups.map((g) => g.intervalMs)).toEqual([30_000, 30_000, 30_000]);
      const rule = groups[0]?.rules[0] as AlertingRule;
      expect(rule.annotations.description).toBe(
        'Error rate is {{ $value | humanizePercentage }} \n(expected < 5%)\n',
      );
    });
  });

  describe('valid files', () => {
    it('reads every field of groups and rules', () => {
      // Act
      const { groups, errors } = parseFixture('valid-all-fields.yml');

      // Assess
      expect(errors).toEqual([]);
      const [recording, alerting] = groups;
      expect(recording).toMatchObject({ name: 'recording', intervalMs: 30_000, limit: 10 });
      expect(recording?.rules[0] as RecordingRule).toMatchObject({
        record: 'job:http_requests:rate5m',
        labels: { team: 'ml' },
      });
      expect(recording?.rules[0]).not.toHaveProperty('alert');
      expect(alerting).toMatchObject({ name: 'alerting', intervalMs: 5_400_000 });
      expect(alerting?.rules[0] as AlertingRule).toMatchObject({
        alert: 'HighRequestRate',
        forMs: 300_000,
        keepFiringForMs: 600_000,
      });
      expect(alerting?.rules[1] as AlertingRule).toMatchObject({ alert: 'AlwaysOn', forMs: 0 });
    });

    it('reads query_offset (Prometheus 2.53+)', () => {
      // Act
      const { groups, errors } = parseFixture('valid-query-offset.yml');

      // Assess
      expect(errors).toEqual([]);
      expect(groups[0]?.queryOffsetMs).toBe(60_000);
    });

    it.each([
      ['an empty file', ''],
      ['a comment only', '# nothing yet\n'],
      ['groups without value', 'groups:\n'],
      ['an empty list of groups', 'groups: []\n'],
    ])('accepts %s as zero groups', (_, text) => {
      // Act
      const result = parseRuleFile(text, 'r.yml');

      // Assess
      expect(result).toEqual({ groups: [], errors: [] });
    });

    it('reads non-string scalars as their text, like go-yaml into a string field', () => {
      // Prepare
      const text = [
        'groups:',
        '  - name: 2024',
        '    rules:',
        '      - alert: A',
        '        expr: 5',
        '        labels: { tier: 1, on: true, empty: }',
        '',
      ].join('\n');

      // Act
      const { groups, errors } = parseRuleFile(text, 'r.yml');

      // Assess
      expect(errors).toEqual([]);
      expect(groups[0]?.name).toBe('2024');
      expect(groups[0]?.rules[0]).toMatchObject({
        expr: '5',
        labels: { tier: '1', on: 'true', empty: '' },
      });
    });

    it('follows YAML anchors and aliases', () => {
      // Prepare
      const text = [
        'groups:',
        '  - name: a',
        '    rules:',
        '      - alert: A',
        '        expr: up == 0',
        '        labels: &common { severity: page }',
        '      - alert: B',
        '        expr: up == 1',
        '        labels: *common',
        '',
      ].join('\n');

      // Act
      const { groups, errors } = parseRuleFile(text, 'r.yml');

      // Assess
      expect(errors).toEqual([]);
      expect(groups[0]?.rules[1]?.labels).toEqual({ severity: 'page' });
    });
  });

  describe('invalid files: one error class each, with promtool messages', () => {
    it.each([
      ['invalid-yaml-syntax.yml', '6:1: yaml: Sequence item without - indicator'],
      ['invalid-not-a-mapping.yml', '1:1: cannot unmarshal !!seq into rulefmt.RuleGroups'],
      [
        'invalid-unknown-field.yml',
        '6:9: group "a", rule 1, "A": field severity not found in type rulefmt.RuleNode',
      ],
      [
        'invalid-duplicate-key.yml',
        '6:9: group "a", rule 1, "A": mapping key "expr" already defined at line 5',
      ],
      ['invalid-rules-type.yml', '3:12: cannot unmarshal !!str `up == 0` into []rulefmt.RuleNode'],
      ['invalid-group-name-empty.yml', '2:5: Groupname must not be empty'],
      ['invalid-group-name-repeated.yml', '6:5: groupname: "a" is repeated in the same file'],
      [
        'invalid-record-and-alert.yml',
        `4:17: group "a", rule 1, "A": only one of 'record' and 'alert' must be set`,
      ],
      [
        'invalid-neither-record-nor-alert.yml',
        `4:9: group "a", rule 1, "": one of 'record' or 'alert' must be set`,
      ],
      ['invalid-expr-missing.yml', `4:9: group "a", rule 1, "A": field 'expr' must be set in rule`],
      [
        'invalid-expr-promql.yml',
        '5:15: group "a", rule 1, "A": could not parse expression: 3:1: parse error: unexpected end of input',
      ],
      [
        'invalid-record-name.yml',
        '4:17: group "a", rule 1, "0job:up": invalid recording rule name: 0job:up',
      ],
      [
        'invalid-record-with-for.yml',
        `4:17: group "a", rule 1, "job:up:sum": invalid field 'for' in recording rule`,
      ],
      [
        'invalid-record-with-keep-firing-for.yml',
        `4:17: group "a", rule 1, "job:up:sum": invalid field 'keep_firing_for' in recording rule`,
      ],
      [
        'invalid-record-with-annotations.yml',
        `4:17: group "a", rule 1, "job:up:sum": invalid field 'annotations' in recording rule`,
      ],
      ['invalid-label-name.yml', '7:11: group "a", rule 1, "A": invalid label name: team-name'],
      [
        'invalid-label-name-reserved.yml',
        '7:11: group "a", rule 1, "job:up:sum": invalid label name: __name__',
      ],
      ['invalid-label-value-utf8.yml', '7:19: group "a", rule 1, "A": invalid label value: \ud800'],
      [
        'invalid-annotation-name.yml',
        '7:11: group "a", rule 1, "A": invalid annotation name: runbook-url',
      ],
      [
        'invalid-duration-for.yml',
        '6:14: group "a", rule 1, "A": not a valid duration string: "5 minutes"',
      ],
      [
        'invalid-duration-bare-number.yml',
        '6:14: group "a", rule 1, "A": not a valid duration string: "300"',
      ],
      ['invalid-duration-interval.yml', '3:15: not a valid duration string: "1m30"'],
      [
        'invalid-duration-keep-firing-for.yml',
        '6:26: group "a", rule 1, "A": not a valid duration string: "1.5m"',
      ],
      ['invalid-limit-type.yml', '3:12: cannot unmarshal !!str `ten` into int'],
    ])('%s: %s', (name, message) => {
      // Act
      const { groups, errors } = parseFixture(name);

      // Assess
      expect(groups).toEqual([]);
      expect(errors.map((e) => e.message)).toEqual([`${name}:${message}`]);
    });

    it('reports both the invalid name and the braces hint for a selector used as record name', () => {
      // Act
      const result = messages('invalid-record-name-braces.yml');

      // Assess
      expect(result).toEqual([
        'invalid-record-name-braces.yml:4:17: group "a", rule 1, "up{job=\\"api\\"}": invalid recording rule name: up{job="api"}',
        'invalid-record-name-braces.yml:4:17: group "a", rule 1, "up{job=\\"api\\"}": braces present in the recording rule name; should it be in expr?: up{job="api"}',
      ]);
    });

    it('returns every error of a file in file order, each with its position', () => {
      // Act
      const result = messages('invalid-many-errors.yml');

      // Assess
      expect(result).toEqual([
        'invalid-many-errors.yml:5:15: group "a", rule 1, "A": could not parse expression: 1:6: parse error: unexpected end of input',
        `invalid-many-errors.yml:6:17: group "a", rule 2, "B": only one of 'record' and 'alert' must be set`,
        'invalid-many-errors.yml:9:5: groupname: "a" is repeated in the same file',
        `invalid-many-errors.yml:11:17: group "a", rule 1, "job:up": invalid field 'annotations' in recording rule`,
        `invalid-many-errors.yml:11:17: group "a", rule 1, "job:up": invalid field 'for' in recording rule`,
        'invalid-many-errors.yml:17:11: group "a", rule 1, "job:up": invalid label name: 0bad',
      ]);
    });

    it('reports structural and semantic errors of the same file together', () => {
      // Prepare
      const text = [
        'groups:',
        '  - name: a',
        '    interval: soon',
        '    rules:',
        '      - alert: A',
        '        expr: up ==',
        '        for: [5m]',
        '        labels: severity',
        '',
      ].join('\n');

      // Act
      const { errors } = parseRuleFile(text, 'r.yml');

      // Assess
      expect(errors.map((e) => e.message)).toEqual([
        'r.yml:3:15: not a valid duration string: "soon"',
        'r.yml:6:15: group "a", rule 1, "A": could not parse expression: 1:6: parse error: unexpected end of input',
        'r.yml:7:14: group "a", rule 1, "A": cannot unmarshal !!seq into string',
        'r.yml:8:17: group "a", rule 1, "A": cannot unmarshal !!str `severity` into map[string]string',
      ]);
    });

    it.each([
      ['a quoted empty duration', "for: ''", '6:14: group "a", rule 1, "A": empty duration string'],
      [
        'a quoted limit',
        'limit_in_rule: x',
        '6:9: group "a", rule 1, "A": field limit_in_rule not found in type rulefmt.RuleNode',
      ],
      [
        'a mapping as alert name',
        'labels: { a: { b: c } }',
        '6:22: group "a", rule 1, "A": cannot unmarshal !!map into string',
      ],
      [
        'a duplicate label',
        'labels: { a: b, a: c }',
        '6:25: group "a", rule 1, "A": mapping key "a" already defined at line 6',
      ],
    ])('reports %s', (_, line, message) => {
      // Prepare
      const text = [
        'groups:',
        '  - name: a',
        '    rules:',
        '      - alert: A',
        '        expr: up',
        `        ${line}`,
        '',
      ].join('\n');

      // Act
      const { errors } = parseRuleFile(text, 'r.yml');

      // Assess
      expect(errors.map((e) => e.message)).toEqual([`r.yml:${message}`]);
    });

    it('reports mappings used as keys', () => {
      // Prepare
      const text = [
        'groups:',
        '  - name: a',
        '    ? [x]',
        '    : y',
        '    rules:',
        '      - alert: A',
        '        expr: up',
        '        labels:',
        '          ? { k: v }',
        '          : z',
        '',
      ].join('\n');

      // Act
      const { errors } = parseRuleFile(text, 'r.yml');

      // Assess
      expect(errors.map((e) => e.message)).toEqual([
        'r.yml:3:7: invalid map key in type rulefmt.RuleGroup',
        'r.yml:9:13: group "a", rule 1, "A": cannot unmarshal !!map into string',
      ]);
    });

    it('reports a template check that throws a non-Error', () => {
      // Act
      const { errors } = parseFixture('example-robo-rlhf.yml', {
        validateTemplate: (text: string) => {
          if (text.includes('$value')) throw 'bad value';
        },
      });

      // Assess
      expect(errors.map((e) => e.reason)).toEqual(['annotation "description": bad value']);
    });

    it('reports an infinite limit and a group that is not a mapping', () => {
      // Prepare
      const text = ['groups:', '  - name: a', '    limit: .inf', '  - just a string', ''].join(
        '\n',
      );

      // Act
      const { errors } = parseRuleFile(text, 'r.yml');

      // Assess
      expect(errors.map((e) => e.message)).toEqual([
        'r.yml:3:12: cannot unmarshal !!float `.inf` into int',
        'r.yml:4:5: cannot unmarshal !!str `just a string` into rulefmt.RuleGroup',
      ]);
    });

    it.each([
      ['a duration over 2^63 ns', '    interval: 106752d', ['r.yml:3:15: duration out of range']],
      [
        'a for over 2^63 ns',
        '    rules: [{alert: A, expr: up, for: 99999999999y}]',
        ['duration out of range'],
      ],
      ['the longest duration', '    interval: 106751d', []],
      ['null groups and rules, which go-yaml skips', '    rules: [null, ~]\n  - null', []],
      ['a float limit, which go-yaml truncates', '    limit: 1.5', []],
      ['expr: null, the selector of the metric "null"', '    rules: [{record: r, expr: null}]', []],
    ])("gives promtool 2.42's verdict on %s", (_, line, expected) => {
      // Prepare
      const text = `groups:\n  - name: a\n${line}\n`;

      // Act
      const { groups, errors } = parseRuleFile(text, 'r.yml');

      // Assess
      const messages = errors.map((e) => e.message);
      if (expected.length === 0) expect(messages).toEqual([]);
      else expect(messages).toEqual([expect.stringContaining(expected[0] as string)]);
      if (line.includes('limit: 1.5')) expect(groups[0]?.limit).toBe(1);
      if (line.includes('expr: null')) expect(groups[0]?.rules[0]?.expr).toBe('null');
    });
  });

  describe('templates', () => {
    // A stand-in for the template engine: rejects an unclosed action or an `if` without `end`.
    const rejectUnclosed = (text: string): void => {
      if (text.includes('{{') && !text.includes('}}')) throw new Error('template: unclosed action');
      if (text.includes('{{ if') && !text.includes('{{ end')) {
        throw new Error('template: unexpected EOF');
      }
    };

    it('checks labels and annotations of alerting rules with validateTemplate', () => {
      // Act
      const { errors } = parseFixture('invalid-template-label.yml', {
        validateTemplate: rejectUnclosed,
      });

      // Assess
      expect(errors.map((e) => e.message)).toEqual([
        'invalid-template-label.yml:7:21: group "a", rule 1, "A": label "severity": template: unexpected EOF',
      ]);
    });

    it('reports an annotation template error with the annotation name', () => {
      // Prepare
      const text = [
        'groups:',
        '  - name: a',
        '    rules:',
        '      - alert: A',
        '        expr: up',
        '        annotations:',
        '          summary: "{{ $labels.job"',
        '',
      ].join('\n');

      // Act
      const { errors } = parseRuleFile(text, 'r.yml', { validateTemplate: rejectUnclosed });

      // Assess
      expect(errors.map((e) => e.reason)).toEqual([
        'annotation "summary": template: unclosed action',
      ]);
    });

    it('does not check templates of recording rules, like Prometheus', () => {
      // Prepare
      const text = [
        'groups:',
        '  - name: a',
        '    rules:',
        '      - record: job:up',
        '        expr: up',
        '        labels:',
        '          a: "{{ unclosed"',
        '',
      ].join('\n');
      const seen: string[] = [];

      // Act
      const { errors } = parseRuleFile(text, 'r.yml', {
        validateTemplate: (t) => {
          seen.push(t);
        },
      });

      // Assess
      expect(errors).toEqual([]);
      expect(seen).toEqual([]);
    });

    it.each([
      [
        'invalid-template-label.yml',
        '7:21: group "a", rule 1, "A": label "severity": template: __alert_A:1: unexpected EOF',
      ],
      [
        'invalid-template-annotation.yml',
        '7:20: group "a", rule 1, "A": annotation "summary": template: __alert_A:1: function "nosuchfunction" not defined',
      ],
    ])('checks templates with the template engine by default: %s', (name, message) => {
      // Act
      const result = messages(name);

      // Assess
      expect(result).toEqual([`${name}:${message}`]);
    });

    it('names the template __alert_<alertname>, like Prometheus', () => {
      // Prepare
      const names: string[] = [];

      // Act
      parseFixture('example-rxvision.yml', {
        validateTemplate: (_: string, name: string) => names.push(name),
      });

      // Assess
      expect(new Set(names)).toEqual(
        new Set(['__alert_HighInferenceLatency', '__alert_HighErrorRate']),
      );
    });

    it('passes each template of the example rules to validateTemplate', () => {
      // Prepare
      const seen: string[] = [];

      // Act
      parseFixture('example-robo-rlhf.yml', { validateTemplate: (t: string) => seen.push(t) });

      // Assess
      expect(seen).toContain('Error rate is {{ $value }} requests/sec');
      expect(seen).toHaveLength(9);
    });
  });

  describe('Class: RuleFileError', () => {
    it('carries file, position, reason and rule context', () => {
      // Act
      const [error] = parseFixture('invalid-label-name.yml').errors;

      // Assess
      expect(error).toBeInstanceOf(RuleFileError);
      expect(error).toMatchObject({
        name: 'RuleFileError',
        file: 'invalid-label-name.yml',
        line: 7,
        column: 11,
        reason: 'invalid label name: team-name',
        group: 'a',
        ruleIndex: 1,
        ruleName: 'A',
      });
    });

    it('has no rule context for group-level errors', () => {
      // Act
      const [error] = parseFixture('invalid-group-name-empty.yml').errors;

      // Assess
      expect(error?.group).toBeUndefined();
      expect(error?.ruleIndex).toBeUndefined();
    });
  });
});
