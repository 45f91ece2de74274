import { createError } from '@middy/util';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type DriftReport, parseReportId } from '../domain/drift/report';
import { driftReportHtml } from '../domain/drift/report-html';
import { BadRequestError } from '../domain/errors';
import type { Clock } from '../domain/ports';
import type { DriftReportStore } from '../domain/drift/report-store';
import { ErrorFormat } from '../shared/middleware/map-domain-errors';
import { withMiddlewares } from '../shared/with-middlewares';
import { requestParams } from './request-params';
import { decodePathSegment } from '../domain/http/percent-decoding';

/** Reports listed when `limit` is absent. */
const DEFAULT_LIST_LIMIT = 20;
/** Most reports one list call returns (each is read to summarise it). */
const MAX_LIST_LIMIT = 100;
const MONITOR_RE = /^[a-zA-Z0-9_-]{1,64}$/;

/** What running a monitor now answered: done (local), or started asynchronously (AWS). */
type MonitorRunStarted =
  | { readonly status: 'done'; readonly report: DriftReport }
  | { readonly status: 'accepted'; readonly id: string };

/** What the drift reports API needs. */
interface DriftReportsApiDeps {
  readonly reports: DriftReportStore;
  /** Names of the configured monitors. */
  readonly monitors: readonly string[];
  /**
   * Runs a monitor at `runAtMs` (`POST /api/drift/monitors/{name}/run`): locally to the end,
   * on AWS by invoking the drift function asynchronously.
   */
  readonly runMonitor: (name: string, runAtMs: number) => Promise<MonitorRunStarted>;
  readonly clock: Clock;
}

const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const notFound = (message: string) =>
  createError(404, JSON.stringify({ status: 'error', errorType: 'not_found', error: message }), {
    expose: true,
  });

const html = (body: string): APIGatewayProxyResult => ({
  statusCode: 200,
  headers: { 'Content-Type': 'text/html; charset=utf-8' },
  body,
});

/**
 * `GET /api/drift/reports/{id}.html`: the stored page, or one rendered from the JSON report when
 * the report was stored without a page.
 */
const reportPage = async (deps: DriftReportsApiDeps, id: string) => {
  parseReportId(id);
  const stored = await deps.reports.getHtml(id);
  if (stored !== undefined) return html(stored);
  const report = await deps.reports.get(id);
  if (!report) throw notFound(`drift report ${id} not found`);
  return html(driftReportHtml(report));
};

/** A report as listed: the verdicts, without the bins. */
const summarise = (r: DriftReport) => ({
  id: r.id,
  monitor: r.monitor,
  runAt: r.runAt,
  dataset_drift: r.dataset_drift,
  share_drifted: r.share_drifted,
  features: r.features.map((f) => ({
    feature: f.feature,
    method: f.method,
    statistic: f.statistic,
    p_value: f.p_value,
    drift: f.drift,
  })),
});

const parseLimit = (raw: string | null): number => {
  if (raw === null || raw === '') return DEFAULT_LIST_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIST_LIMIT) {
    throw new BadRequestError(
      `invalid parameter "limit": must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
};

/** `GET /api/drift/reports?monitor=&limit=`: newest first. */
const listReports = async (deps: DriftReportsApiDeps, params: URLSearchParams) => {
  const monitor = params.get('monitor') ?? undefined;
  if (monitor !== undefined && !MONITOR_RE.test(monitor)) {
    throw new BadRequestError(
      `invalid parameter "monitor": ${JSON.stringify(monitor)} is not a monitor name`,
    );
  }
  const limit = parseLimit(params.get('limit'));
  const summaries = await deps.reports.list({
    ...(monitor === undefined ? {} : { monitor }),
    limit,
  });
  const reports = await Promise.all(summaries.map((s) => deps.reports.get(s.id)));
  return json(200, {
    status: 'success',
    data: { reports: reports.filter((r): r is DriftReport => r !== undefined).map(summarise) },
  });
};

/**
 * The drift reports API: `GET /api/drift/reports` (`monitor`, `limit` 1–100, default 20; newest
 * first), `GET /api/drift/reports/{id}` (the whole report, with bins),
 * `GET /api/drift/reports/{id}.html` (its HTML page, `text/html; charset=utf-8`) and
 * `POST /api/drift/monitors/{name}/run` (run a monitor now: 200 with the report locally, 202 with
 * its id on AWS).
 */
const makeDriftReportsHandler = (deps: DriftReportsApiDeps) =>
  withMiddlewares(
    async (event: APIGatewayProxyEvent) => {
      const params = requestParams(event);
      const path = event.path.replace(/\/+$/, '');
      if (path === '/api/drift/reports') return listReports(deps, params);
      const report = /^\/api\/drift\/reports\/([^/]+)$/.exec(path);
      if (report) {
        const id = decodePathSegment(report[1] as string, 'path parameter "id"');
        if (id.endsWith('.html')) return reportPage(deps, id.slice(0, -'.html'.length));
        const found = await deps.reports.get(id);
        if (!found) throw notFound(`drift report ${id} not found`);
        return json(200, { status: 'success', data: found });
      }
      const run = /^\/api\/drift\/monitors\/([^/]+)\/run$/.exec(path);
      if (run) {
        const name = decodePathSegment(run[1] as string, 'path parameter "name"');
        if (!deps.monitors.includes(name)) throw notFound(`drift monitor ${name} not configured`);
        const started = await deps.runMonitor(name, deps.clock.now());
        return started.status === 'done'
          ? json(200, { status: 'success', data: started.report })
          : json(202, { status: 'success', data: { id: started.id } });
      }
      throw new BadRequestError(`unknown drift endpoint ${path}`);
    },
    { errorFormat: ErrorFormat.Prometheus },
  );

export type { DriftReportsApiDeps, MonitorRunStarted };
export { makeDriftReportsHandler };
