/**
 * Recording rules: the query result renamed to `record`, with the rule's labels applied.
 * @see https://github.com/prometheus/prometheus/blob/main/rules/recording.go (`RecordingRule.Eval`)
 */
import { METRIC_NAME_LABEL, normalizeLabels, seriesKey } from '../series/labels';
import {
  type RecordingRuleDefinition,
  RuleEvaluationError,
  RuleLimitExceededError,
  type RuleSample,
  type VectorSample,
} from './alert-state';

/** Prometheus's message when two results get the same labels after the rule's labels. */
const DUPLICATE_RULE_LABELSET_MESSAGE =
  'vector contains metrics with the same labelset after applying rule labels';

/**
 * Evaluates a recording rule over its query result at `atMs`: every element becomes a sample at
 * `atMs` named `record`; the rule's labels override the result's, an empty value removes the label.
 * @param limit the group's `limit` on series; 0 or absent = none
 * @throws RuleEvaluationError when two elements end up with the same labels
 * @throws RuleLimitExceededError with more series than `limit` (`exceeded limit of N with M series`)
 * @example evaluateRecordingRule({ record: 'job:up:sum', expr: 'sum by (job) (up)' }, result, at)
 */
const evaluateRecordingRule = (
  rule: RecordingRuleDefinition,
  queryResult: readonly VectorSample[],
  atMs: number,
  limit = 0,
): RuleSample[] => {
  const seen = new Set<string>();
  const out: RuleSample[] = [];
  for (const s of queryResult) {
    const labels = normalizeLabels({
      ...s.labels,
      [METRIC_NAME_LABEL]: rule.record,
      ...rule.labels,
    });
    const key = seriesKey(labels);
    if (seen.has(key)) throw new RuleEvaluationError(DUPLICATE_RULE_LABELSET_MESSAGE);
    seen.add(key);
    out.push({ labels, t: atMs, v: s.value });
  }
  if (limit > 0 && out.length > limit) {
    throw new RuleLimitExceededError(`exceeded limit of ${limit} with ${out.length} series`);
  }
  return out;
};

export { DUPLICATE_RULE_LABELSET_MESSAGE, evaluateRecordingRule };
