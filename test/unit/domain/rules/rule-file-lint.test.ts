import {
  findDuplicateRules,
  formatDuplicateRules,
} from '../../../../lambdas/domain/rules/rule-file-lint';
import { parseRuleFile } from '../../../../lambdas/domain/rules/rule-file';

const groupsOf = (rules: string[]) => {
  const text = ['groups:', '  - name: a', '    rules:', ...rules, ''].join('\n');
  const { groups, errors } = parseRuleFile(text, 'r.yml');
  expect(errors).toEqual([]);
  return groups;
};

describe('Function: findDuplicateRules', () => {
  it('finds rules with the same name and labels, across groups, once each', () => {
    // Prepare
    const text = [
      'groups:',
      '  - name: a',
      '    rules:',
      '      - { alert: B, expr: up, labels: { z: "1", a: "2" } }',
      '      - { alert: B, expr: up == 1, labels: { a: "2", z: "1" } }',
      '      - { record: r, expr: up }',
      '  - name: b',
      '    rules:',
      '      - { alert: B, expr: up == 2, labels: { a: "2", z: "1" } }',
      '      - { record: r, expr: sum(up) }',
      '',
    ].join('\n');
    const { groups } = parseRuleFile(text, 'r.yml');

    // Act
    const duplicates = findDuplicateRules(groups);

    // Assess
    expect(duplicates).toEqual([
      {
        metric: 'B',
        labels: [
          ['a', '2'],
          ['z', '1'],
        ],
      },
      { metric: 'r', labels: [] },
    ]);
  });

  it('does not report rules that differ in a label value or a label', () => {
    // Prepare
    const groups = groupsOf([
      '      - { alert: A, expr: up, labels: { severity: page } }',
      '      - { alert: A, expr: up, labels: { severity: ticket } }',
      '      - { alert: A, expr: up, labels: { severity: page, team: ml } }',
      '      - { alert: A, expr: up }',
    ]);

    // Act
    const duplicates = findDuplicateRules(groups);

    // Assess
    expect(duplicates).toEqual([]);
  });

  it('returns nothing for zero or one rule', () => {
    // Act & Assess
    expect(findDuplicateRules([])).toEqual([]);
    expect(findDuplicateRules(groupsOf(['      - { alert: A, expr: up }']))).toEqual([]);
  });
});

describe('Function: formatDuplicateRules', () => {
  it("writes promtool's lint text", () => {
    // Act
    const text = formatDuplicateRules([
      { metric: 'X', labels: [] },
      { metric: 'Y', labels: [['severity', 'page']] },
    ]);

    // Assess
    expect(text).toBe(
      '2 duplicate rule(s) found.\nMetric: X\nLabel(s):\nMetric: Y\nLabel(s):\n\tseverity: page\n' +
        'Might cause inconsistency while recording expressions',
    );
  });
});
