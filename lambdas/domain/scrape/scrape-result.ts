/**
 * One scrape's outcome → the samples Prometheus would append: the scraped samples with the
 * target's labels (`honor_labels`), the report series (`up`, `scrape_duration_seconds`,
 * `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`, `scrape_series_added`) and
 * staleness markers for series the previous scrape had and this one has not.
 * @see https://github.com/prometheus/prometheus/blob/main/scrape/scrape.go (`scrapeAndReport`,
 *   `append`, `report`, `mutateSampleLabels`, `resolveConflictingExposedLabels`)
 */
import { familiesToSeries, parseExposition, parseOpenMetrics } from '../exposition';
import { type Labels, METRIC_NAME_LABEL, normalizeLabels, seriesKey } from '../series/labels';
import { STALE_NAN, type Series } from '../series/sample';
import { relabel } from './relabel';
import type { ScrapeTarget } from './scrape-target';

/** What the HTTP scrape returned: a body, or the reason it failed (`up` 0). */
type ScrapeOutcome =
  | { readonly ok: true; readonly body: string; readonly contentType: string }
  | { readonly ok: false; readonly error: string };

/** Health of a target after a scrape, as `/api/v1/targets` reports it. */
const TargetHealth = { Up: 'up', Down: 'down', Unknown: 'unknown' } as const;
type TargetHealth = (typeof TargetHealth)[keyof typeof TargetHealth];

/** What is kept between scrapes of one target (JSON; stored in the AlertStateStore). */
interface TargetScrapeState {
  readonly lastScrapeMs: number;
  readonly lastScrapeDurationMs: number;
  readonly health: TargetHealth;
  /** Reason of the last failure, `''` when the last scrape succeeded. */
  readonly lastError: string;
  /** seriesKeys of the last scrape's samples without own timestamp (staleness tracking). */
  readonly series: readonly string[];
  /**
   * seriesKeys of the last successful scrape when it differs from `series` (after a failure):
   * Prometheus's scrape cache survives failed scrapes, so `scrape_series_added` counts against it.
   */
  readonly known?: readonly string[];
}

/** The report series' names, in the order Prometheus appends them. */
const ReportMetric = {
  Up: 'up',
  Duration: 'scrape_duration_seconds',
  SamplesScraped: 'scrape_samples_scraped',
  SamplesPostRelabeling: 'scrape_samples_post_metric_relabeling',
  SeriesAdded: 'scrape_series_added',
} as const;

/** Prefix of a scraped label renamed because the target has a label of that name. */
const EXPORTED_LABEL_PREFIX = 'exported_';

/** The result of {@link scrapeResult}. */
interface ScrapeResult {
  /** Everything to write: scraped samples, report samples, staleness markers. */
  readonly series: Series[];
  readonly state: TargetScrapeState;
  /** Samples in the body (Prometheus's `scrape_samples_scraped`). */
  readonly samplesScraped: number;
  readonly staleMarkers: number;
  /** Why the scrape failed, when it did. */
  readonly error?: string;
}

/**
 * `mutateSampleLabels` without relabelling. `honor_labels: true`: the scraped labels win and the
 * target's fill in the missing ones. `false`: the target's labels win and a conflicting scraped
 * label is kept as `exported_<name>` (more `exported_` prefixes until the name is free, shortest
 * names first).
 */
const applyTargetLabels = (scraped: Labels, target: Labels, honorLabels: boolean): Labels => {
  const out: Record<string, string> = { ...scraped };
  if (honorLabels) {
    for (const [k, v] of Object.entries(target)) if (!out[k]) out[k] = v;
    return normalizeLabels(out);
  }
  const conflicts: [string, string][] = [];
  for (const [k, v] of Object.entries(target)) {
    const existing = scraped[k];
    if (existing) conflicts.push([k, existing]);
    out[k] = v;
  }
  conflicts.sort((a, b) => a[0].length - b[0].length);
  for (const [name, value] of conflicts) {
    let newName = name;
    for (;;) {
      newName = EXPORTED_LABEL_PREFIX + newName;
      if (!out[newName]) {
        out[newName] = value;
        break;
      }
    }
  }
  return normalizeLabels(out);
};

/** The label set of a stored seriesKey (see `seriesKey`: JSON of sorted name/value pairs). */
const labelsOfKey = (key: string): Labels =>
  Object.fromEntries(JSON.parse(key) as [string, string][]);

const OPENMETRICS_RE = /^application\/openmetrics-text/i;

/**
 * Parses a scraped body (OpenMetrics 1.0 or text 0.0.4, by Content-Type) into series with the
 * target's labels. Throws with the reason when the body cannot be read (parse error, sample limit).
 */
const scrapedSeries = (
  target: ScrapeTarget,
  body: string,
  contentType: string,
  startMs: number,
): {
  series: { labels: Labels; t: number; v: number; tracked: boolean }[];
  scraped: number;
} => {
  // By Content-Type, as Prometheus picks its parser; anything but OpenMetrics is read as text 0.0.4.
  const families = OPENMETRICS_RE.test(contentType.trim())
    ? parseOpenMetrics(body)
    : parseExposition(body);
  const flat = familiesToSeries(families, { defaultTimestampMs: startMs });
  const explicit = families.flatMap((f) => f.samples.map((s) => s.timestampMs !== undefined));
  const { job } = target;
  const series: { labels: Labels; t: number; v: number; tracked: boolean }[] = [];
  flat.forEach((s, i) => {
    // mutateSampleLabels: target labels, then metric_relabel_configs (which may drop the sample).
    const labels = relabel(
      applyTargetLabels(s.labels, target.labels, job.honorLabels),
      job.metricRelabelConfigs,
    );
    if (labels === undefined || Object.keys(labels).length === 0) return;
    if (!labels[METRIC_NAME_LABEL])
      throw new Error(`missing metric name (${METRIC_NAME_LABEL} label)`);
    const own = job.honorTimestamps && explicit[i] === true;
    series.push({
      labels,
      t: own ? s.timestampMs : startMs,
      v: s.value,
      // Prometheus does not track staleness of samples that carry their own timestamp.
      tracked: !own,
    });
  });
  // sample_limit counts the samples left after metric relabelling, as Prometheus's limitAppender.
  if (job.sampleLimit > 0 && series.length > job.sampleLimit)
    throw new Error(
      `sample limit exceeded (${series.length} samples, sample_limit ${job.sampleLimit})`,
    );
  return { series, scraped: flat.length };
};

/**
 * Turns one scrape of `target` into the samples to write and the state to keep, as Prometheus's
 * scrape loop does: a failed scrape (connection refused, timeout, HTTP status other than 200,
 * unparsable body, sample limit) writes `up` 0 and staleness markers for every series of the
 * previous scrape, and none of the body's samples. Report series carry only the target's labels.

 * Difference from Prometheus: after a parse error `scrape_samples_scraped` is 0 (Prometheus counts
 * the samples parsed before the error).
 * @param target - the target scraped
 * @param outcome - the body, or why there is none
 * @param at - scrape start (every sample's timestamp) and duration, ms
 * @param previous - the state the last scrape of this target left, if any
 * @example scrapeResult(target, { ok: false, error: 'connection refused' }, { startMs, durationMs: 3 })
 */
const scrapeResult = (
  target: ScrapeTarget,
  outcome: ScrapeOutcome,
  at: { readonly startMs: number; readonly durationMs: number },
  previous?: TargetScrapeState,
): ScrapeResult => {
  const { startMs, durationMs } = at;
  let error: string | undefined = outcome.ok ? undefined : outcome.error;
  let scraped: ReturnType<typeof scrapedSeries> = { series: [], scraped: 0 };
  if (outcome.ok) {
    try {
      scraped = scrapedSeries(target, outcome.body, outcome.contentType, startMs);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
  }
  const ok = error === undefined;
  const samples = ok ? scraped.series : [];
  const byKey = new Map<string, Series>();
  const current = new Set<string>();
  for (const s of samples) {
    const key = seriesKey(s.labels);
    if (s.tracked) current.add(key);
    const existing = byKey.get(key);
    // A series exposed twice: Prometheus keeps the first sample of a timestamp.
    if (existing) {
      if (!existing.samples.some((x) => x.t === s.t))
        byKey.set(key, {
          labels: existing.labels,
          samples: [...existing.samples, { t: s.t, v: s.v }].sort((a, b) => a.t - b.t),
        });
    } else byKey.set(key, { labels: s.labels, samples: [{ t: s.t, v: s.v }] });
  }
  const known = new Set(previous?.known ?? previous?.series ?? []);
  let seriesAdded = 0;
  for (const key of current) if (!known.has(key)) seriesAdded++;
  let staleMarkers = 0;
  for (const key of previous?.series ?? []) {
    if (current.has(key)) continue;
    byKey.set(key, { labels: labelsOfKey(key), samples: [{ t: startMs, v: STALE_NAN }] });
    staleMarkers++;
  }
  const report: [string, number][] = [
    [ReportMetric.Up, ok ? 1 : 0],
    [ReportMetric.Duration, durationMs / 1000],
    [ReportMetric.SamplesScraped, scraped.scraped],
    [ReportMetric.SamplesPostRelabeling, ok ? scraped.series.length : 0],
    [ReportMetric.SeriesAdded, ok ? seriesAdded : 0],
  ];
  const reportSeries = report.map(
    ([name, v]): Series => ({
      labels: normalizeLabels({ ...target.labels, [METRIC_NAME_LABEL]: name }),
      samples: [{ t: startMs, v }],
    }),
  );
  const previousKnown = previous?.known ?? previous?.series ?? [];
  const state: TargetScrapeState = {
    lastScrapeMs: startMs,
    lastScrapeDurationMs: durationMs,
    health: ok ? TargetHealth.Up : TargetHealth.Down,
    lastError: error ?? '',
    series: [...current],
    ...(ok || previousKnown.length === 0 ? {} : { known: [...previousKnown] }),
  };
  return {
    series: [...byKey.values(), ...reportSeries],
    state,
    samplesScraped: scraped.scraped,
    staleMarkers,
    ...(error === undefined ? {} : { error }),
  };
};

export type { ScrapeOutcome, ScrapeResult, TargetScrapeState };
export { applyTargetLabels, EXPORTED_LABEL_PREFIX, ReportMetric, scrapeResult, TargetHealth };
