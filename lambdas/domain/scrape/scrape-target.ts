/**
 * Scrape targets from `static_configs`, labelled exactly as Prometheus's `PopulateLabels`
 * (scrape/target.go): `job`, `__address__`, `__scheme__`, `__metrics_path__`,
 * `__scrape_interval__`, `__scrape_timeout__`, `__param_<name>` (first value of each `params`
 * entry, set over a static label of that name) and the static labels (which may set the others:
 * `__metrics_path__: /probe` per target); then `relabel_configs` (which may drop the target). The
 * `__`-prefixed labels build the scrape URL and are then dropped; `instance` defaults to the
 * address.
 * @see https://github.com/prometheus/prometheus/blob/main/scrape/target.go
 */
import { type Labels, normalizeLabels } from '../series/labels';
import { relabel } from './relabel';
import type { ScrapeJobConfig } from './scrape-config';

/** One target of a job. */
interface ScrapeTarget {
  readonly job: ScrapeJobConfig;
  /** The labels every sample of the target carries (`job`, `instance`, static labels). */
  readonly labels: Labels;
  /** Labels before relabelling, `__` ones included (Prometheus's `discoveredLabels`). */
  readonly discoveredLabels: Labels;
  /** The URL scraped, e.g. `http://api:8000/metrics`. */
  readonly url: string;
}

const ADDRESS = '__address__';
const SCHEME = '__scheme__';
const METRICS_PATH = '__metrics_path__';
const PARAM_PREFIX = '__param_';
const SCRAPE_INTERVAL = '__scrape_interval__';
const SCRAPE_TIMEOUT = '__scrape_timeout__';

/** `url.Values.Encode`: keys sorted, each value query-escaped, `+` for spaces. */
const encodeQuery = (params: Readonly<Record<string, readonly string[]>>): string =>
  Object.keys(params)
    .sort()
    .flatMap((k) =>
      (params[k] ?? []).map(
        (v) =>
          `${encodeURIComponent(k).replace(/%20/g, '+')}=${encodeURIComponent(v).replace(/%20/g, '+')}`,
      ),
    )
    .join('&');

/**
 * A job's active targets and the discovered labels of those `relabel_configs` dropped (or left
 * without an `__address__`), as Prometheus's scrape pool keeps them for `/api/v1/targets`.
 */
const resolveJobTargets = (job: ScrapeJobConfig): { active: ScrapeTarget[]; dropped: Labels[] } => {
  const out: ScrapeTarget[] = [];
  const dropped: Labels[] = [];
  const seen = new Set<string>();
  for (const sc of job.staticConfigs) {
    for (const address of sc.targets) {
      const all: Record<string, string> = { [ADDRESS]: address, ...sc.labels };
      const defaults: Record<string, string> = {
        job: job.jobName,
        [SCRAPE_INTERVAL]: job.scrapeInterval,
        [SCRAPE_TIMEOUT]: job.scrapeTimeout,
        [METRICS_PATH]: job.metricsPath,
        [SCHEME]: job.scheme,
      };
      for (const [k, v] of Object.entries(defaults)) if (!all[k]) all[k] = v;
      for (const [k, v] of Object.entries(job.params)) {
        if (v.length > 0 && v[0] !== undefined) all[`${PARAM_PREFIX}${k}`] = v[0];
      }
      // PopulateLabels: relabel_configs may rewrite anything above, or drop the target.
      const discoveredLabels = normalizeLabels(all);
      const d = relabel(discoveredLabels, job.relabelConfigs);
      if (!d?.[ADDRESS]) {
        dropped.push(discoveredLabels);
        continue;
      }
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(d)) {
        if (!k.startsWith('__')) labels[k] = v;
      }
      const addr = d[ADDRESS] ?? address;
      if (!labels.instance) labels.instance = addr;
      const params: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(job.params)) params[k] = [...v];
      for (const [k, v] of Object.entries(d)) {
        if (!k.startsWith(PARAM_PREFIX)) continue;
        const name = k.slice(PARAM_PREFIX.length);
        const existing = params[name];
        if (existing && existing.length > 0) existing[0] = v;
        else params[name] = [v];
      }
      const query = encodeQuery(params);
      const url = `${d[SCHEME] ?? job.scheme}://${addr}${d[METRICS_PATH] ?? ''}${query ? `?${query}` : ''}`;
      const normalized = normalizeLabels(labels);
      const key = JSON.stringify([d, url]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ job, labels: normalized, discoveredLabels, url });
    }
  }
  return { active: out, dropped };
};

/**
 * The targets of one job, in config order; duplicates (same labels and URL) are scraped once, as
 * Prometheus deduplicates targets by `Target.hash`; targets `relabel_configs` dropped are left out.
 * @example targetsOfJob(job) // [{ labels: { instance: 'api:8000', job: 'api' }, url: 'http://api:8000/metrics', … }]
 */
const targetsOfJob = (job: ScrapeJobConfig): ScrapeTarget[] => resolveJobTargets(job).active;

export type { ScrapeTarget };
export { resolveJobTargets, targetsOfJob };
