import type { SeriesStore } from '../ports';
import { evaluateInstant } from '../promql';
import { RuleEvaluationError, type VectorSample } from './alert-state';
import type { RuleQueryFn } from './alerting-rule';

/**
 * An instant query as Prometheus's `EngineQueryFunc` answers rules: a vector as is, a scalar as
 * one sample without labels, anything else an error.
 * @see https://github.com/prometheus/prometheus/blob/main/rules/manager.go (EngineQueryFunc)
 */
const ruleQuery =
  (store: SeriesStore, subqueryStepMs: number): RuleQueryFn =>
  async (expr: string, atMs: number): Promise<readonly VectorSample[]> => {
    const { value } = await evaluateInstant(store, expr, atMs, {
      defaultSubqueryStepMs: subqueryStepMs,
    });
    if (value.type === 'vector')
      return value.samples.map((s) => ({ labels: s.labels, value: s.v }));
    if (value.type === 'scalar') return [{ labels: {}, value: value.v }];
    throw new RuleEvaluationError('rule result is not a vector or scalar');
  };

export { ruleQuery };
