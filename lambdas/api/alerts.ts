import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { goTimeJSON } from '../domain/alerting/label-set';
import { parseAlertMatchers } from '../domain/alerting/matchers';
import {
  GO_SYNTAX,
  loadRegexEngine,
  needsRegexEngine,
  RegexEngineNotLoadedError,
  withRegexEngine,
} from '../domain/regex/re2';
import {
  createSilence,
  expireSilence,
  listSilences,
  SilenceNotFoundError,
  toGettableSilence,
} from '../domain/alerting/silences';
import { BadRequestError } from '../domain/errors';
import type { AlertStateStore, Clock } from '../domain/ports';
import {
  type ActiveAlertJSON,
  AlertState,
  type GroupStateJSON,
  type RuleStateJSON,
  groupRuleStateKeys,
} from '../domain/rules/alert-state';
import type { GroupStateDoc } from '../domain/rules/evaluation-run';
import { loadSilences, updateSilences } from '../domain/alerting/silences-document';
import {
  groupStateDocKey,
  type RulesDocument,
  type RulesDocumentGroup,
} from '../domain/rules/rules-document';
import { formatFloat } from '../domain/templates/go-float';
import { ErrorFormat } from '../shared/middleware/map-domain-errors';
import type { RawBodyEvent } from '../shared/middleware/raw-body';
import { withMiddlewares } from '../shared/with-middlewares';
import { requestParams } from './request-params';
import { prometheusSuccess } from './responses';
import { decodePathSegment } from '../domain/http/percent-decoding';

/** What the alerts, rules and silences endpoints need. */
interface AlertsApiDeps {
  readonly state: AlertStateStore;
  readonly document: RulesDocument;
  readonly clock: Clock;
  /** New silence ids. @default crypto.randomUUID */
  readonly newId?: () => string;
}

/** Go's zero `time.Time` in JSON: Prometheus's `lastEvaluation` of a rule never evaluated. */
const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/** Prometheus's alert value in the API: `strconv.FormatFloat(v, 'e', -1, 64)`. */
const alertValue = (v: ActiveAlertJSON['value']): string =>
  typeof v === 'number' ? formatFloat(v, 'e', -1) : v;

/** An active alert in `/api/v1/alerts` and `/api/v1/rules` (`v1.Alert`). */
const apiAlert = (a: ActiveAlertJSON) => ({
  labels: a.labels,
  annotations: a.annotations,
  state: a.state,
  activeAt: goTimeJSON(a.activeAtMs),
  ...(a.keepFiringSinceMs === undefined
    ? {}
    : { keepFiringSince: goTimeJSON(a.keepFiringSinceMs) }),
  value: alertValue(a.value),
});

/** Pending and firing alerts of a rule (inactive ones kept for resolved notifications are not shown). */
const activeAlerts = (r: RuleStateJSON | undefined): ActiveAlertJSON[] =>
  Object.values(r?.alerts ?? {}).filter((a) => a.state !== AlertState.Inactive);

const loadGroupState = async (
  deps: AlertsApiDeps,
  group: RulesDocumentGroup,
): Promise<GroupStateDoc | undefined> => {
  const doc = (await deps.state.load(groupStateDocKey(group)))?.state as GroupStateDoc | undefined;
  return doc?.state === undefined ? undefined : doc;
};

/** The state of each rule of a group, in file order (keys as the evaluator computes them). */
const rulesWithState = (group: RulesDocumentGroup, state: GroupStateJSON | undefined) => {
  const keys = groupRuleStateKeys(group.rules);
  return group.rules.map((rule, i) => ({ rule, state: state?.rules[keys[i] as string] }));
};

const STATE_RANK: Readonly<Record<string, number>> = { inactive: 0, pending: 1, firing: 2 };

/**
 * `GET /api/v1/rules` (`type=alert|record` filters by rule type).
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/#rules
 */
const rules = async (deps: AlertsApiDeps, params: URLSearchParams) => {
  const type = params.get('type');
  if (type !== null && type !== '' && type !== 'alert' && type !== 'record') {
    throw new BadRequestError(`unsupported type ${JSON.stringify(type)}`);
  }
  const groups = [];
  for (const group of deps.document.groups) {
    const doc = await loadGroupState(deps, group);
    const out = [];
    for (const { rule, state } of rulesWithState(group, doc?.state)) {
      const common = {
        health: state?.health ?? 'unknown',
        ...(state?.lastError === undefined ? {} : { lastError: state.lastError }),
        evaluationTime: (state?.evaluationTimeMs ?? 0) / 1000,
        lastEvaluation:
          state?.lastEvaluationMs === undefined ? GO_ZERO_TIME : goTimeJSON(state.lastEvaluationMs),
      };
      if ('alert' in rule) {
        if (type === 'record') continue;
        const alerts = activeAlerts(state);
        const ruleState = alerts.reduce(
          (s, a) => ((STATE_RANK[a.state] ?? 0) > (STATE_RANK[s] ?? 0) ? a.state : s),
          AlertState.Inactive as string,
        );
        out.push({
          state: ruleState,
          name: rule.alert,
          query: rule.expr,
          duration: (rule.forMs ?? 0) / 1000,
          keepFiringFor: (rule.keepFiringForMs ?? 0) / 1000,
          labels: rule.labels ?? {},
          annotations: rule.annotations ?? {},
          alerts: alerts.map(apiAlert),
          ...common,
          type: 'alerting',
        });
      } else {
        if (type === 'alert') continue;
        out.push({
          name: rule.record,
          query: rule.expr,
          labels: rule.labels ?? {},
          ...common,
          type: 'recording',
        });
      }
    }
    if (type && out.length === 0) continue;
    groups.push({
      name: group.name,
      file: group.file,
      rules: out,
      interval: (group.intervalMs ?? deps.document.evaluation.intervalMs) / 1000,
      limit: group.limit ?? 0,
      evaluationTime: (doc?.evaluationTimeMs ?? 0) / 1000,
      lastEvaluation:
        doc?.lastEvaluationMs === undefined ? GO_ZERO_TIME : goTimeJSON(doc.lastEvaluationMs),
    });
  }
  return prometheusSuccess({ groups });
};

/**
 * `GET /api/v1/alerts`: every pending and firing alert.
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/#alerts
 */
const alerts = async (deps: AlertsApiDeps) => {
  const out = [];
  for (const group of deps.document.groups) {
    const doc = await loadGroupState(deps, group);
    for (const { state } of rulesWithState(group, doc?.state)) {
      out.push(...activeAlerts(state).map(apiAlert));
    }
  }
  return prometheusSuccess({ alerts: out });
};

const parseBody = (event: RawBodyEvent): unknown => {
  const text = event.rawBody?.toString('utf8') ?? event.body ?? '';
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('invalid JSON body');
  }
};

/** The regex matcher values of a posted silence (`createSilence` validates the rest). */
const postedPatterns = (body: unknown): string[] => {
  const matchers = (body as { matchers?: unknown } | null)?.matchers;
  if (!Array.isArray(matchers)) return [];
  return matchers.flatMap((m: unknown) => {
    const { isRegex, value } = (m ?? {}) as { isRegex?: unknown; value?: unknown };
    return isRegex === true && typeof value === 'string' ? [value] : [];
  });
};

/** Loads the RE2 engine when parsing one of the `filter=` matchers needs it. */
const loadRegexEngineFor = (filters: readonly string[]): Promise<void> =>
  withRegexEngine(() => {
    for (const f of filters) {
      try {
        parseAlertMatchers(f);
      } catch (err) {
        if (err instanceof RegexEngineNotLoadedError) throw err;
      }
    }
  });

/**
 * Alertmanager API v2 silences: list (with `filter=` matchers), create/update, get, expire.
 * @see https://github.com/prometheus/alertmanager/blob/main/api/v2/openapi.yaml
 */
const silencesRoute = async (
  deps: AlertsApiDeps,
  event: RawBodyEvent,
  params: URLSearchParams,
  id: string | undefined,
): Promise<APIGatewayProxyResult> => {
  if (id === undefined && event.httpMethod === 'GET') {
    await loadRegexEngineFor(params.getAll('filter'));
    const filter = params.getAll('filter').flatMap((f) => {
      try {
        return parseAlertMatchers(f);
      } catch (err) {
        if (err instanceof RegexEngineNotLoadedError) throw err;
        throw new BadRequestError(`bad matcher format: ${f}: ${(err as Error).message}`);
      }
    });
    return json(
      200,
      listSilences((await loadSilences(deps.state)).silences, deps.clock.now(), filter),
    );
  }
  if (id === undefined && event.httpMethod === 'POST') {
    const body = parseBody(event);
    if (postedPatterns(body).some((p) => needsRegexEngine(p, GO_SYNTAX))) await loadRegexEngine();
    const silenceID = await updateSilences(deps.state, deps.clock, (silences, nowMs) => {
      const r = createSilence(silences, body, nowMs, deps.newId ?? randomUUID);
      return { silences: r.silences, result: r.silenceID };
    });
    return json(200, { silenceID });
  }
  if (id !== undefined && event.httpMethod === 'GET') {
    const found = (await loadSilences(deps.state)).silences.find((s) => s.id === id);
    if (found === undefined) throw new SilenceNotFoundError(id);
    return json(200, toGettableSilence(found, deps.clock.now()));
  }
  if (id !== undefined && event.httpMethod === 'DELETE') {
    await updateSilences(deps.state, deps.clock, (silences, nowMs) => ({
      silences: expireSilence(silences, id, nowMs),
      result: undefined,
    }));
    return { statusCode: 200, headers: {}, body: '' };
  }
  throw new BadRequestError(`method ${event.httpMethod} not allowed`);
};

/**
 * `GET /api/v1/alerts`, `GET /api/v1/rules` (Prometheus shapes, from the evaluator's state
 * documents) and the Alertmanager v2 silences endpoints (`/api/v2/silences`,
 * `/api/v2/silence/{id}`).
 */
const makeAlertsHandler = (deps: AlertsApiDeps) =>
  withMiddlewares(
    async (event: RawBodyEvent) => {
      const params = requestParams(event);
      const path = event.path.replace(/\/+$/, '');
      if (path === '/api/v1/alerts') return alerts(deps);
      if (path === '/api/v1/rules') return rules(deps, params);
      if (path === '/api/v2/silences') return silencesRoute(deps, event, params, undefined);
      const m = /^\/api\/v2\/silence\/([^/]+)$/.exec(path);
      if (m)
        return silencesRoute(
          deps,
          event,
          params,
          decodePathSegment(m[1] as string, 'path parameter "id"'),
        );
      throw new BadRequestError(`unknown alerts endpoint ${path}`);
    },
    { errorFormat: ErrorFormat.Prometheus, rawBody: { maxBytes: 1024 * 1024 } },
  );

export type { AlertsApiDeps };
export { makeAlertsHandler };
