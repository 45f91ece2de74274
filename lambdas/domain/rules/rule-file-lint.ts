/**
 * The `duplicate-rules` lint of `promtool check rules`: two rules of a file with the same name
 * (`alert` or `record`) and the same labels.
 * @see https://github.com/prometheus/prometheus/blob/main/cmd/promtool/main.go (checkDuplicates)
 */
import type { Labels } from '../series/labels';
import type { AlertingRule, RecordingRule, RuleGroup } from './rule-file';

/** A rule name and label set that occurs more than once in a file. */
interface DuplicateRule {
  /** `alert` or `record` of the rules. */
  readonly metric: string;
  /** Their labels, sorted by name. */
  readonly labels: readonly (readonly [string, string])[];
}

const ruleMetric = (rule: AlertingRule | RecordingRule): string =>
  'alert' in rule ? rule.alert : rule.record;

const sortedLabels = (labels: Labels): [string, string][] =>
  Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders like Prometheus's `compare`: metric name, then `labels.Compare`. */
const compareRules = (a: DuplicateRule, b: DuplicateRule): number => {
  const byMetric = compareStrings(a.metric, b.metric);
  if (byMetric !== 0) return byMetric;
  const n = Math.min(a.labels.length, b.labels.length);
  for (let i = 0; i < n; i++) {
    const [an, av] = a.labels[i] ?? ['', ''];
    const [bn, bv] = b.labels[i] ?? ['', ''];
    const c = compareStrings(an, bn) || compareStrings(av, bv);
    if (c !== 0) return c;
  }
  return a.labels.length - b.labels.length;
};

/**
 * Finds the rules of a file's groups that share their name and labels, each reported once, in
 * promtool's order (sorted by name, then labels).
 * @param groups the groups of one file
 * @example findDuplicateRules(parseRuleFile(text, 'a.yml').groups) // [{ metric: 'X', labels: [] }]
 */
const findDuplicateRules = (groups: readonly RuleGroup[]): DuplicateRule[] => {
  const rules: DuplicateRule[] = groups
    .flatMap((g) => g.rules)
    .map((r) => ({ metric: ruleMetric(r), labels: sortedLabels(r.labels) }))
    .sort(compareRules);
  const duplicates: DuplicateRule[] = [];
  for (let i = 1; i < rules.length; i++) {
    const last = rules[i - 1] as DuplicateRule;
    const current = rules[i] as DuplicateRule;
    if (compareRules(last, current) !== 0) continue;
    const previous = duplicates[duplicates.length - 1];
    if (previous === undefined || compareRules(last, previous) !== 0) duplicates.push(current);
  }
  return duplicates;
};

/**
 * promtool's text for duplicate rules: `N duplicate rule(s) found.`, then `Metric:` and
 * `Label(s):` of each, then `Might cause inconsistency while recording expressions`.
 */
const formatDuplicateRules = (duplicates: readonly DuplicateRule[]): string => {
  let text = `${duplicates.length} duplicate rule(s) found.\n`;
  for (const d of duplicates) {
    text += `Metric: ${d.metric}\nLabel(s):\n`;
    for (const [name, value] of d.labels) text += `\t${name}: ${value}\n`;
  }
  return `${text}Might cause inconsistency while recording expressions`;
};

export type { DuplicateRule };
export { findDuplicateRules, formatDuplicateRules };
