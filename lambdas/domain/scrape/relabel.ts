/**
 * Prometheus relabelling (`relabel_configs`, `metric_relabel_configs`): the config's validation
 * and defaults, and `process`, a port of model/relabel/relabel.go.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config
 * @see https://github.com/prometheus/prometheus/blob/main/model/relabel/relabel.go
 */
import { createHash } from 'node:crypto';
import type { ConfigIssue } from '../config/validate';
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

const DEFAULTS = { separator: ';', regex: '(.*)', replacement: '$1', action: 'replace' } as const;
const ACTIONS = Object.values(RelabelAction) as string[];
const KEYS = [
  'source_labels',
  'separator',
  'target_label',
  'regex',
  'modulus',
  'replacement',
  'action',
];
/** Prometheus's `relabelTarget`: a label name that may hold `$1` / `${name}` references. */
const RELABEL_TARGET_RE = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Compiles a relabel regex as Prometheus does: RE2, the whole value, `.` matching newlines
 * (model/relabel/relabel.go `NewRegexp`: `^(?s:` + re + `)$`).
 * @throws RegexSyntaxError on a pattern RE2 rejects (lookaround, backreferences, bad syntax)
 */
const compileRelabelRegex = (pattern: string): Re2Regex => compileRegex(pattern, PROMETHEUS_SYNTAX);

/**
 * Validates a `relabel_configs` / `metric_relabel_configs` list with Prometheus's rules.
 * @param raw - the YAML value
 * @param path - its path, for issues
 */
const validateRelabelConfigs = (
  raw: unknown,
  path: string,
): { configs: RelabelConfig[]; issues: ConfigIssue[] } => {
  const issues: ConfigIssue[] = [];
  const fail = (p: string, message: string) => issues.push({ path: p, message });
  if (raw === undefined || raw === null) return { configs: [], issues };
  if (!Array.isArray(raw)) {
    fail(path, 'must be a list of relabel configs');
    return { configs: [], issues };
  }
  const configs: RelabelConfig[] = [];
  raw.forEach((item, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(item)) {
      fail(p, 'must be a mapping');
      return;
    }
    for (const k of Object.keys(item))
      if (!KEYS.includes(k)) fail(`${p}.${k}`, `unknown key (expected one of: ${KEYS.join(', ')})`);
    const str = (k: string, def: string): string => {
      const v = item[k];
      if (v === undefined || v === null) return def;
      if (typeof v !== 'string') {
        fail(`${p}.${k}`, 'must be a string');
        return def;
      }
      return v;
    };
    const action = str('action', DEFAULTS.action).toLowerCase();
    if (!ACTIONS.includes(action)) {
      fail(`${p}.action`, `unknown relabel action ${JSON.stringify(action)}`);
      return;
    }
    const sourceLabels = item.source_labels ?? [];
    if (
      !Array.isArray(sourceLabels) ||
      sourceLabels.some((l) => typeof l !== 'string' || !LABEL_NAME_RE.test(l))
    ) {
      fail(`${p}.source_labels`, 'must be a list of label names');
      return;
    }
    const regex = str('regex', DEFAULTS.regex);
    try {
      compileRelabelRegex(regex);
    } catch (err) {
      if (!(err instanceof RegexSyntaxError)) throw err;
      fail(`${p}.regex`, `invalid regular expression ${JSON.stringify(regex)}: ${err.message}`);
      return;
    }
    const modulus = item.modulus ?? 0;
    if (typeof modulus !== 'number' || !Number.isInteger(modulus) || modulus < 0) {
      fail(`${p}.modulus`, 'must be a non-negative integer');
      return;
    }
    const config: RelabelConfig = {
      sourceLabels: sourceLabels as string[],
      separator: str('separator', DEFAULTS.separator),
      targetLabel: str('target_label', ''),
      regex,
      modulus,
      replacement: str('replacement', DEFAULTS.replacement),
      action: action as RelabelAction,
    };
    // The checks of relabel.Config.Validate, with its messages.
    const needsTarget: string[] = [
      'replace',
      'hashmod',
      'lowercase',
      'uppercase',
      'keepequal',
      'dropequal',
    ];
    if (config.action === 'hashmod' && config.modulus === 0)
      fail(p, `relabel configuration for hashmod requires non-zero modulus`);
    if (needsTarget.includes(config.action) && config.targetLabel === '')
      fail(p, `relabel configuration for ${config.action} action requires 'target_label' value`);
    if (
      config.action === 'replace' &&
      config.targetLabel !== '' &&
      !config.targetLabel.includes('$') &&
      !LABEL_NAME_RE.test(config.targetLabel)
    )
      fail(p, `${JSON.stringify(config.targetLabel)} is invalid 'target_label' for replace action`);
    if (
      ['lowercase', 'uppercase', 'hashmod', 'keepequal', 'dropequal'].includes(config.action) &&
      config.targetLabel !== '' &&
      !LABEL_NAME_RE.test(config.targetLabel)
    )
      fail(
        p,
        `${JSON.stringify(config.targetLabel)} is invalid 'target_label' for ${config.action} action`,
      );
    if (config.action === 'labelmap' && !RELABEL_TARGET_RE.test(config.replacement))
      fail(p, `${JSON.stringify(config.replacement)} is invalid 'replacement' for labelmap action`);
    if (
      (config.action === 'labeldrop' || config.action === 'labelkeep') &&
      (config.sourceLabels.length > 0 ||
        config.targetLabel !== '' ||
        config.modulus !== 0 ||
        config.separator !== DEFAULTS.separator ||
        config.replacement !== DEFAULTS.replacement)
    )
      fail(p, `${config.action} action requires only 'regex', and no other fields`);
    if (
      (config.action === 'keepequal' || config.action === 'dropequal') &&
      (config.regex !== DEFAULTS.regex ||
        config.modulus !== 0 ||
        config.separator !== DEFAULTS.separator ||
        config.replacement !== DEFAULTS.replacement)
    )
      fail(
        p,
        `${config.action} action requires only 'source_labels' and 'target_label', and no other fields`,
      );
    configs.push(config);
  });
  return { configs, issues };
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
export { RelabelAction, relabel, validateRelabelConfigs };
