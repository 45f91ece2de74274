import type { ScheduledEvent } from 'aws-lambda';
import { type RescrapeSummary, runPushRescrape } from '../domain/pushgateway/push-rescrape';
import { awsRescrapeDeps } from '../wiring/rescrape-deps';
import { countMetric, IN_LAMBDA, logger, metrics, withLogContext } from '../shared/powertools';
import { VigilMetric } from '../shared/vigil-metrics';

const deps = awsRescrapeDeps();

/**
 * Lambda entry point of the Pushgateway re-emission (EventBridge rule every minute, `store:
 * amp` only): writes the samples a Prometheus scraping the Pushgateway every
 * `pushgateway.scrapeIntervalSeconds` would have recorded in the past minute, for every current
 * pushed series. A store failure fails the run (that minute stays a gap, as a missed scrape).
 */
const run = async (event: ScheduledEvent): Promise<RescrapeSummary> => {
  try {
    const summary = await runPushRescrape(deps, Date.now());
    countMetric(VigilMetric.PushRescrapeSamples, summary.samples);
    logger.info('pushed groups re-emitted', { scheduledAt: event.time, ...summary });
    return summary;
  } catch (err) {
    logger.error('pushed groups re-emission failed', err as Error);
    throw err;
  } finally {
    // No middy `logMetrics` on a scheduled function: flush this invocation's EMF metrics here.
    if (IN_LAMBDA) metrics.publishStoredMetrics();
  }
};

export const handler = withLogContext(run, (e: ScheduledEvent) => e.id);
