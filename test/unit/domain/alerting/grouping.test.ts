import type { Labels } from '../../../../lambdas/domain/series/labels';
import {
  commonOf,
  compareAlertLabels,
  groupKeyOf,
  groupLabelsOf,
} from '../../../../lambdas/domain/alerting/grouping';

describe('Function: groupLabelsOf / groupKeyOf', () => {
  it('keeps only the group_by labels the alert has', () => {
    // Act
    const g = groupLabelsOf({ alertname: 'X', job: 'api', instance: 'a' }, [
      'alertname',
      'cluster',
    ]);

    // Assess
    expect(g).toEqual({ alertname: 'X' });
    expect(groupKeyOf(g)).toBe('{}:{alertname="X"}');
    expect(groupKeyOf({})).toBe('{}:{}');
  });
});

describe('Function: compareAlertLabels', () => {
  it('orders by job, then instance (present first), then the label set', () => {
    // Prepare
    const sets: Labels[] = [
      { alertname: 'B' },
      { alertname: 'A' },
      { alertname: 'A', instance: 'i2' },
      { alertname: 'A', job: 'z' },
      { alertname: 'A', job: 'a', instance: 'i2' },
      { alertname: 'A', job: 'a', instance: 'i1' },
      { alertname: 'A', zone: 'x' },
    ];

    // Act
    const sorted = [...sets].sort(compareAlertLabels);

    // Assess
    expect(sorted).toEqual([
      { alertname: 'A', job: 'a', instance: 'i1' },
      { alertname: 'A', job: 'a', instance: 'i2' },
      { alertname: 'A', job: 'z' },
      { alertname: 'A', instance: 'i2' },
      { alertname: 'A' },
      { alertname: 'A', zone: 'x' },
      { alertname: 'B' },
    ]);
    expect(compareAlertLabels({ a: '1' }, { a: '1' })).toBe(0);
  });
});

describe('Function: commonOf', () => {
  it('keeps labels equal in every set', () => {
    // Act & Assess
    expect(
      commonOf([
        { a: '1', b: '2' },
        { a: '1', b: '3' },
      ]),
    ).toEqual({ a: '1' });
    expect(commonOf([])).toEqual({});
  });
});
