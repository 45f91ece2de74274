import { makeScrapeTargetsHandler } from '../api/scrape-targets';
import { awsScrapeTargetsApiDeps } from '../wiring/aws-scrape-deps';

/** Lambda entry point of `GET /api/v1/targets` (jobs from `VIGIL_SCRAPE_JOBS`, state read-only). */
export const handler = makeScrapeTargetsHandler(awsScrapeTargetsApiDeps());
