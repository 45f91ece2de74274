import type { SeriesStore } from '../ports';
import { LocalQueryEngine } from '../query/local-query-engine';
import type { QueryEngine } from '../query/query-engine';
import { RuleEvaluationError, type VectorSample } from './alert-state';
import type { RuleQueryFn } from './alerting-rule';

/**
 * An instant query as Prometheus's `EngineQueryFunc` answers rules, through a query engine: a
 * vector as is, a scalar as one sample without labels, anything else an error. A subquery
 * without a step uses the group's interval (Vigil's engine; a remote one uses its own).
 * @see https://github.com/prometheus/prometheus/blob/main/rules/manager.go (EngineQueryFunc)
 */
const engineRuleQuery =
  (engine: QueryEngine, subqueryStepMs: number): RuleQueryFn =>
  async (expr: string, atMs: number): Promise<readonly VectorSample[]> => {
    const { value } = await engine.instantQuery({
      query: expr,
      timeMs: atMs,
      defaultSubqueryStepMs: subqueryStepMs,
    });
    if (value.type === 'vector')
      return value.samples.map((s) => ({ labels: s.labels, value: s.v }));
    if (value.type === 'scalar') return [{ labels: {}, value: value.v }];
    throw new RuleEvaluationError('rule result is not a vector or scalar');
  };

/** {@link engineRuleQuery} on Vigil's engine over `store`. */
const ruleQuery = (store: SeriesStore, subqueryStepMs: number): RuleQueryFn =>
  engineRuleQuery(new LocalQueryEngine({ store }), subqueryStepMs);

export { engineRuleQuery, ruleQuery };
