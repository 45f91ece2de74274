/**
 * Local mode's scrape loop: one timer per job at its `scrape_interval`, each tick running the
 * same `runScrape` the scheduled function runs (only that job, one run at a time per job).
 */
import { HttpScraper } from '../adapters/scrape/http-scraper';
import type { ScrapeJobConfig } from '../domain/scrape/scrape-config';
import { runScrape, type ScrapeRunDeps } from '../domain/scrape/scrape-run';
import { logger } from '../shared/powertools';
import { VIGIL_VERSION } from '../shared/version';

/**
 * Starts scraping every job on its own interval (first scrape right away). Returns a function
 * that stops the timers and waits for running scrapes to end.
 * @param deps - everything but `jobs` and `scraper` (an `HttpScraper` by default)
 * @param jobs - the configured jobs
 */
const startLocalScraper = (
  deps: Omit<ScrapeRunDeps, 'jobs' | 'scraper'> & { readonly scraper?: ScrapeRunDeps['scraper'] },
  jobs: readonly ScrapeJobConfig[],
): (() => Promise<void>) => {
  const scraper = deps.scraper ?? new HttpScraper({ userAgent: `Vigil/${VIGIL_VERSION}` });
  const log = deps.log ?? {
    warn: (message, attributes) => logger.warn(message, { ...attributes }),
  };
  const running = new Set<Promise<void>>();
  const timers = jobs.map((job) => {
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      const run = runScrape({ ...deps, scraper, log, jobs: [job] }, deps.clock.now())
        .then(() => undefined)
        .catch((err: unknown) => {
          logger.error('scrape run failed', { job: job.jobName, error: (err as Error).message });
        })
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    return { first: setImmediate(tick), every: setInterval(tick, job.scrapeIntervalMs) };
  });
  return async () => {
    for (const t of timers) {
      clearImmediate(t.first);
      clearInterval(t.every);
    }
    await Promise.all([...running]);
  };
};

export { startLocalScraper };
