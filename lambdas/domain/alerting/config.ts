/**
 * The `alerting:` section of `vigil.config.yaml`: Alertmanager's root-route grouping and timing
 * options plus inhibit rules. Durations are Prometheus durations (`30s`, `5m`, `4h`).
 * @see https://prometheus.io/docs/alerting/latest/configuration/#route
 * @see https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule
 */
import type { ConfigIssue } from '../config/validate';
import { parseDurationMs } from '../promql/lexical';
import { LABEL_NAME_RE } from '../series/labels';
import type { LabelMatcher } from '../series/matchers';
import { AlertMatcherParseError, parseAlertMatchers } from './matchers';

/** `group_by: ['...']` groups by all labels (Alertmanager's `GroupByAll`). */
const GROUP_BY_ALL = '...';

/** Alertmanager's defaults (config/config.go `DefaultRouteOpts`, `DefaultGlobalConfig`). */
const DEFAULT_GROUP_WAIT_MS = 30_000;
const DEFAULT_GROUP_INTERVAL_MS = 5 * 60_000;
const DEFAULT_REPEAT_INTERVAL_MS = 4 * 3_600_000;
/** `global.resolve_timeout`: an open alert not re-sent for this long counts as resolved. */
const DEFAULT_RESOLVE_TIMEOUT_MS = 5 * 60_000;
/** Severity given to a notification whose alerts do not share a `severity` label. */
const DEFAULT_SEVERITY = 'warning';

/** One inhibit rule, matchers parsed. */
interface InhibitRule {
  readonly sourceMatchers: readonly LabelMatcher[];
  readonly targetMatchers: readonly LabelMatcher[];
  /** Labels that must have equal values in source and target (absent = `''`). */
  readonly equal: readonly string[];
}

/** The validated `alerting:` section, defaults filled in, durations in ms. */
interface AlertingConfig {
  /** Label names alerts are grouped by; `['...']` means every label. @default ['alertname'] */
  readonly groupBy: readonly string[];
  /** Wait before the first notification of a new group. @default 30000 (30s) */
  readonly groupWaitMs: number;
  /** Wait before notifying about changes in a group already notified. @default 300000 (5m) */
  readonly groupIntervalMs: number;
  /** Wait before re-sending an unchanged notification. @default 14400000 (4h) */
  readonly repeatIntervalMs: number;
  /** An alert received without `endsAt` is resolved if not refreshed within this. @default 300000 (5m) */
  readonly resolveTimeoutMs: number;
  readonly inhibitRules: readonly InhibitRule[];
  /** `externalURL` of webhook payloads (the API's public URL). @default '' */
  readonly externalUrl: string;
  /** Severity of a notification without a common `severity` label. @default 'warning' */
  readonly defaultSeverity: string;
  /**
   * Local mode only (`npm start`): webhook receivers (http/https URLs) that get every
   * notification as Alertmanager's webhook payload, besides the console. @default []
   */
  readonly webhookUrls: readonly string[];
}

/** The config with every default, for tests and for a file without an `alerting:` section. */
const DEFAULT_ALERTING_CONFIG: AlertingConfig = Object.freeze({
  groupBy: Object.freeze(['alertname']),
  groupWaitMs: DEFAULT_GROUP_WAIT_MS,
  groupIntervalMs: DEFAULT_GROUP_INTERVAL_MS,
  repeatIntervalMs: DEFAULT_REPEAT_INTERVAL_MS,
  resolveTimeoutMs: DEFAULT_RESOLVE_TIMEOUT_MS,
  inhibitRules: Object.freeze([]),
  externalUrl: '',
  defaultSeverity: DEFAULT_SEVERITY,
  webhookUrls: Object.freeze([]),
});

const KEYS = [
  'group_by',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'resolve_timeout',
  'inhibit_rules',
  'external_url',
  'default_severity',
  'webhook_urls',
];
const RULE_KEYS = ['source_matchers', 'target_matchers', 'equal'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates the raw (YAML-parsed) `alerting:` section. Returns the typed config with defaults
 * and every issue found, each with its dotted path (`alerting.inhibit_rules[0].equal[1]`).
 * Checks mirror Alertmanager's config loader: durations parse, `group_interval` and
 * `repeat_interval` are not zero, `...` stands alone in `group_by`, no duplicate or invalid label
 * names, matchers parse.
 * @param raw the value under `alerting:` (`undefined` for defaults)
 * @param path path prefix used in issues. @default 'alerting'
 * @example validateAlertingConfig({ group_wait: '10s' }).config.groupWaitMs // 10000
 */
const validateAlertingConfig = (
  raw: unknown,
  path = 'alerting',
): { config: AlertingConfig; issues: ConfigIssue[] } => {
  const issues: ConfigIssue[] = [];
  const fail = (p: string, message: string): void => {
    issues.push({ path: p, message });
  };
  if (raw === undefined || raw === null) return { config: DEFAULT_ALERTING_CONFIG, issues };
  if (!isObj(raw)) {
    fail(path, 'must be a mapping');
    return { config: DEFAULT_ALERTING_CONFIG, issues };
  }
  for (const k of Object.keys(raw)) {
    if (!KEYS.includes(k)) fail(`${path}.${k}`, `unknown key (expected one of ${KEYS.join(', ')})`);
  }

  const duration = (key: string, def: number, nonZero: boolean): number => {
    const v = raw[key];
    if (v === undefined || v === null) return def;
    const ms = typeof v === 'string' ? parseDurationMs(v) : undefined;
    if (ms === undefined) {
      fail(`${path}.${key}`, `not a valid duration: ${JSON.stringify(v)} (e.g. 30s, 5m, 4h)`);
      return def;
    }
    if (nonZero && ms === 0) {
      fail(`${path}.${key}`, `${key} cannot be zero`);
      return def;
    }
    return ms;
  };

  const labelNames = (v: unknown, p: string, allowAll: boolean): string[] => {
    if (!Array.isArray(v)) {
      fail(p, 'must be a list of label names');
      return [];
    }
    const out: string[] = [];
    v.forEach((n, i) => {
      if (typeof n !== 'string' || (!LABEL_NAME_RE.test(n) && !(allowAll && n === GROUP_BY_ALL))) {
        fail(`${p}[${i}]`, `invalid label name ${JSON.stringify(n)}`);
      } else if (out.includes(n)) fail(`${p}[${i}]`, `duplicated label ${JSON.stringify(n)}`);
      else out.push(n);
    });
    return out;
  };

  let groupBy: readonly string[] = DEFAULT_ALERTING_CONFIG.groupBy;
  if (raw.group_by !== undefined && raw.group_by !== null) {
    groupBy = labelNames(raw.group_by, `${path}.group_by`, true);
    if (groupBy.includes(GROUP_BY_ALL) && groupBy.length > 1) {
      fail(
        `${path}.group_by`,
        'cannot have wildcard group_by (`...`) and other labels at the same time',
      );
    }
  }

  const matchers = (v: unknown, p: string): LabelMatcher[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      fail(p, 'must be a list of matchers like severity="critical"');
      return [];
    }
    const out: LabelMatcher[] = [];
    v.forEach((line, i) => {
      if (typeof line !== 'string') {
        fail(`${p}[${i}]`, 'must be a string like severity="critical"');
        return;
      }
      try {
        out.push(...parseAlertMatchers(line));
      } catch (e) {
        if (!(e instanceof AlertMatcherParseError)) throw e;
        fail(`${p}[${i}]`, e.message);
      }
    });
    return out;
  };

  const inhibitRules: InhibitRule[] = [];
  if (raw.inhibit_rules !== undefined && raw.inhibit_rules !== null) {
    if (!Array.isArray(raw.inhibit_rules)) fail(`${path}.inhibit_rules`, 'must be a list');
    else {
      raw.inhibit_rules.forEach((r, i) => {
        const p = `${path}.inhibit_rules[${i}]`;
        if (!isObj(r)) {
          fail(p, 'must be a mapping with source_matchers, target_matchers and equal');
          return;
        }
        for (const k of Object.keys(r)) {
          if (!RULE_KEYS.includes(k)) {
            fail(`${p}.${k}`, `unknown key (expected one of ${RULE_KEYS.join(', ')})`);
          }
        }
        inhibitRules.push({
          sourceMatchers: matchers(r.source_matchers, `${p}.source_matchers`),
          targetMatchers: matchers(r.target_matchers, `${p}.target_matchers`),
          equal:
            r.equal === undefined || r.equal === null
              ? []
              : labelNames(r.equal, `${p}.equal`, false),
        });
      });
    }
  }

  const str = (key: string, def: string): string => {
    const v = raw[key];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'string') {
      fail(`${path}.${key}`, 'must be a string');
      return def;
    }
    return v;
  };
  const externalUrl = str('external_url', '');
  const defaultSeverity = str('default_severity', DEFAULT_SEVERITY);
  if (defaultSeverity === '') fail(`${path}.default_severity`, 'must not be empty');

  const webhookUrls: string[] = [];
  if (raw.webhook_urls !== undefined && raw.webhook_urls !== null) {
    if (!Array.isArray(raw.webhook_urls)) fail(`${path}.webhook_urls`, 'must be a list of URLs');
    else {
      raw.webhook_urls.forEach((u, i) => {
        let ok = false;
        try {
          ok = typeof u === 'string' && ['http:', 'https:'].includes(new URL(u).protocol);
        } catch {
          ok = false;
        }
        if (ok) webhookUrls.push(u as string);
        else fail(`${path}.webhook_urls[${i}]`, `not an http(s) URL: ${JSON.stringify(u)}`);
      });
    }
  }

  return {
    config: {
      groupBy,
      groupWaitMs: duration('group_wait', DEFAULT_GROUP_WAIT_MS, false),
      groupIntervalMs: duration('group_interval', DEFAULT_GROUP_INTERVAL_MS, true),
      repeatIntervalMs: duration('repeat_interval', DEFAULT_REPEAT_INTERVAL_MS, true),
      resolveTimeoutMs: duration('resolve_timeout', DEFAULT_RESOLVE_TIMEOUT_MS, true),
      inhibitRules,
      externalUrl,
      defaultSeverity,
      webhookUrls,
    },
    issues,
  };
};

export type { AlertingConfig, InhibitRule };
export {
  DEFAULT_ALERTING_CONFIG,
  DEFAULT_GROUP_INTERVAL_MS,
  DEFAULT_GROUP_WAIT_MS,
  DEFAULT_REPEAT_INTERVAL_MS,
  DEFAULT_RESOLVE_TIMEOUT_MS,
  DEFAULT_SEVERITY,
  GROUP_BY_ALL,
  validateAlertingConfig,
};
