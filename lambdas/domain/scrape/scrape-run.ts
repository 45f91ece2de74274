/**
 * One run of the scrape schedule: every target of every due job is scraped (at most
 * `concurrency` at once), its samples, report series and staleness markers go through the one
 * ingestion pipeline (`ingestSeries`: validation, limits, cardinality guard, store, mirror), and
 * its state (previous series, health, last error) is saved for the next run and for
 * `/api/v1/targets`.
 */
import type { RuntimeConfig } from '../config/types';
import { PayloadTooLargeError } from '../errors';
import { type IngestPorts, ingestSeries } from '../ingest/ingest-series';
import type { AlertStateStore, Clock } from '../ports';
import { loadRegexEngineForRelabel } from './relabel';
import type { Scraper } from './scraper';
import type { ScrapeJobConfig } from './scrape-config';
import { type ScrapeOutcome, scrapeResult, type TargetScrapeState } from './scrape-result';
import { type ScrapeTarget, targetsOfJob } from './scrape-target';

/** Where scrape failures and refused samples are reported (the function's logger). */
interface ScrapeLog {
  warn(message: string, attributes: Readonly<Record<string, unknown>>): void;
}

/** Everything a run needs. */
interface ScrapeRunDeps {
  readonly jobs: readonly ScrapeJobConfig[];
  readonly scraper: Scraper;
  readonly ingest: IngestPorts;
  readonly config: RuntimeConfig;
  /** Per-target state documents (`scrape/<job>/<url>`). */
  readonly state: AlertStateStore;
  readonly clock: Clock;
  readonly log?: ScrapeLog;
  /** Most targets scraped at the same time. @default 16 */
  readonly concurrency?: number;
}

/** What a run did, for logs and Vigil's own metrics. */
interface ScrapeRunSummary {
  /** Targets scraped in this run. */
  readonly targets: number;
  /** Targets whose scrape failed (`up` 0). */
  readonly failures: number;
  /** Samples stored, report series and staleness markers included. */
  readonly samplesStored: number;
  /** Samples the ingestion pipeline refused (validation, cardinality, store). */
  readonly samplesRejected: number;
  /** Targets skipped because another run saved their state first. */
  readonly conflicts: number;
}

const DEFAULT_CONCURRENCY = 16;

/** The state document key of a target. */
const targetStateKey = (target: ScrapeTarget): string =>
  `scrape/${target.job.jobName}/${target.url}`;

/** Share of the interval a tick may come early and still scrape (schedule and timer jitter). */
const DUE_TOLERANCE = 0.1;

/**
 * A job is due when at least its interval has passed since the target's last scrape, less 10%
 * for the schedule's jitter: a 2m job on a 1m schedule runs every other tick, and a tick a second
 * early does not skip a whole interval.
 */
const isDue = (job: ScrapeJobConfig, nowMs: number, lastScrapeMs: number | undefined): boolean =>
  lastScrapeMs === undefined || nowMs - lastScrapeMs >= job.scrapeIntervalMs * (1 - DUE_TOLERANCE);

/** Runs `work` over `items`, at most `limit` at a time. */
const forEachLimited = async <T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/**
 * Scrapes the due targets once. A target's failure (down, timeout, bad body) is its `up` 0 and a
 * warning with the reason, never the run's failure; a store failure (throttling) propagates so
 * the scheduler's retry runs the target again (its state is saved only after its write).
 * @param deps - jobs, ports and limits
 * @param nowMs - the run's time: jobs due at it are scraped
 * @example await runScrape({ jobs, scraper, ingest, config, state, clock }, Date.now())
 */
const runScrape = async (deps: ScrapeRunDeps, nowMs: number): Promise<ScrapeRunSummary> => {
  await loadRegexEngineForRelabel(
    deps.jobs.flatMap((j) => [...j.relabelConfigs, ...j.metricRelabelConfigs]),
  );
  const targets = deps.jobs.flatMap(targetsOfJob);
  let scrapedTargets = 0;
  let failures = 0;
  let samplesStored = 0;
  let samplesRejected = 0;
  let conflicts = 0;
  await forEachLimited(targets, deps.concurrency ?? DEFAULT_CONCURRENCY, async (target) => {
    const key = targetStateKey(target);
    const loaded = await deps.state.load(key);
    const previous = loaded?.state as TargetScrapeState | undefined;
    if (!isDue(target.job, nowMs, previous?.lastScrapeMs)) return;
    const startMs = deps.clock.now();
    let outcome: ScrapeOutcome;
    try {
      const { job } = target;
      const res = await deps.scraper.scrape({
        url: target.url,
        timeoutMs: job.scrapeTimeoutMs,
        insecureSkipVerify: job.insecureSkipVerify,
        ...(job.basicAuth ? { basicAuth: job.basicAuth } : {}),
        ...(job.authorization ? { authorization: job.authorization } : {}),
      });
      outcome = { ok: true, ...res };
    } catch (err) {
      outcome = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    const durationMs = Math.max(0, deps.clock.now() - startMs);
    let result = scrapeResult(target, outcome, { startMs, durationMs }, previous);
    let written: { accepted: number; rejected: readonly { reason: string }[] };
    try {
      written = await ingestSeries(result.series, deps.ingest, deps.config, deps.clock.now());
    } catch (err) {
      // Over limits.maxSamplesPerRequest (one scrape is one ingest request): a failed scrape,
      // written as such (up 0, stale markers), as Prometheus fails a scrape over sample_limit.
      if (!(err instanceof PayloadTooLargeError)) throw err;
      const error = `${err.message} (limits.maxSamplesPerRequest)`;
      result = scrapeResult(target, { ok: false, error }, { startMs, durationMs }, previous);
      written = await ingestSeries(result.series, deps.ingest, deps.config, deps.clock.now());
    }
    scrapedTargets++;
    if (result.error !== undefined) {
      failures++;
      deps.log?.warn('scrape failed', {
        job: target.job.jobName,
        instance: target.labels.instance,
        url: target.url,
        error: result.error,
      });
    }
    samplesStored += written.accepted;
    samplesRejected += written.rejected.length;
    if (written.rejected.length > 0) {
      deps.log?.warn('scraped samples refused', {
        job: target.job.jobName,
        url: target.url,
        refused: written.rejected.length,
        firstReason: written.rejected[0]?.reason,
      });
    }
    const saved = await deps.state.save(key, result.state, loaded?.version ?? 0);
    if (!saved) conflicts++;
  });
  return { targets: scrapedTargets, failures, samplesStored, samplesRejected, conflicts };
};

export type { ScrapeLog, ScrapeRunDeps, ScrapeRunSummary };
export { isDue, runScrape, targetStateKey };
