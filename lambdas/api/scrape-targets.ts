/**
 * `GET /api/v1/targets`: Prometheus's targets API over the configured scrape jobs and the state
 * their scrapes left (health, last scrape, duration, last error).
 * @see https://prometheus.io/docs/prometheus/latest/querying/api/#targets
 */
import { loadRegexEngineForRelabel } from '../domain/scrape/relabel';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { goTimeJSON } from '../domain/alerting/label-set';
import { BadRequestError } from '../domain/errors';
import type { AlertStateStore } from '../domain/ports';
import type { ScrapeJobConfig } from '../domain/scrape/scrape-config';
import { TargetHealth, type TargetScrapeState } from '../domain/scrape/scrape-result';
import { targetStateKey } from '../domain/scrape/scrape-run';
import { resolveJobTargets } from '../domain/scrape/scrape-target';
import { ErrorFormat } from '../shared/middleware/map-domain-errors';
import { withMiddlewares } from '../shared/with-middlewares';
import { requestParams } from './request-params';
import { prometheusSuccess } from './responses';

/** What the targets endpoint needs. */
interface ScrapeTargetsApiDeps {
  readonly jobs: readonly ScrapeJobConfig[];
  /** The per-target state documents the scrape run saves. */
  readonly state: AlertStateStore;
}

const STATES = ['active', 'dropped', 'any'] as const;

/** The targets document, filtered by `state` (active | dropped | any) and `scrapePool`. */
const targets = async (deps: ScrapeTargetsApiDeps, params: URLSearchParams) => {
  const state = params.get('state') ?? 'any';
  if (!(STATES as readonly string[]).includes(state))
    throw new BadRequestError(`invalid state ${JSON.stringify(state)}: use active, dropped or any`);
  const pool = params.get('scrapePool');
  const jobs = deps.jobs.filter((j) => pool === null || pool === '' || j.jobName === pool);
  await loadRegexEngineForRelabel(jobs.flatMap((j) => j.relabelConfigs));
  const activeTargets: unknown[] = [];
  const droppedTargets: unknown[] = [];
  const droppedTargetCounts: Record<string, number> = {};
  for (const job of jobs) {
    const { active, dropped } = resolveJobTargets(job);
    droppedTargetCounts[job.jobName] = dropped.length;
    if (state !== 'active')
      for (const labels of dropped)
        droppedTargets.push({ discoveredLabels: labels, scrapePool: job.jobName });
    if (state === 'dropped') continue;
    for (const t of active) {
      const doc = (await deps.state.load(targetStateKey(t)))?.state as
        | TargetScrapeState
        | undefined;
      activeTargets.push({
        discoveredLabels: t.discoveredLabels,
        labels: t.labels,
        scrapePool: job.jobName,
        scrapeUrl: t.url,
        globalUrl: t.url,
        lastError: doc?.lastError ?? '',
        lastScrape: goTimeJSON(doc?.lastScrapeMs ?? 0),
        lastScrapeDuration: (doc?.lastScrapeDurationMs ?? 0) / 1000,
        health: doc?.health ?? TargetHealth.Unknown,
        scrapeInterval: job.scrapeInterval,
        scrapeTimeout: job.scrapeTimeout,
      });
    }
  }
  return prometheusSuccess({ activeTargets, droppedTargets, droppedTargetCounts });
};

/**
 * The endpoint, in the shared middleware chain (Prometheus error bodies).
 * @param deps - the jobs and the scrape state store
 */
const makeScrapeTargetsHandler = (deps: ScrapeTargetsApiDeps) =>
  withMiddlewares(
    async (event: APIGatewayProxyEvent) => {
      const path = event.path.replace(/\/+$/, '');
      if (path !== '/api/v1/targets') throw new BadRequestError(`unknown targets endpoint ${path}`);
      return targets(deps, requestParams(event));
    },
    { errorFormat: ErrorFormat.Prometheus },
  );

export type { ScrapeTargetsApiDeps };
export { makeScrapeTargetsHandler };
