import {
  RuleEvaluationError,
  RuleLimitExceededError,
  type VectorSample,
} from '../../../../lambdas/domain/rules/alert-state';
import { evaluateRecordingRule } from '../../../../lambdas/domain/rules/recording-rule';
import { isStaleNaN } from '../../../../lambdas/domain/series/sample';

describe('Function: evaluateRecordingRule', () => {
  it('renames every result to `record` at the evaluation time', () => {
    // Prepare
    const result: VectorSample[] = [
      { labels: { __name__: 'http_requests_total', job: 'api' }, value: 3 },
      { labels: { job: 'web' }, value: 0.5 },
    ];

    // Act
    const samples = evaluateRecordingRule(
      { record: 'job:http_requests:rate5m', expr: 'sum by (job) (rate(http_requests_total[5m]))' },
      result,
      120_000,
    );

    // Assess
    expect(samples).toEqual([
      { labels: { __name__: 'job:http_requests:rate5m', job: 'api' }, t: 120_000, v: 3 },
      { labels: { __name__: 'job:http_requests:rate5m', job: 'web' }, t: 120_000, v: 0.5 },
    ]);
  });

  it('applies the rule labels over the result labels, an empty value removing the label', () => {
    // Prepare
    const result = [{ labels: { job: 'api', instance: 'a:9100', env: 'dev' }, value: 1 }];

    // Act
    const samples = evaluateRecordingRule(
      { record: 'r', expr: 'e', labels: { env: 'prod', instance: '', team: 'ml' } },
      result,
      0,
    );

    // Assess
    expect(samples[0]?.labels).toEqual({ __name__: 'r', env: 'prod', job: 'api', team: 'ml' });
  });

  it('keeps NaN and infinite values', () => {
    // Prepare
    const result = [
      { labels: { a: '1' }, value: Number.NaN },
      { labels: { a: '2' }, value: Number.POSITIVE_INFINITY },
    ];

    // Act
    const samples = evaluateRecordingRule({ record: 'r', expr: 'e' }, result, 0);

    // Assess
    expect(samples.map((s) => s.v)).toEqual([Number.NaN, Number.POSITIVE_INFINITY]);
    expect(isStaleNaN(samples[0]?.v as number)).toBe(false);
  });

  it('gives nothing for an empty result', () => {
    // Act
    const samples = evaluateRecordingRule({ record: 'r', expr: 'e' }, [], 0);

    // Assess
    expect(samples).toEqual([]);
  });

  it('fails when results collide after the rule labels (recording_test.go TestRecordingRuleDuplicate)', () => {
    // Prepare: `vector(0) or label_replace(vector(0),"test","x","","")` with label test="test".
    const result: VectorSample[] = [
      { labels: {}, value: 0 },
      { labels: { test: 'x' }, value: 0 },
    ];

    // Act
    const act = () =>
      evaluateRecordingRule({ record: 'foo', expr: 'e', labels: { test: 'test' } }, result, 0);

    // Assess
    expect(act).toThrow(RuleEvaluationError);
    expect(act).toThrow(
      'vector contains metrics with the same labelset after applying rule labels',
    );
  });

  it.each([
    { limit: 0, error: undefined },
    { limit: -1, error: undefined },
    { limit: 2, error: undefined },
    { limit: 1, error: 'exceeded limit of 1 with 2 series' },
  ])('applies limit $limit (recording_test.go TestRecordingRuleLimit)', ({ limit, error }) => {
    // Prepare
    const result = [
      { labels: { __name__: 'metric', label: '1' }, value: 1 },
      { labels: { __name__: 'metric', label: '2' }, value: 1 },
    ];
    const rule = { record: 'foo', expr: 'metric > 0', labels: { test: 'test' } };

    // Act
    const act = () => evaluateRecordingRule(rule, result, 0, limit);

    // Assess
    if (error) {
      expect(act).toThrow(RuleLimitExceededError);
      expect(act).toThrow(error);
    } else {
      expect(act()).toHaveLength(2);
    }
  });
});
