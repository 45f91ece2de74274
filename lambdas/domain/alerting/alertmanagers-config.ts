/**
 * `alerting.alertmanagers`: the Alertmanagers that also get every alert Vigil's rules send, through
 * their API v2, as Prometheus's `alerting.alertmanagers` does. An entry is a URL, or a mapping with
 * the parts of Prometheus's `alertmanager_config` that matter here: `url` (scheme, host, port and
 * path prefix in one), `timeout`, `basic_auth` or `authorization`.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#alertmanager_config
 */
import type { ConfigIssue } from '../config/issues';
import { fail, list, mapping, show, z } from '../config/schema-kit';
import { parseDurationMs } from '../promql/lexical';
import { type CredentialSource, httpAuthSchemas } from '../config/http-auth';
import type { AlertmanagerTarget } from './alertmanager-client';

/** Prometheus's `alertmanager_config.timeout` default. */
const DEFAULT_ALERTMANAGER_TIMEOUT_MS = 10_000;

/** The endpoint Prometheus posts to (`notifier.go` `postPath`, API v2). */
const ALERTS_PATH = '/api/v2/alerts';

const { basicAuth: basicAuthSchema, authorization: authorizationSchema } = httpAuthSchemas([
  'inline',
  'file',
  'secret',
  'parameter',
]);

/**
 * The POST URL of an Alertmanager base URL (`path.Join("/", prefix, "/api/v2/alerts")`), or the
 * reason it cannot be one.
 */
const alertsUrlOf = (raw: unknown): { alertsUrl: string } | { error: string } => {
  let u: URL;
  try {
    if (typeof raw !== 'string') throw new TypeError();
    u = new URL(raw);
  } catch {
    return { error: `not an http(s) URL: ${show(raw)}` };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return { error: `not an http(s) URL: ${show(raw)}` };
  if (u.username !== '' || u.password !== '')
    return { error: 'must not hold credentials: use basic_auth or authorization' };
  if (u.search !== '' || u.hash !== '')
    return { error: `must have no query or fragment, got ${show(raw)}` };
  const prefix = u.pathname.replace(/\/+$/, '');
  if (prefix.endsWith(ALERTS_PATH))
    return {
      error: `give the Alertmanager's base URL (with its path prefix, if any), without ${ALERTS_PATH}`,
    };
  return { alertsUrl: `${u.origin}${prefix}${ALERTS_PATH}` };
};

const url = z.unknown().transform((raw, ctx) => {
  const r = alertsUrlOf(raw);
  if ('error' in r) {
    fail(ctx, r.error);
    return z.NEVER;
  }
  return { url: raw as string, alertsUrl: r.alertsUrl };
});

const timeout = z
  .string({ error: (i) => `must be a positive duration like 10s, got ${show(i.input)}` })
  .transform((v, ctx) => {
    const ms = parseDurationMs(v);
    if (ms === undefined || !(ms > 0)) {
      fail(ctx, `must be a positive duration like 10s, got ${show(v)}`);
      return z.NEVER;
    }
    return ms;
  });

const entryMapping = mapping(
  {
    url,
    timeout: timeout.optional(),
    basic_auth: basicAuthSchema.optional(),
    authorization: authorizationSchema.optional(),
  },
  'must be a URL or a mapping with url, timeout, basic_auth or authorization',
).transform((e, ctx): AlertmanagerTarget => {
  if (e.basic_auth && e.authorization) {
    fail(ctx, 'at most one of basic_auth and authorization may be given');
    return z.NEVER;
  }
  return {
    ...e.url,
    timeoutMs: e.timeout ?? DEFAULT_ALERTMANAGER_TIMEOUT_MS,
    ...(e.basic_auth ? { basicAuth: e.basic_auth } : {}),
    ...(e.authorization ? { authorization: e.authorization } : {}),
  };
});

/** `alerting.alertmanagers`: URLs (read as `{url: …}`) or mappings; each distinct URL once. */
const alertmanagersSchema = list(
  z.preprocess((raw) => (typeof raw === 'string' ? { url: raw } : raw), entryMapping),
  'must be a list of Alertmanager URLs',
).transform((targets, ctx) => {
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    if (seen.has(t.alertsUrl)) fail(ctx, `duplicated Alertmanager ${show(t.url)}`, [i]);
    seen.add(t.alertsUrl);
  });
  return targets;
});

const credentialsOf = (t: AlertmanagerTarget): [string, CredentialSource][] => [
  ...(t.basicAuth
    ? [['basic_auth.password', t.basicAuth.password] as [string, CredentialSource]]
    : []),
  ...(t.authorization
    ? [['authorization.credentials', t.authorization.credentials] as [string, CredentialSource]]
    : []),
];

/**
 * What a deployment adds: credentials from Secrets Manager or SSM Parameter Store only. The
 * `alerting:` section travels in the evaluator's bundle, so an inline password would be readable
 * by whoever can read the function's code, and a file does not exist in Lambda.
 */
const deployedAlertmanagerIssues = (targets: readonly AlertmanagerTarget[]): ConfigIssue[] =>
  targets.flatMap((t, i) =>
    credentialsOf(t)
      .filter(([, source]) => source.kind === 'inline' || source.kind === 'file')
      .map(([name, source]) => {
        const key = name.split('.')[1] as string;
        return {
          path: `alerting.alertmanagers[${i}].${name}${source.kind === 'file' ? '_file' : ''}`,
          message: `use ${key}_secret: <Secrets Manager secret name or ARN> or ${key}_parameter: <SSM parameter name> when deployed (secrets are never stored in the function's bundle)`,
        };
      }),
  );

/** The Secrets Manager secrets and SSM parameters the Alertmanager credentials name. */
const referencedAlertmanagerCredentials = (
  targets: readonly AlertmanagerTarget[],
): { secrets: string[]; parameters: string[] } => {
  const secrets = new Set<string>();
  const parameters = new Set<string>();
  for (const t of targets)
    for (const [, s] of credentialsOf(t)) {
      if (s.kind === 'secret') secrets.add(s.secretId);
      if (s.kind === 'parameter') parameters.add(s.name);
    }
  return { secrets: [...secrets].sort(), parameters: [...parameters].sort() };
};

export {
  alertmanagersSchema,
  alertsUrlOf,
  DEFAULT_ALERTMANAGER_TIMEOUT_MS,
  deployedAlertmanagerIssues,
  referencedAlertmanagerCredentials,
};
