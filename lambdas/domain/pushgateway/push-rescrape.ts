/**
 * Pushgateway semantics for a store that cannot add pushed values at read time (Amazon Managed
 * Service for Prometheus: PromQL runs in the store, so `PushAwareSeriesStore` cannot fill in the
 * scrapes). Instead the samples a Prometheus scraping the Pushgateway would record are written:
 * every current pushed series gets its value at each scrape-interval timestamp after its push.
 * A DELETE already ends the series with a staleness marker (`staleMarkersForDelete`); a deleted
 * group is no longer current, so nothing is emitted for it afterwards.
 */
import type { PushGroup, PushGroupStore, SeriesStore } from '../ports';
import type { Series } from '../series/sample';

/** A half-open window of time `(fromMs, toMs]`, ms. */
export interface RescrapeWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Length of one scheduled tick: the re-emitting function runs every minute. */
export const RESCRAPE_TICK_MS = 60_000;

/**
 * The window a tick at `nowMs` covers: the whole minute before the latest minute boundary, so
 * consecutive ticks (even a few seconds late) cover every instant once and never the future.
 */
export const rescrapeWindowAt = (nowMs: number): RescrapeWindow => {
  const toMs = Math.floor(nowMs / RESCRAPE_TICK_MS) * RESCRAPE_TICK_MS;
  return { fromMs: toMs - RESCRAPE_TICK_MS, toMs };
};

/**
 * The scrape samples of the current push groups in `window`: for each metric of each group, the
 * group's value every `intervalMs` after the group's last push (the push itself is stored when it
 * arrives), at the timestamps in the window. The timestamps are those `PushAwareSeriesStore`
 * synthesizes on read (push time + k × interval), so a query sees the same samples on either
 * store, and adjacent windows never share one.
 *
 * @param groups - current Pushgateway groups (`PushGroupStore.list()`)
 * @param window - `(fromMs, toMs]`
 * @param intervalMs - `pushgateway.scrapeIntervalSeconds` × 1000, > 0
 * @returns one series per pushed metric with at least one sample, samples ascending
 */
export const pushRescrapeSeries = (
  groups: readonly PushGroup[],
  window: RescrapeWindow,
  intervalMs: number,
): Series[] => {
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  const out: Series[] = [];
  for (const g of groups) {
    const after = Math.max(window.fromMs, g.pushTimeMs);
    const first = g.pushTimeMs + (Math.floor((after - g.pushTimeMs) / intervalMs) + 1) * intervalMs;
    const times: number[] = [];
    for (let t = first; t <= window.toMs; t += intervalMs) times.push(t);
    if (times.length === 0) continue;
    for (const m of g.metrics) {
      out.push({ labels: m.labels, samples: times.map((t) => ({ t, v: m.value })) });
    }
  }
  return out;
};

/** What one tick did. */
export interface RescrapeSummary {
  readonly window: RescrapeWindow;
  readonly groups: number;
  readonly series: number;
  readonly samples: number;
  /** Samples the store refused, with their reasons (logged by the handler). */
  readonly rejected: number;
}

/** What re-emission needs: the current groups, where to write, and the scrape interval. */
export interface RescrapeDeps {
  readonly groups: PushGroupStore;
  readonly store: Pick<SeriesStore, 'write'>;
  readonly intervalMs: number;
}

/**
 * Lists the current groups and writes their scrape samples in `window` (local mode's timer,
 * whose windows follow one another without a gap).
 */
export const runPushRescrapeWindow = async (
  deps: RescrapeDeps,
  window: RescrapeWindow,
): Promise<RescrapeSummary> => {
  const groups = await deps.groups.list();
  const series = pushRescrapeSeries(groups, window, deps.intervalMs);
  const samples = series.reduce((n, s) => n + s.samples.length, 0);
  const result = series.length > 0 ? await deps.store.write(series) : undefined;
  return {
    window,
    groups: groups.length,
    series: series.length,
    samples,
    rejected: result?.rejected.length ?? 0,
  };
};

/**
 * One scheduled tick: lists the current groups and writes their scrape samples of the minute
 * before `nowMs`. A store failure rejects (the schedule's next tick writes its own minute; the
 * failed minute shows the gap a missed scrape shows).
 */
export const runPushRescrape = (deps: RescrapeDeps, nowMs: number): Promise<RescrapeSummary> =>
  runPushRescrapeWindow(deps, rescrapeWindowAt(nowMs));
