import { groupRuleStateKeys } from '../../../../lambdas/domain/rules/alert-state';

describe('Function: groupRuleStateKeys', () => {
  it('keys each rule by kind, name and sorted labels, numbering repeated rules in file order', () => {
    // Act
    const keys = groupRuleStateKeys([
      { alert: 'HighLatency', expr: 'latency > 1', labels: { team: 'ml', severity: 'page' } },
      { record: 'job:requests:rate5m', expr: 'rate(requests_total[5m])' },
      { alert: 'HighLatency', expr: 'latency > 2', labels: { severity: 'page', team: 'ml' } },
      { alert: 'HighLatency', expr: 'latency > 1', labels: { severity: 'ticket', team: 'ml' } },
    ]);

    // Assess
    expect(keys).toEqual([
      '["alert","HighLatency",[["severity","page"],["team","ml"]],0]',
      '["record","job:requests:rate5m",[],0]',
      '["alert","HighLatency",[["severity","page"],["team","ml"]],1]',
      '["alert","HighLatency",[["severity","ticket"],["team","ml"]],0]',
    ]);
  });
});
