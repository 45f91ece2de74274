/**
 * The `alerting:` section of `vigil.config.yaml`: Alertmanager's root-route grouping and timing
 * options plus inhibit rules. Durations are Prometheus durations (`30s`, `5m`, `4h`).
 * @see https://prometheus.io/docs/alerting/latest/configuration/#route
 * @see https://prometheus.io/docs/alerting/latest/configuration/#inhibit_rule
 */
import type { ConfigIssue } from '../config/issues';
import { fail, type Infer, list, mapping, runSchema, show, str, z } from '../config/schema-kit';
import { parseDurationMs } from '../promql/lexical';
import { LABEL_NAME_RE } from '../series/labels';
import type { LabelMatcher } from '../series/matchers';
import {
  DEFAULT_GROUP_INTERVAL_MS,
  DEFAULT_GROUP_WAIT_MS,
  DEFAULT_REPEAT_INTERVAL_MS,
  DEFAULT_RESOLVE_TIMEOUT_MS,
  DEFAULT_SEVERITY,
  GROUP_BY_ALL,
} from './defaults';
import { alertmanagersSchema } from './alertmanagers-config';
import { AlertMatcherParseError, parseAlertMatchers } from './matchers';

/** Label names without repeats; `...` (every label) only where `allowAll`. */
const labelNames = (allowAll: boolean) =>
  z.array(z.unknown(), { error: 'must be a list of label names' }).transform((names, ctx) => {
    const out: string[] = [];
    names.forEach((n, i) => {
      if (typeof n !== 'string' || (!LABEL_NAME_RE.test(n) && !(allowAll && n === GROUP_BY_ALL)))
        fail(ctx, `invalid label name ${show(n)}`, [i]);
      else if (out.includes(n)) fail(ctx, `duplicated label ${show(n)}`, [i]);
      else out.push(n);
    });
    if (allowAll && out.includes(GROUP_BY_ALL) && out.length > 1)
      fail(ctx, 'cannot have wildcard group_by (`...`) and other labels at the same time');
    return out;
  });

/** Alertmanager matcher lines (`severity="critical"`, `{a=~"x", b!="y"}`), parsed. */
const matcherLines = z
  .array(z.string({ error: 'must be a string like severity="critical"' }), {
    error: 'must be a list of matchers like severity="critical"',
  })
  .transform((lines, ctx) =>
    lines.flatMap((line, i): LabelMatcher[] => {
      try {
        return parseAlertMatchers(line);
      } catch (e) {
        if (!(e instanceof AlertMatcherParseError)) throw e;
        fail(ctx, e.message, [i]);
        return [];
      }
    }),
  );

/** An Alertmanager duration; `key` names it in the zero-refusal message. */
const alertDuration = (key: string, def: number, nonZero: boolean) =>
  z
    .string({ error: (i) => `not a valid duration: ${show(i.input)} (e.g. 30s, 5m, 4h)` })
    .transform((v, ctx) => {
      const ms = parseDurationMs(v);
      if (ms === undefined) fail(ctx, `not a valid duration: ${show(v)} (e.g. 30s, 5m, 4h)`);
      else if (nonZero && ms === 0) fail(ctx, `${key} cannot be zero`);
      return ms ?? def;
    })
    .default(def);

const httpUrl = z.unknown().superRefine((u, ctx) => {
  let ok = false;
  try {
    ok = typeof u === 'string' && ['http:', 'https:'].includes(new URL(u).protocol);
  } catch {
    ok = false;
  }
  if (!ok) fail(ctx, `not an http(s) URL: ${show(u)}`);
}) as unknown as z.ZodString;

/**
 * `alerting:`. Checks mirror Alertmanager's config loader: durations parse, `group_interval` and
 * `repeat_interval` are not zero, `...` stands alone in `group_by`, no duplicate or invalid label
 * names, matchers parse.
 */
const alertingSchema = mapping({
  /** Label names alerts are grouped by; `['...']` means every label. */
  group_by: labelNames(true).default(['alertname']),
  inhibit_rules: list(
    mapping(
      {
        source_matchers: matcherLines.default([]),
        target_matchers: matcherLines.default([]),
        /** Labels that must have equal values in source and target (absent = `''`). */
        equal: labelNames(false).default([]),
      },
      'must be a mapping with source_matchers, target_matchers and equal',
    ).transform((r) => ({
      sourceMatchers: r.source_matchers,
      targetMatchers: r.target_matchers,
      equal: r.equal,
    })),
  ).default([]),
  /** Wait before the first notification of a new group. */
  group_wait: alertDuration('group_wait', DEFAULT_GROUP_WAIT_MS, false),
  /** Wait before notifying about changes in a group already notified. */
  group_interval: alertDuration('group_interval', DEFAULT_GROUP_INTERVAL_MS, true),
  /** Wait before re-sending an unchanged notification. */
  repeat_interval: alertDuration('repeat_interval', DEFAULT_REPEAT_INTERVAL_MS, true),
  /** An alert received without `endsAt` is resolved if not refreshed within this. */
  resolve_timeout: alertDuration('resolve_timeout', DEFAULT_RESOLVE_TIMEOUT_MS, true),
  /** `externalURL` of webhook payloads (the API's public URL). */
  external_url: str('must be a string').default(''),
  /** Severity of a notification without a common `severity` label. */
  default_severity: str('must be a string')
    .refine((s) => s !== '', 'must not be empty')
    .default(DEFAULT_SEVERITY),
  /**
   * Local mode only (`npm start`): webhook receivers (http/https URLs) that get every
   * notification as Alertmanager's webhook payload, besides the console.
   */
  webhook_urls: list(httpUrl, 'must be a list of URLs').default([]),
  /**
   * Alertmanagers that also get every alert the rules send (API v2, resent while firing, as
   * Prometheus sends them): URLs, or mappings with url, timeout, basic_auth, authorization.
   */
  alertmanagers: alertmanagersSchema.default([]),
})
  .prefault({})
  .transform((a) => ({
    groupBy: a.group_by,
    groupWaitMs: a.group_wait,
    groupIntervalMs: a.group_interval,
    repeatIntervalMs: a.repeat_interval,
    resolveTimeoutMs: a.resolve_timeout,
    inhibitRules: a.inhibit_rules,
    externalUrl: a.external_url,
    defaultSeverity: a.default_severity,
    webhookUrls: a.webhook_urls,
    alertmanagers: a.alertmanagers,
  }));

/** The validated `alerting:` section, defaults filled in, durations in ms. */
type AlertingConfig = Infer<typeof alertingSchema>;
/** One inhibit rule, matchers parsed. */
type InhibitRule = AlertingConfig['inhibitRules'][number];

/** The config with every default, for tests and for a file without an `alerting:` section. */
const DEFAULT_ALERTING_CONFIG: AlertingConfig = Object.freeze(alertingSchema.parse(undefined));

/**
 * Validates the raw (YAML-parsed) `alerting:` section: the typed config with defaults and every
 * issue found, each with its dotted path (`alerting.inhibit_rules[0].equal[1]`).
 * @param raw the value under `alerting:` (`undefined` for defaults)
 * @param path path prefix used in issues. @default 'alerting'
 * @example validateAlertingConfig({ group_wait: '10s' }).config.groupWaitMs // 10000
 */
const validateAlertingConfig = (
  raw: unknown,
  path = 'alerting',
): { config: AlertingConfig; issues: ConfigIssue[] } =>
  runSchema(alertingSchema, raw, path, () => DEFAULT_ALERTING_CONFIG as never);

export type { AlertingConfig, InhibitRule };
export {
  alertingSchema,
  DEFAULT_ALERTING_CONFIG,
  DEFAULT_GROUP_INTERVAL_MS,
  DEFAULT_GROUP_WAIT_MS,
  DEFAULT_REPEAT_INTERVAL_MS,
  DEFAULT_RESOLVE_TIMEOUT_MS,
  DEFAULT_SEVERITY,
  GROUP_BY_ALL,
  validateAlertingConfig,
};
