import type { ScheduledEvent } from 'aws-lambda';
import type { ScrapeRunSummary } from '../domain/scrape/scrape-run';
import { runScrape } from '../domain/scrape/scrape-run';
import { awsScrapeDeps } from '../wiring/aws-scrape-deps';
import { countMetric, IN_LAMBDA, logger, metrics, withLogContext } from '../shared/powertools';
import { VigilMetric } from '../shared/vigil-metrics';

const deps = awsScrapeDeps();

/**
 * Lambda entry point of the scheduled scrape (EventBridge rule at the jobs' shortest interval,
 * reserved concurrency 1): scrapes every due target and stores its samples, `up` and `scrape_*`
 * series. A target's failure is its `up` 0 (counted in `ScrapeFailures`); only a store failure
 * fails the run.
 */
const run = async (event: ScheduledEvent): Promise<ScrapeRunSummary> => {
  try {
    const summary = await runScrape(deps, Date.now());
    countMetric(VigilMetric.ScrapeTargets, summary.targets);
    countMetric(VigilMetric.ScrapeFailures, summary.failures);
    logger.info('targets scraped', { scheduledAt: event.time, ...summary });
    return summary;
  } catch (err) {
    logger.error('scrape run failed', err as Error);
    throw err;
  } finally {
    // No middy `logMetrics` on a scheduled function: flush this invocation's EMF metrics here.
    if (IN_LAMBDA) metrics.publishStoredMetrics();
  }
};

export const handler = withLogContext(run, (e: ScheduledEvent) => e.id);
