/**
 * Prometheus relabelling (`relabel_configs`, `metric_relabel_configs`): the config's validation
 * and defaults, and `process`, a port of model/relabel/relabel.go.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config
 * @see https://github.com/prometheus/prometheus/blob/main/model/relabel/relabel.go
 */
import { createHash } from 'node:crypto';
import type { ConfigIssue } from '../config/issues';
import { fail, list, mapping, runSchema, show, z } from '../config/schema-kit';
import {
  compileRegex,
  expandReplacement,
  PROMETHEUS_SYNTAX,
  type Re2Regex,
  RegexSyntaxError,
} from '../regex/re2';
import { LABEL_NAME_RE, type Labels, normalizeLabels } from '../series/labels';

/** Relabel actions, as Prometheus names them. */
const RelabelAction = {
  Replace: 'replace',
  Keep: 'keep',
  Drop: 'drop',
  KeepEqual: 'keepequal',
  DropEqual: 'dropequal',
  HashMod: 'hashmod',
  LabelMap: 'labelmap',
  LabelDrop: 'labeldrop',
  LabelKeep: 'labelkeep',
  Lowercase: 'lowercase',
  Uppercase: 'uppercase',
} as const;
type RelabelAction = (typeof RelabelAction)[keyof typeof RelabelAction];

const DEFAULTS = { separator: ';', regex: '(.*)', replacement: '$1', action: 'replace' } as const;
const ACTIONS = Object.values(RelabelAction) as string[];
/** Prometheus's `relabelTarget`: a label name that may hold `$1` / `${name}` references. */
const RELABEL_TARGET_RE = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/**
 * Compiles a relabel regex as Prometheus does: RE2, the whole value, `.` matching newlines
 * (model/relabel/relabel.go `NewRegexp`: `^(?s:` + re + `)$`).
 * @throws RegexSyntaxError on a pattern RE2 rejects (lookaround, backreferences, bad syntax)
 */
const compileRelabelRegex = (pattern: string): Re2Regex => compileRegex(pattern, PROMETHEUS_SYNTAX);

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

/** One relabel rule with Prometheus's defaults filled in (JSON-serialisable: `regex` as text). */
interface RelabelConfig {
  /** @default [] */
  readonly sourceLabels: readonly string[];
  /** @default ';' */
  readonly separator: string;
  /** @default '' */
  readonly targetLabel: string;
  /** Unanchored as written; matched as `^(?s:regex)$`. @default '(.*)' */
  readonly regex: string;
  /** @default 0 */
  readonly modulus: number;
  /** @default '$1' */
  readonly replacement: string;
  /** @default 'replace' */
  readonly action: RelabelAction;
}

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

/** Prometheus's `hashmod`: MD5 of the value, last 8 bytes as a big-endian uint64, modulo. */
const hashMod = (value: string, modulus: number): string => {
  const digest = createHash('md5').update(value, 'utf8').digest();
  return (digest.readBigUInt64BE(8) % BigInt(modulus)).toString();
};

/** One rule on a mutable label map; false when the rule drops the series (or target). */
const relabelOne = (cfg: RelabelConfig, lb: Record<string, string>): boolean => {
  const val = cfg.sourceLabels.map((n) => lb[n] ?? '').join(cfg.separator);
  const re = compileRelabelRegex(cfg.regex);
  switch (cfg.action) {
    case 'drop':
      return !re.matchesFully(val);
    case 'keep':
      return re.matchesFully(val);
    case 'dropequal':
      return (lb[cfg.targetLabel] ?? '') !== val;
    case 'keepequal':
      return (lb[cfg.targetLabel] ?? '') === val;
    case 'replace': {
      const m = re.execFully(val);
      if (!m) return true;
      const target = expandReplacement(cfg.targetLabel, m);
      if (!LABEL_NAME_RE.test(target)) return true;
      const res = expandReplacement(cfg.replacement, m);
      if (res === '') delete lb[target];
      else lb[target] = res;
      return true;
    }
    case 'lowercase':
      lb[cfg.targetLabel] = val.toLowerCase();
      return true;
    case 'uppercase':
      lb[cfg.targetLabel] = val.toUpperCase();
      return true;
    case 'hashmod':
      lb[cfg.targetLabel] = hashMod(val, cfg.modulus);
      return true;
    case 'labelmap':
      for (const [name, value] of Object.entries(lb)) {
        const m = re.execFully(name);
        if (m) lb[expandReplacement(cfg.replacement, m)] = value;
      }
      return true;
    case 'labeldrop':
      for (const name of Object.keys(lb)) if (re.matchesFully(name)) delete lb[name];
      return true;
    case 'labelkeep':
      for (const name of Object.keys(lb)) if (!re.matchesFully(name)) delete lb[name];
      return true;
    default: {
      const never: never = cfg.action;
      throw new Error(`unknown relabel action ${String(never)}`);
    }
  }
};

/**
 * Applies the rules in order, as `relabel.Process`: returns the new labels (empty values
 * dropped), or undefined when a rule dropped them.
 * @example relabel({ __name__: 'go_gc_duration_seconds' }, [{ ...drop, regex: 'go_.*', sourceLabels: ['__name__'] }]) // undefined
 */
const relabel = (labels: Labels, configs: readonly RelabelConfig[]): Labels | undefined => {
  if (configs.length === 0) return labels;
  const lb: Record<string, string> = { ...labels };
  for (const cfg of configs) {
    if (!relabelOne(cfg, lb)) return undefined;
  }
  return normalizeLabels(lb);
};

export type { RelabelConfig };
export { RelabelAction, relabel, relabelConfigsSchema, validateRelabelConfigs };
