/**
 * Alert and recording-rule template expansion as Prometheus does it (rules/alerting.go Eval and
 * rules/recording.go): the text is prefixed with
 * `{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}`,
 * executed with `missingkey=zero` against `{Labels, ExternalLabels, ExternalURL, Value}`, and a
 * failure is rendered into the result as `<error expanding template: …>`.
 *
 * Design: rendering is async so the `query` function can await the PromQL engine; the caller
 * injects it as {@link TemplateQueryFn} together with the evaluation time (`nowMs`), so this module
 * stays pure.
 * @see https://github.com/prometheus/prometheus/blob/main/rules/alerting.go
 * @see https://github.com/prometheus/prometheus/blob/main/template/template.go (Expand, ParseTest)
 */
import { BUILTINS } from './builtins';
import { TemplateError } from './errors';
import { executeTemplate } from './executor';
import type { TemplateFunction } from './functions';
import { parseTemplate } from './parser';
import {
  PROMETHEUS_FUNCTION_NAMES,
  prometheusFunctions,
  type TemplateQueryFn,
} from './prometheus-functions';
import { GoStruct, type GoValue, stringMap } from './values';

/** The variables Prometheus defines before every alert/recording template. */
const TEMPLATE_DEFS =
  '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

const ALERT_DATA_TYPE =
  'struct { Labels map[string]string; ExternalLabels map[string]string; ExternalURL string; Value interface {} }';

const FUNCTION_NAMES: ReadonlySet<string> = new Set([
  ...BUILTINS.keys(),
  ...PROMETHEUS_FUNCTION_NAMES,
]);

/** The data an alert template sees. */
export interface AlertTemplateData {
  /** The alert's labels (the query result's labels, without `__name__`). */
  readonly labels: Readonly<Record<string, string>>;
  readonly externalLabels?: Readonly<Record<string, string>>;
  readonly externalURL?: string;
  /** The sample value that triggered the alert. */
  readonly value: number;
}

/** Options of {@link expandTemplate} and {@link renderAlertTemplate}. */
export interface RenderOptions {
  /** Template name; Prometheus uses `__alert_<alertname>` and `__record_<record>`. @default '__alert_' */
  readonly name?: string;
  /** Runs `query "…"` calls; without it, `query` fails with an execution error. */
  readonly query?: TemplateQueryFn;
  /** Evaluation time in epoch ms, handed to `query`. @default 0 */
  readonly nowMs?: number;
}

const alertData = (data: AlertTemplateData): GoValue =>
  new GoStruct(
    ALERT_DATA_TYPE,
    new Map<string, GoValue>([
      ['Labels', stringMap(data.labels)],
      ['ExternalLabels', stringMap(data.externalLabels ?? {})],
      ['ExternalURL', data.externalURL ?? ''],
      ['Value', data.value],
    ]),
    false,
  );

const functionsFor = (
  options: RenderOptions,
  externalURL: string,
): Map<string, TemplateFunction> => {
  const funcs = new Map<string, TemplateFunction>(BUILTINS);
  const promOptions = options.query
    ? { query: options.query, nowMs: options.nowMs ?? 0, externalURL }
    : { nowMs: options.nowMs ?? 0, externalURL };
  for (const [k, v] of prometheusFunctions(promOptions)) funcs.set(k, v);
  return funcs;
};

const withPrefix = (err: unknown, prefix: string): never => {
  if (err instanceof TemplateError) {
    throw new TemplateError(`${prefix}: ${err.message}`, {
      phase: err.phase,
      templateName: err.templateName,
      line: err.line,
      ...(err.column === undefined ? {} : { column: err.column }),
      cause: err,
    });
  }
  throw err;
};

/**
 * Prometheus' `Expander.Expand` for alert data: parses and executes `TEMPLATE_DEFS + text`.
 * Throws {@link TemplateError} with `error parsing template <name>: …` or
 * `error executing template <name>: …`.
 */
const expandTemplate = async (
  text: string,
  data: AlertTemplateData,
  options: RenderOptions = {},
): Promise<string> => {
  const name = options.name ?? '__alert_';
  const full = TEMPLATE_DEFS + text;
  const funcs = functionsFor(options, data.externalURL ?? '');
  let trees: ReturnType<typeof parseTemplate>;
  try {
    trees = parseTemplate(name, full, FUNCTION_NAMES);
  } catch (e) {
    return withPrefix(e, `error parsing template ${name}`);
  }
  try {
    return await executeTemplate(trees, name, full, alertData(data), funcs);
  } catch (e) {
    return withPrefix(e, `error executing template ${name}`);
  }
};

/**
 * Renders an alert label or annotation template exactly as Prometheus' rule evaluation does:
 * on any failure the result is `<error expanding template: …>` rather than an exception.
 * @example
 * await renderAlertTemplate('{{ $labels.instance }} at {{ $value | humanizePercentage }}',
 *   { labels: { instance: 'a:9100' }, value: 0.1 }, { name: '__alert_HighLoad' })
 * // 'a:9100 at 10%'
 */
const renderAlertTemplate = async (
  text: string,
  data: AlertTemplateData,
  options: RenderOptions = {},
): Promise<string> => {
  try {
    return await expandTemplate(text, data, options);
  } catch (e) {
    return `<error expanding template: ${e instanceof Error ? e.message : String(e)}>`;
  }
};

/**
 * Parses a template without executing it, with the same prefix and functions as alert
 * expansion (Prometheus' `Expander.ParseTest`, used by `promtool check rules`). Throws
 * {@link TemplateError} whose message is Go's, e.g.
 * `template: __alert_X:1: function "foo" not defined`.
 * @param name template name, `__alert_<alertname>` for alerting rules
 */
const checkTemplate = (text: string, name = '__alert_'): void => {
  parseTemplate(name, TEMPLATE_DEFS + text, FUNCTION_NAMES);
};

export { checkTemplate, expandTemplate, renderAlertTemplate, TEMPLATE_DEFS };
