/**
 * The rules document: every rule group of the configured rule files plus the evaluation and
 * alerting settings, validated once (by `npx cdk synth` or the local server) and handed to the
 * evaluator and the alerts API as JSON (`ENV.RULES_DOCUMENT`).
 */
import type { AlertingConfig } from '../alerting/config';
import type { EvaluationConfig } from '../config/types';
import type {
  AlertingRuleDefinition,
  RecordingRuleDefinition,
  RuleGroupDefinition,
} from './alert-state';
import { exprToJSON, type ParsedExprsJSON } from '../promql/expr-json';
import type { RuleGroup } from './rule-file';

/** One rule group of the document: the evaluator's definition plus the file it comes from. */
interface RulesDocumentGroup extends RuleGroupDefinition {
  /** The rule file, as listed (relative to the config file). */
  readonly file: string;
}

/** Every rule group to evaluate, with the settings of their evaluation and notification. */
interface RulesDocument {
  readonly groups: readonly RulesDocumentGroup[];
  readonly evaluation: EvaluationConfig;
  readonly alerting: AlertingConfig;
  /**
   * Each rule's expression as the parser read it at synth, by its text: the evaluator runs
   * them without loading the parser. @default none: every expression is parsed when evaluated
   */
  readonly parsedExprs?: ParsedExprsJSON;
}

/** Thrown by {@link rulesDocumentFromJSON} when the JSON is not a rules document. */
class RulesDocumentError extends Error {
  override readonly name = 'RulesDocumentError';
}

/** The parsed expressions of `groups`' rules, for {@link RulesDocument.parsedExprs}. */
const parsedExprsOf = (groups: readonly RuleGroup[]): ParsedExprsJSON =>
  Object.fromEntries(groups.flatMap((g) => g.rules.map((r) => [r.expr, exprToJSON(r.exprAst)])));

/** Drops the parse-only fields (`exprAst`, `position`) of a parsed group: the document is JSON. */
const documentGroup = (group: RuleGroup): RulesDocumentGroup => ({
  file: group.file,
  name: group.name,
  ...(group.intervalMs === undefined ? {} : { intervalMs: group.intervalMs }),
  ...(group.limit === undefined ? {} : { limit: group.limit }),
  ...(group.queryOffsetMs === undefined ? {} : { queryOffsetMs: group.queryOffsetMs }),
  rules: group.rules.map((r): AlertingRuleDefinition | RecordingRuleDefinition =>
    'alert' in r
      ? {
          alert: r.alert,
          expr: r.expr,
          forMs: r.forMs,
          keepFiringForMs: r.keepFiringForMs,
          labels: r.labels,
          annotations: r.annotations,
        }
      : { record: r.record, expr: r.expr, labels: r.labels },
  ),
});

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a rules document from parsed JSON (as written by `JSON.stringify`), checking its shape.
 * Throws {@link RulesDocumentError} when it is not one.
 */
const rulesDocumentFromJSON = (json: unknown): RulesDocument => {
  if (!isObj(json)) throw new RulesDocumentError('rules document: not an object');
  const { groups, evaluation, alerting } = json;
  if (!Array.isArray(groups)) throw new RulesDocumentError('rules document: groups missing');
  if (!isObj(evaluation)) throw new RulesDocumentError('rules document: evaluation missing');
  if (!isObj(alerting)) throw new RulesDocumentError('rules document: alerting missing');
  if (json.parsedExprs !== undefined && !isObj(json.parsedExprs))
    throw new RulesDocumentError('rules document: parsedExprs is not an object');
  groups.forEach((g, i) => {
    if (
      !isObj(g) ||
      typeof g.name !== 'string' ||
      typeof g.file !== 'string' ||
      !Array.isArray(g.rules) ||
      !g.rules.every((r) => isObj(r) && typeof r.expr === 'string')
    ) {
      throw new RulesDocumentError(`rules document: groups[${i}] is not a rule group`);
    }
  });
  return json as unknown as RulesDocument;
};

/** State document key of a group: `group/<file>/<name>` (unique, as group names are). */
const groupStateDocKey = (group: Pick<RulesDocumentGroup, 'file' | 'name'>): string =>
  `group/${group.file}/${group.name}`;

export type { RulesDocument, RulesDocumentGroup };
export {
  documentGroup,
  groupStateDocKey,
  parsedExprsOf,
  RulesDocumentError,
  rulesDocumentFromJSON,
};
