/**
 * Prometheus relabelling (`relabel_configs`, `metric_relabel_configs`): the rules with their
 * defaults and `relabel`, a port of model/relabel/relabel.go. The config's validation is
 * relabel-schema.ts (used where the config is loaded, not by the functions).
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config
 * @see https://github.com/prometheus/prometheus/blob/main/model/relabel/relabel.go
 */
import { createHash } from 'node:crypto';
import {
  compileRegex,
  expandReplacement,
  loadRegexEngine,
  needsRegexEngine,
  PROMETHEUS_SYNTAX,
  type Re2Regex,
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

/** Prometheus's defaults of a relabel rule. */
const RELABEL_DEFAULTS = {
  separator: ';',
  regex: '(.*)',
  replacement: '$1',
  action: 'replace',
} as const;
/** Prometheus's `relabelTarget`: a label name that may hold `$1` / `${name}` references. */
const RELABEL_TARGET_RE = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

/**
 * Compiles a relabel regex as Prometheus does: RE2, the whole value, `.` matching newlines
 * (model/relabel/relabel.go `NewRegexp`: `^(?s:` + re + `)$`).
 * @throws RegexSyntaxError on a pattern RE2 rejects (lookaround, backreferences, bad syntax)
 */
const compileRelabelRegex = (pattern: string): Re2Regex => compileRegex(pattern, PROMETHEUS_SYNTAX);

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
/** Loads the RE2 engine when one of the configs' regexes needs it (before relabelling with them). */
const loadRegexEngineForRelabel = async (configs: readonly RelabelConfig[]): Promise<void> => {
  if (configs.some((c) => needsRegexEngine(c.regex, PROMETHEUS_SYNTAX))) await loadRegexEngine();
};

export {
  compileRelabelRegex,
  loadRegexEngineForRelabel,
  RELABEL_DEFAULTS,
  RELABEL_TARGET_RE,
  RelabelAction,
  relabel,
};
