/**
 * Reading promtool's rule unit-test files (`promtool test rules`): `rule_files`,
 * `evaluation_interval`, `group_eval_order` and `tests[]` with `interval`, `input_series`,
 * `alert_rule_test`, `promql_expr_test`, `external_labels`, `external_url` and `name`. Unknown
 * fields and wrong types are errors, as promtool decodes the file strictly.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/
 * @see https://github.com/prometheus/prometheus/blob/main/cmd/promtool/unittest.go (unitTestFile)
 */
import { isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import type { Labels } from '../series/labels';
import {
  type DecodeContext,
  deref,
  readDurationMs,
  readMap,
  readSeq,
  readString,
  readStringMap,
  report,
} from './rule-file-yaml';

/** One `input_series` item: a series description and its values in expanding notation. */
interface UnitTestInputSeries {
  readonly series: string;
  readonly values: string;
}

/** One expected alert of an `alert_rule_test`. */
interface UnitTestExpectedAlert {
  /** `exp_labels`, without `alertname` (the runner adds it). */
  readonly labels: Labels;
  readonly annotations: Labels;
}

/** One `alert_rule_test` item. */
interface UnitTestAlertCase {
  readonly evalTimeMs: number;
  readonly alertname: string;
  readonly expAlerts: readonly UnitTestExpectedAlert[];
}

/** One `exp_samples` item: the metric as text (parsed when the case runs, as promtool does). */
interface UnitTestExpectedSample {
  readonly labels: string;
  readonly value: number;
}

/** One `promql_expr_test` item. */
interface UnitTestExprCase {
  readonly expr: string;
  readonly evalTimeMs: number;
  readonly expSamples: readonly UnitTestExpectedSample[];
}

/** One item of `tests` (promtool's `testGroup`). */
interface UnitTestGroup {
  /** `interval`; 0 when absent (the runner then uses `evaluation_interval`). */
  readonly intervalMs: number;
  readonly inputSeries: readonly UnitTestInputSeries[];
  readonly alertRuleTests: readonly UnitTestAlertCase[];
  readonly promqlExprTests: readonly UnitTestExprCase[];
  readonly externalLabels: Labels;
  readonly externalURL: string;
  /** `name`; `''` when absent. */
  readonly name: string;
}

/** A whole unit-test file. */
interface UnitTestFile {
  /** As written: relative to the test file, and possibly globs. */
  readonly ruleFiles: readonly string[];
  /** `evaluation_interval`; 0 when absent (the runner then uses 1m). */
  readonly evaluationIntervalMs: number;
  readonly groupEvalOrder: readonly string[];
  readonly tests: readonly UnitTestGroup[];
}

/** The test file is not valid YAML or not in promtool's format. The message lists every problem. */
class RuleUnitTestFileError extends Error {
  override readonly name = 'RuleUnitTestFileError';
}

const FILE_FIELDS = ['rule_files', 'evaluation_interval', 'group_eval_order', 'tests'] as const;
const GROUP_FIELDS = [
  'interval',
  'input_series',
  'alert_rule_test',
  'promql_expr_test',
  'external_labels',
  'external_url',
  'name',
] as const;
const SERIES_FIELDS = ['series', 'values'] as const;
const ALERT_CASE_FIELDS = ['eval_time', 'alertname', 'exp_alerts'] as const;
const ALERT_FIELDS = ['exp_labels', 'exp_annotations'] as const;
const EXPR_CASE_FIELDS = ['expr', 'eval_time', 'exp_samples'] as const;
const SAMPLE_FIELDS = ['labels', 'value'] as const;

type Fields = ReadonlyMap<string, { readonly value: YamlNode | null }>;

const field = (ctx: DecodeContext, fields: Fields, key: string): YamlNode | null =>
  deref(ctx, fields.get(key)?.value ?? null);

/** A Go `float64`: a YAML int or float (`.inf`, `.nan` included); a string is a type error. */
const readFloat = (ctx: DecodeContext, raw: YamlNode | null): number => {
  if (raw === null || (isScalar(raw) && raw.value === null)) return 0;
  if (isScalar(raw) && typeof raw.value === 'number') return raw.value;
  const text = isScalar(raw) ? String(raw.source ?? raw.value) : 'a collection';
  report(ctx, raw, `cannot unmarshal ${JSON.stringify(text)} into float64`);
  return 0;
};

const toLabels = (ctx: DecodeContext, raw: YamlNode | null): Labels =>
  Object.fromEntries(readStringMap(ctx, raw).map((e) => [e.key, e.value]));

const readStrings = (ctx: DecodeContext, raw: YamlNode | null): string[] =>
  readSeq(ctx, raw, '[]string')
    .map((n) => readString(ctx, n))
    .filter((s): s is string => s !== undefined);

const readList = <T>(
  ctx: DecodeContext,
  raw: YamlNode | null,
  typeName: string,
  fields: readonly string[],
  build: (f: Fields) => T,
): T[] =>
  readSeq(ctx, raw, `[]main.${typeName}`).flatMap((node) => {
    const f = readMap(ctx, node, `main.${typeName}`, fields);
    return f === undefined ? [] : [build(f)];
  });

const readGroup = (ctx: DecodeContext, f: Fields): UnitTestGroup => ({
  intervalMs: readDurationMs(ctx, field(ctx, f, 'interval')) ?? 0,
  inputSeries: readList(ctx, field(ctx, f, 'input_series'), 'series', SERIES_FIELDS, (s) => ({
    series: readString(ctx, field(ctx, s, 'series')) ?? '',
    values: readString(ctx, field(ctx, s, 'values')) ?? '',
  })),
  alertRuleTests: readList(
    ctx,
    field(ctx, f, 'alert_rule_test'),
    'alertTestCase',
    ALERT_CASE_FIELDS,
    (c) => ({
      evalTimeMs: readDurationMs(ctx, field(ctx, c, 'eval_time')) ?? 0,
      alertname: readString(ctx, field(ctx, c, 'alertname')) ?? '',
      expAlerts: readList(ctx, field(ctx, c, 'exp_alerts'), 'alert', ALERT_FIELDS, (a) => ({
        labels: toLabels(ctx, field(ctx, a, 'exp_labels')),
        annotations: toLabels(ctx, field(ctx, a, 'exp_annotations')),
      })),
    }),
  ),
  promqlExprTests: readList(
    ctx,
    field(ctx, f, 'promql_expr_test'),
    'promqlTestCase',
    EXPR_CASE_FIELDS,
    (c) => ({
      expr: readString(ctx, field(ctx, c, 'expr')) ?? '',
      evalTimeMs: readDurationMs(ctx, field(ctx, c, 'eval_time')) ?? 0,
      expSamples: readList(ctx, field(ctx, c, 'exp_samples'), 'sample', SAMPLE_FIELDS, (s) => ({
        labels: readString(ctx, field(ctx, s, 'labels')) ?? '',
        value: readFloat(ctx, field(ctx, s, 'value')),
      })),
    }),
  ),
  externalLabels: toLabels(ctx, field(ctx, f, 'external_labels')),
  externalURL: readString(ctx, field(ctx, f, 'external_url')) ?? '',
  name: readString(ctx, field(ctx, f, 'name')) ?? '',
});

/**
 * Parses the text of a promtool unit-test file.
 * @param text the file's content
 * @throws RuleUnitTestFileError listing every problem (`line N: reason`), like promtool's
 *   `yaml: unmarshal errors:` report
 * @example
 * const file = parseUnitTestFile('rule_files: [alerts.yml]\ntests: []\n');
 * file.ruleFiles // ['alerts.yml']
 */
const parseUnitTestFile = (text: string): UnitTestFile => {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first ? lineCounter.linePos(first.pos[0]).line : 1;
    throw new RuleUnitTestFileError(
      `yaml: line ${line}: ${first?.message.split('\n')[0] ?? 'invalid YAML'}`,
    );
  }
  const ctx: DecodeContext = { doc, lineCounter, issues: [] };
  const root = deref(ctx, doc.contents);
  const top =
    root === null ? new Map() : (readMap(ctx, root, 'main.unitTestFile', FILE_FIELDS) ?? new Map());
  const file: UnitTestFile = {
    ruleFiles: readStrings(ctx, field(ctx, top, 'rule_files')),
    evaluationIntervalMs: readDurationMs(ctx, field(ctx, top, 'evaluation_interval')) ?? 0,
    groupEvalOrder: readStrings(ctx, field(ctx, top, 'group_eval_order')),
    tests: readList(ctx, field(ctx, top, 'tests'), 'testGroup', GROUP_FIELDS, (g) =>
      readGroup(ctx, g),
    ),
  };
  if (ctx.issues.length > 0) {
    const lines = ctx.issues.map((i) => `  line ${i.position.line}: ${i.reason}`);
    throw new RuleUnitTestFileError(`yaml: unmarshal errors:\n${lines.join('\n')}`);
  }
  return file;
};

export type {
  UnitTestAlertCase,
  UnitTestExpectedAlert,
  UnitTestExpectedSample,
  UnitTestExprCase,
  UnitTestFile,
  UnitTestGroup,
  UnitTestInputSeries,
};
export { parseUnitTestFile, RuleUnitTestFileError };
