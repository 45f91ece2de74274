/**
 * Validation of Prometheus relabel rules (`relabel_configs`, `metric_relabel_configs`,
 * `write_relabel_configs`) with Prometheus's rules and messages (relabel.Config.Validate).
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config
 */
import type { ConfigIssue } from '../config/issues';
import { fail, list, mapping, runSchema, show, z } from '../config/schema-kit';
import { RegexSyntaxError } from '../regex/re2';
import { LABEL_NAME_RE } from '../series/labels';
import {
  compileRelabelRegex,
  RELABEL_DEFAULTS as DEFAULTS,
  RELABEL_TARGET_RE,
  RelabelAction,
  type RelabelConfig,
} from './relabel';

const ACTIONS = Object.values(RelabelAction) as string[];

const text = z.string({ error: 'must be a string' });

/** The checks of Prometheus's relabel.Config.Validate, with its messages. */
const validateRule = (config: RelabelConfig, ctx: Parameters<typeof fail>[0]): void => {
  const { action, targetLabel } = config;
  const needsTarget: string[] = [
    'replace',
    'hashmod',
    'lowercase',
    'uppercase',
    'keepequal',
    'dropequal',
  ];
  if (action === 'hashmod' && config.modulus === 0)
    fail(ctx, 'relabel configuration for hashmod requires non-zero modulus');
  if (needsTarget.includes(action) && targetLabel === '')
    fail(ctx, `relabel configuration for ${action} action requires 'target_label' value`);
  if (
    action === 'replace' &&
    targetLabel !== '' &&
    !targetLabel.includes('$') &&
    !LABEL_NAME_RE.test(targetLabel)
  )
    fail(ctx, `${JSON.stringify(targetLabel)} is invalid 'target_label' for replace action`);
  if (
    ['lowercase', 'uppercase', 'hashmod', 'keepequal', 'dropequal'].includes(action) &&
    targetLabel !== '' &&
    !LABEL_NAME_RE.test(targetLabel)
  )
    fail(ctx, `${JSON.stringify(targetLabel)} is invalid 'target_label' for ${action} action`);
  if (action === 'labelmap' && !RELABEL_TARGET_RE.test(config.replacement))
    fail(ctx, `${JSON.stringify(config.replacement)} is invalid 'replacement' for labelmap action`);
  const onlyDefaults =
    config.modulus === 0 &&
    config.separator === DEFAULTS.separator &&
    config.replacement === DEFAULTS.replacement;
  if (
    (action === 'labeldrop' || action === 'labelkeep') &&
    (config.sourceLabels.length > 0 || targetLabel !== '' || !onlyDefaults)
  )
    fail(ctx, `${action} action requires only 'regex', and no other fields`);
  if (
    (action === 'keepequal' || action === 'dropequal') &&
    (config.regex !== DEFAULTS.regex || !onlyDefaults)
  )
    fail(
      ctx,
      `${action} action requires only 'source_labels' and 'target_label', and no other fields`,
    );
};

/** One relabel rule (Prometheus's relabel_config), defaults filled in; `regex` stays text. */
const relabelRuleSchema = mapping({
  source_labels: z
    .array(z.unknown(), { error: 'must be a list of label names' })
    .refine((l) => l.every((n) => typeof n === 'string' && LABEL_NAME_RE.test(n)), {
      error: 'must be a list of label names',
    })
    .transform((l) => l as string[])
    .default([]),
  separator: text.default(DEFAULTS.separator),
  target_label: text.default(''),
  /** Unanchored as written; matched as `^(?s:regex)$`. */
  regex: text
    .superRefine((regex, ctx) => {
      try {
        compileRelabelRegex(regex);
      } catch (err) {
        if (!(err instanceof RegexSyntaxError)) throw err;
        fail(ctx, `invalid regular expression ${JSON.stringify(regex)}: ${err.message}`);
      }
    })
    .default(DEFAULTS.regex),
  modulus: z
    .number({ error: 'must be a non-negative integer' })
    .refine((m) => Number.isInteger(m) && m >= 0, { error: 'must be a non-negative integer' })
    .default(0),
  replacement: text.default(DEFAULTS.replacement),
  action: text
    .transform((a) => a.toLowerCase())
    .refine((a) => ACTIONS.includes(a), {
      error: (i) => `unknown relabel action ${show(String(i.input).toLowerCase())}`,
    })
    .transform((a) => a as RelabelAction)
    .default(DEFAULTS.action),
})
  .transform(
    (r): RelabelConfig => ({
      sourceLabels: r.source_labels,
      separator: r.separator,
      targetLabel: r.target_label,
      regex: r.regex,
      modulus: r.modulus,
      replacement: r.replacement,
      action: r.action,
    }),
  )
  .superRefine(validateRule);

/** A `relabel_configs` / `metric_relabel_configs` / `write_relabel_configs` list. */
const relabelConfigsSchema = list(relabelRuleSchema, 'must be a list of relabel configs');

/**
 * Validates a `relabel_configs` / `metric_relabel_configs` list with Prometheus's rules.
 * @param raw - the YAML value
 * @param path - its path, for issues
 */
const validateRelabelConfigs = (
  raw: unknown,
  path: string,
): { configs: RelabelConfig[]; issues: ConfigIssue[] } => {
  const { config, issues } = runSchema(relabelConfigsSchema, raw, path, () => []);
  return { configs: config, issues };
};

export { relabelConfigsSchema, validateRelabelConfigs };
