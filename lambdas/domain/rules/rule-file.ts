/**
 * Loading and validating Prometheus rule files: the checks of Prometheus's `rulefmt` package, with
 * its messages, reporting every error with its file, line and column.
 * @see https://github.com/prometheus/prometheus/blob/main/model/rulefmt/rulefmt.go
 * @see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/
 */
import { LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Expr } from '../promql/ast';
import { PromqlParseError } from '../promql/errors';
import { parseExpr } from '../promql/parser';
import { LABEL_NAME_RE, type Labels, METRIC_NAME_LABEL, METRIC_NAME_RE } from '../series/labels';
import { checkTemplate } from '../templates';
import {
  type DecodeContext,
  type MapEntry,
  positionOf,
  type RuleFilePosition,
  readDurationMs,
  readInt,
  readMap,
  readNodeText,
  readSeq,
  readString,
  readStringMap,
  type StringEntry,
} from './rule-file-yaml';
import { findYamlDepthViolation } from './yaml-depth';

/** An alerting rule of a rule file (Prometheus `rulefmt.Rule` with `alert`). */
interface AlertingRule {
  readonly alert: string;
  /** The PromQL text, as written. */
  readonly expr: string;
  /** The parsed `expr`. */
  readonly exprAst: Expr;
  /** `for`; 0 when absent. */
  readonly forMs: number;
  /** `keep_firing_for`; 0 when absent. */
  readonly keepFiringForMs: number;
  readonly labels: Labels;
  readonly annotations: Labels;
  /** Where the rule starts in its file. */
  readonly position: RuleFilePosition;
}

/** A recording rule of a rule file (Prometheus `rulefmt.Rule` with `record`). */
interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly exprAst: Expr;
  readonly labels: Labels;
  readonly position: RuleFilePosition;
}

/** A rule group (Prometheus `rulefmt.RuleGroup`). */
interface RuleGroup {
  readonly name: string;
  /** The file the group comes from, as given to {@link parseRuleFile}. */
  readonly file: string;
  /** `interval`; absent means the global evaluation interval. */
  readonly intervalMs?: number;
  /** `limit`: most alerts per alerting rule or series per recording rule; 0 means no limit. */
  readonly limit?: number;
  /** `query_offset` (Prometheus ≥ 2.53); absent means the global rule query offset. */
  readonly queryOffsetMs?: number;
  readonly rules: readonly (AlertingRule | RecordingRule)[];
  readonly position: RuleFilePosition;
}

/** Where a {@link RuleFileError} happened and what it is about. */
interface RuleFileErrorDetails {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The reason alone, e.g. `invalid recording rule name: 0r`. */
  readonly reason: string;
  /** Name of the group, when the error is about a rule. */
  readonly group?: string;
  /** 1-based index of the rule in its group, when the error is about a rule. */
  readonly ruleIndex?: number;
  /** `alert` or `record` of the rule (`''` when it has neither). */
  readonly ruleName?: string;
}

/**
 * One problem in a rule file. The message is `file:line:col: reason`, and for a rule
 * `file:line:col: group "g", rule 2, "Name": reason`, like `promtool check rules`.
 */
class RuleFileError extends Error {
  override readonly name = 'RuleFileError';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  readonly group?: string;
  readonly ruleIndex?: number;
  readonly ruleName?: string;
  constructor(details: RuleFileErrorDetails, options?: ErrorOptions) {
    const context =
      details.group !== undefined && details.ruleIndex !== undefined
        ? `group ${JSON.stringify(details.group)}, rule ${details.ruleIndex}, ${JSON.stringify(details.ruleName ?? '')}: `
        : '';
    super(
      `${details.file}:${details.line}:${details.column}: ${context}${details.reason}`,
      options,
    );
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.reason = details.reason;
    if (details.group !== undefined) this.group = details.group;
    if (details.ruleIndex !== undefined) this.ruleIndex = details.ruleIndex;
    if (details.ruleName !== undefined) this.ruleName = details.ruleName;
  }
}

/**
 * Checks the text of one label or annotation template; throws when it does not parse.
 * `templateName` is `__alert_<alertname>`, the name Prometheus gives the template in its errors.
 */
type ValidateTemplate = (text: string, templateName: string) => void;

/** Options of {@link parseRuleFile}. */
interface ParseRuleFileOptions {
  /**
   * Checks the templates of alerting rules' labels and annotations, like Prometheus's
   * `testTemplateParsing` (the error message is reported as `label "k": <message>`).
   * @default `checkTemplate` of the template engine (Go text/template with Prometheus's functions)
   */
  readonly validateTemplate?: ValidateTemplate;
}

/** The result of {@link parseRuleFile}: the groups when the file is valid, otherwise every error. */
interface ParsedRuleFile {
  /** Empty when there are errors, like Prometheus, which loads no group of an invalid file. */
  readonly groups: readonly RuleGroup[];
  readonly errors: readonly RuleFileError[];
}

const GROUPS_FIELDS = ['groups'] as const;
const GROUP_FIELDS = ['name', 'interval', 'query_offset', 'limit', 'rules'] as const;
const RULE_FIELDS = [
  'record',
  'alert',
  'expr',
  'for',
  'keep_firing_for',
  'labels',
  'annotations',
] as const;

/** A lone UTF-16 surrogate: the string is not valid UTF-8 once encoded (Go `utf8.ValidString`). */
const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Builds the label set of a `map[string]string`; `fromEntries` keeps `__proto__` as data. */
const toLabels = (entries: readonly StringEntry[]): Labels =>
  Object.fromEntries(entries.map((e) => [e.key, e.value]));

interface RuleIssue {
  readonly position: RuleFilePosition;
  readonly reason: string;
}

/** The fields of one rule as decoded, before validation. */
interface DecodedRule {
  readonly record: string;
  readonly alert: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: readonly StringEntry[];
  readonly annotations: readonly StringEntry[];
  readonly position: RuleFilePosition;
  readonly recordPosition: RuleFilePosition;
  readonly alertPosition: RuleFilePosition;
  readonly exprPosition: RuleFilePosition;
}

const decodeRule = (ctx: DecodeContext, node: YamlNode): DecodedRule | undefined => {
  const fields = readMap(ctx, node, 'rulefmt.RuleNode', RULE_FIELDS);
  if (fields === undefined) return undefined;
  const value = (key: string): YamlNode | null => fields.get(key)?.value ?? null;
  const where = (key: string): RuleFilePosition => {
    const entry: MapEntry | undefined = fields.get(key);
    return positionOf(ctx, entry === undefined ? node : (entry.value ?? entry.keyNode));
  };
  return {
    record: readNodeText(ctx, value('record')) ?? '',
    alert: readNodeText(ctx, value('alert')) ?? '',
    expr: readNodeText(ctx, value('expr')) ?? '',
    forMs: readDurationMs(ctx, value('for')) ?? 0,
    keepFiringForMs: readDurationMs(ctx, value('keep_firing_for')) ?? 0,
    labels: readStringMap(ctx, value('labels')),
    annotations: readStringMap(ctx, value('annotations')),
    position: positionOf(ctx, node),
    recordPosition: where('record'),
    alertPosition: where('alert'),
    exprPosition: where('expr'),
  };
};

/** Checks the templates of an alerting rule, like Prometheus's `testTemplateParsing`. */
const templateIssues = (r: DecodedRule, validate: ValidateTemplate): RuleIssue[] => {
  if (r.alert === '') return [];
  const issues: RuleIssue[] = [];
  const check = (kind: string, e: StringEntry): void => {
    try {
      validate(e.value, `__alert_${r.alert}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      issues.push({
        position: e.valuePosition,
        reason: `${kind} ${JSON.stringify(e.key)}: ${message}`,
      });
    }
  };
  for (const e of r.labels) check('label', e);
  for (const e of r.annotations) check('annotation', e);
  return issues;
};

/**
 * Validates one decoded rule with Prometheus's `Rule.Validate` checks and messages; returns the
 * parsed expression when it parses.
 */
const validateRule = (
  r: DecodedRule,
  validateTemplate: ValidateTemplate,
): { issues: RuleIssue[]; exprAst?: Expr } => {
  const issues: RuleIssue[] = [];
  const add = (position: RuleFilePosition, reason: string): void => {
    issues.push({ position, reason });
  };
  if (r.record !== '' && r.alert !== '') {
    add(r.recordPosition, "only one of 'record' and 'alert' must be set");
  }
  if (r.record === '' && r.alert === '') add(r.position, "one of 'record' or 'alert' must be set");
  let exprAst: Expr | undefined;
  if (r.expr === '') {
    add(r.exprPosition, "field 'expr' must be set in rule");
  } else {
    try {
      exprAst = parseExpr(r.expr);
    } catch (error) {
      if (!(error instanceof PromqlParseError)) throw error;
      add(r.exprPosition, `could not parse expression: ${error.message}`);
    }
  }
  if (r.record !== '') {
    if (r.annotations.length > 0)
      add(r.recordPosition, "invalid field 'annotations' in recording rule");
    if (r.forMs !== 0) add(r.recordPosition, "invalid field 'for' in recording rule");
    if (r.keepFiringForMs !== 0) {
      add(r.recordPosition, "invalid field 'keep_firing_for' in recording rule");
    }
    if (!METRIC_NAME_RE.test(r.record)) {
      add(r.recordPosition, `invalid recording rule name: ${r.record}`);
    }
    // Prometheus 3's hint for the common mistake of writing a selector as the name.
    if (r.record.includes('{') || r.record.includes('}')) {
      add(
        r.recordPosition,
        `braces present in the recording rule name; should it be in expr?: ${r.record}`,
      );
    }
  }
  for (const l of r.labels) {
    if (!LABEL_NAME_RE.test(l.key) || l.key === METRIC_NAME_LABEL) {
      add(l.keyPosition, `invalid label name: ${l.key}`);
    }
    if (LONE_SURROGATE_RE.test(l.value)) add(l.valuePosition, `invalid label value: ${l.value}`);
  }
  for (const a of r.annotations) {
    if (!LABEL_NAME_RE.test(a.key)) add(a.keyPosition, `invalid annotation name: ${a.key}`);
  }
  issues.push(...templateIssues(r, validateTemplate));
  return exprAst === undefined ? { issues } : { issues, exprAst };
};

/** The valid rule, once its validation found no issue. */
const buildRule = (r: DecodedRule, exprAst: Expr): AlertingRule | RecordingRule =>
  r.record !== ''
    ? { record: r.record, expr: r.expr, exprAst, labels: toLabels(r.labels), position: r.position }
    : {
        alert: r.alert,
        expr: r.expr,
        exprAst,
        forMs: r.forMs,
        keepFiringForMs: r.keepFiringForMs,
        labels: toLabels(r.labels),
        annotations: toLabels(r.annotations),
        position: r.position,
      };

/**
 * Parses a Prometheus rule file and validates it like Prometheus's `rulefmt.Parse` with known
 * fields enforced (`promtool check rules`): YAML syntax, unknown fields and field types, group
 * names present and unique, exactly one of `record`/`alert`, `expr` present and valid PromQL,
 * recording-rule names valid metric names without `annotations`/`for`/`keep_firing_for`, label
 * and annotation names, label values, durations, and the templates of alerting rules.
 *
 * Unlike Prometheus, which stops at the first YAML type error, it reports every error it can find,
 * each with a line and column. Names follow Prometheus's legacy validation scheme
 * (`[a-zA-Z_:][a-zA-Z0-9_:]*`), as Vigil's data model does.
 *
 * @param text the file's content
 * @param fileName the name to report in errors and to record on each group
 * @param options the template check (defaults to the template engine's `checkTemplate`)
 * @see https://github.com/prometheus/prometheus/blob/main/model/rulefmt/rulefmt.go
 * @example
 * const { groups, errors } = parseRuleFile(readFileSync('alerts.yml', 'utf8'), 'alerts.yml');
 * for (const e of errors) console.error(e.message); // alerts.yml:5:15: group "a", rule 1, ...
 */
const parseRuleFile = (
  text: string,
  fileName: string,
  options: ParseRuleFileOptions = {},
): ParsedRuleFile => {
  const lineCounter = new LineCounter();
  const fileError = (position: RuleFilePosition, reason: string): RuleFileError =>
    new RuleFileError({ file: fileName, line: position.line, column: position.column, reason });
  const tooDeep = findYamlDepthViolation(text);
  if (tooDeep) {
    const before = text.slice(0, tooDeep.offset);
    const line = before.split('\n').length;
    const column = tooDeep.offset - before.lastIndexOf('\n');
    return { groups: [], errors: [fileError({ line, column }, tooDeep.reason)] };
  }
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const errors = doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return fileError({ line, column: col }, `yaml: ${e.message.split('\n')[0] ?? e.code}`);
    });
    return { groups: [], errors };
  }

  const ctx: DecodeContext = { doc, lineCounter, issues: [] };
  const errors: RuleFileError[] = [];
  const flushDecodeIssues = (): void => {
    for (const i of ctx.issues.splice(0)) errors.push(fileError(i.position, i.reason));
  };
  const top = readMap(ctx, doc.contents, 'rulefmt.RuleGroups', GROUPS_FIELDS);
  const groupNodes = readSeq(ctx, top?.get('groups')?.value ?? null, '[]rulefmt.RuleGroup');
  flushDecodeIssues();

  const groups: RuleGroup[] = [];
  const seen = new Set<string>();
  for (const groupNode of groupNodes) {
    const fields = readMap(ctx, groupNode, 'rulefmt.RuleGroup', GROUP_FIELDS);
    if (fields === undefined) {
      flushDecodeIssues();
      continue;
    }
    const value = (key: string): YamlNode | null => fields.get(key)?.value ?? null;
    const groupPosition = positionOf(ctx, groupNode);
    const name = readString(ctx, value('name')) ?? '';
    const intervalMs = fields.has('interval') ? readDurationMs(ctx, value('interval')) : undefined;
    const queryOffsetMs = fields.has('query_offset')
      ? readDurationMs(ctx, value('query_offset'))
      : undefined;
    const limit = fields.has('limit') ? readInt(ctx, value('limit')) : undefined;
    const ruleNodes = readSeq(ctx, value('rules'), '[]rulefmt.RuleNode');
    flushDecodeIssues();
    if (name === '') errors.push(fileError(groupPosition, 'Groupname must not be empty'));
    if (seen.has(name)) {
      errors.push(fileError(groupPosition, `groupname: "${name}" is repeated in the same file`));
    }
    seen.add(name);

    const rules: (AlertingRule | RecordingRule)[] = [];
    ruleNodes.forEach((ruleNode, i) => {
      const decoded = decodeRule(ctx, ruleNode);
      const ruleError = (position: RuleFilePosition, reason: string): RuleFileError =>
        new RuleFileError({
          file: fileName,
          line: position.line,
          column: position.column,
          reason,
          group: name,
          ruleIndex: i + 1,
          ruleName:
            decoded === undefined || decoded.alert === '' ? (decoded?.record ?? '') : decoded.alert,
        });
      for (const issue of ctx.issues.splice(0))
        errors.push(ruleError(issue.position, issue.reason));
      if (decoded === undefined) return;
      const { issues, exprAst } = validateRule(decoded, options.validateTemplate ?? checkTemplate);
      for (const issue of issues) errors.push(ruleError(issue.position, issue.reason));
      if (issues.length === 0 && exprAst !== undefined) rules.push(buildRule(decoded, exprAst));
    });
    groups.push({
      name,
      file: fileName,
      ...(intervalMs === undefined || intervalMs === 0 ? {} : { intervalMs }),
      ...(limit === undefined ? {} : { limit }),
      ...(queryOffsetMs === undefined ? {} : { queryOffsetMs }),
      rules,
      position: groupPosition,
    });
  }
  // Stable: errors at one place keep Prometheus's order of checks.
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return errors.length > 0 ? { groups: [], errors } : { groups, errors };
};

export type {
  AlertingRule,
  ParsedRuleFile,
  ParseRuleFileOptions,
  RecordingRule,
  RuleFileErrorDetails,
  RuleFilePosition,
  RuleGroup,
  ValidateTemplate,
};
export { parseRuleFile, RuleFileError };
