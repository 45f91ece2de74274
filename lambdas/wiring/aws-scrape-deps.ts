/**
 * The AWS adapters of the scheduled scrape function, built from the environment the
 * `ScrapeTargets` construct sets: the jobs (a file in the bundle named by `ENV.SCRAPE_JOBS`), the samples table and series
 * index (through `awsIngestPorts`, so limits, cardinality guard and CloudWatch mirror apply), the
 * alert-state table for per-target state, and Secrets Manager for `*_secret` credentials
 * (`aws-credentials.ts`; never logged).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpScraper } from '../adapters/scrape/http-scraper';
import type { ScrapeTargetsApiDeps } from '../api/scrape-targets';
import type { ScrapeJobConfig } from '../domain/scrape/scrape-config';
import type { ScrapeRunDeps } from '../domain/scrape/scrape-run';
import { loadRuntimeConfig, requireEnv } from '../shared/config';
import { ENV } from '../shared/env';
import { logger } from '../shared/powertools';
import { VIGIL_VERSION } from '../shared/version';
import { awsCredentialReaders } from './aws-credentials';
import { awsAlertStateStore, systemClock } from './aws-deps';
import { awsIngestPorts } from './ingest-deps';

/** The jobs file's content: the validated jobs as a JSON list. */
const parseScrapeJobs = (raw: string): ScrapeJobConfig[] => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new Error(`the scrape jobs file (${ENV.SCRAPE_JOBS}) is not JSON`, { cause: err });
  }
  if (!Array.isArray(parsed))
    throw new Error(`the scrape jobs file (${ENV.SCRAPE_JOBS}) must be a JSON list of jobs`);
  return parsed as ScrapeJobConfig[];
};

/**
 * The jobs the CDK construct copied next to the handler bundle (not in the environment: Lambda's
 * variables hold 4 KB in all); `ENV.SCRAPE_JOBS` is its path relative to the bundle's directory.
 */
const loadScrapeJobsFromEnv = (
  baseDir: string = dirname(fileURLToPath(import.meta.url)),
): ScrapeJobConfig[] =>
  parseScrapeJobs(
    readFileSync(resolve(baseDir, requireEnv(ENV.SCRAPE_JOBS, 'scrape jobs file')), 'utf8'),
  );

/** Everything the scheduled scrape needs, on Timestream, DynamoDB and Secrets Manager. */
const awsScrapeDeps = (): ScrapeRunDeps => {
  const config = loadRuntimeConfig();
  return {
    jobs: loadScrapeJobsFromEnv(),
    scraper: new HttpScraper({
      readSecret: awsCredentialReaders().readSecret,
      userAgent: `Vigil/${VIGIL_VERSION}`,
    }),
    ingest: awsIngestPorts(config),
    config,
    state: awsAlertStateStore(requireEnv(ENV.ALERT_STATE_TABLE, 'alert state table')),
    clock: systemClock,
    log: { warn: (message, attributes) => logger.warn(message, { ...attributes }) },
  };
};

/** What `GET /api/v1/targets` needs: the jobs and the alert-state table (read only). */
const awsScrapeTargetsApiDeps = (): ScrapeTargetsApiDeps => ({
  jobs: loadScrapeJobsFromEnv(),
  state: awsAlertStateStore(requireEnv(ENV.ALERT_STATE_TABLE, 'alert state table')),
});

export { awsScrapeDeps, awsScrapeTargetsApiDeps, loadScrapeJobsFromEnv, parseScrapeJobs };
