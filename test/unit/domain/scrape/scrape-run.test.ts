import { NoopCardinalityTracker } from '../../../../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { NoopMetricsMirror } from '../../../../lambdas/adapters/mirror/noop-metrics-mirror';
import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import { DEFAULT_LIMITS } from '../../../../lambdas/domain/config/defaults';
import type { RuntimeConfig } from '../../../../lambdas/domain/config/types';
import type { CardinalityTracker } from '../../../../lambdas/domain/ports';
import type { ScrapeRequest, Scraper } from '../../../../lambdas/domain/scrape/scraper';
import { validateScrapeConfig } from '../../../../lambdas/domain/scrape/scrape-config';
import { isDue, runScrape, type ScrapeRunDeps } from '../../../../lambdas/domain/scrape/scrape-run';
import { MatchOp } from '../../../../lambdas/domain/series/matchers';
import { isStaleNaN } from '../../../../lambdas/domain/series/sample';
import { MemoryAlertStateStore } from '../../../helpers/alert-ports';

const NOW = 1_764_086_400_000;
const RANGE = { startMs: NOW - 3_600_000, endMs: NOW + 3_600_000 };
const config: RuntimeConfig = {
  limits: DEFAULT_LIMITS,
  cloudwatch: { namespace: 'Vigil', mirror: [] },
  pushgateway: { scrapeIntervalSeconds: 15 },
  maxSampleAgeMs: 86_400_000,
};

const admitAll: CardinalityTracker = new NoopCardinalityTracker();

/** Answers each URL with a body, or fails with the given reason. */
class TableScraper implements Scraper {
  readonly requests: ScrapeRequest[] = [];
  constructor(readonly table: Record<string, string | Error>) {}
  async scrape(request: ScrapeRequest) {
    this.requests.push(request);
    const answer = this.table[request.url];
    if (answer === undefined || answer instanceof Error)
      throw answer ?? new Error('no such target');
    return { body: answer, contentType: 'text/plain; version=0.0.4' };
  }
}

const setup = (scraper: Scraper, rawJobs: unknown[], runtime: RuntimeConfig = config) => {
  const { config: scrape, issues } = validateScrapeConfig(rawJobs, undefined);
  expect(issues).toEqual([]);
  const store = new MemorySeriesStore();
  const warnings: { message: string; attributes: Record<string, unknown> }[] = [];
  let now = NOW;
  const deps: ScrapeRunDeps = {
    jobs: scrape.jobs,
    scraper,
    ingest: { store, cardinality: admitAll, mirror: new NoopMetricsMirror() },
    config: runtime,
    state: new MemoryAlertStateStore(),
    clock: { now: () => now },
    log: {
      warn: (message, attributes) => warnings.push({ message, attributes: { ...attributes } }),
    },
  };
  return { deps, store, warnings, setNow: (t: number) => (now = t) };
};

const sampleAt = async (store: MemorySeriesStore, name: string, instance: string, at: number) => {
  const [s] = await store.select(
    [
      { name: '__name__', op: MatchOp.Equal, value: name },
      { name: 'instance', op: MatchOp.Equal, value: instance },
    ],
    RANGE,
  );
  return s?.samples.find((x) => x.t === at)?.v;
};

describe('Scrape run', () => {
  it('scrapes every target, stores samples and up, and logs failures with the reason', async () => {
    // Prepare
    const scraper = new TableScraper({
      'http://api:8000/metrics': 'http_requests_total{status="200"} 7\n',
      'http://inference:8001/metrics': new Error(
        'Get "http://inference:8001/metrics": connect ECONNREFUSED',
      ),
    });
    const { deps, store, warnings } = setup(scraper, [
      { job_name: 'services', static_configs: [{ targets: ['api:8000', 'inference:8001'] }] },
    ]);

    // Act
    const summary = await runScrape(deps, NOW);

    // Assess
    expect(summary).toEqual({
      targets: 2,
      failures: 1,
      samplesStored: 11,
      samplesRejected: 0,
      conflicts: 0,
    });
    expect(await sampleAt(store, 'up', 'api:8000', NOW)).toBe(1);
    expect(await sampleAt(store, 'up', 'inference:8001', NOW)).toBe(0);
    expect(await sampleAt(store, 'http_requests_total', 'api:8000', NOW)).toBe(7);
    expect(warnings).toEqual([
      {
        message: 'scrape failed',
        attributes: {
          job: 'services',
          instance: 'inference:8001',
          url: 'http://inference:8001/metrics',
          error: 'Get "http://inference:8001/metrics": connect ECONNREFUSED',
        },
      },
    ]);
  });

  it('scrapes a job once per interval and writes stale markers when the target goes down', async () => {
    // Prepare
    const scraper = new TableScraper({ 'http://api:8000/metrics': 'a 1\n' });
    const { deps, store, setNow } = setup(scraper, [
      { job_name: 'api', scrape_interval: '2m', static_configs: [{ targets: ['api:8000'] }] },
    ]);
    await runScrape(deps, NOW);

    // Act
    setNow(NOW + 60_000);
    const sameSlot = await runScrape(deps, NOW + 60_000);
    scraper.table['http://api:8000/metrics'] = new Error('timeout');
    setNow(NOW + 120_000);
    const nextSlot = await runScrape(deps, NOW + 120_000);

    // Assess
    expect(sameSlot.targets).toBe(0);
    expect(nextSlot.failures).toBe(1);
    expect(scraper.requests).toHaveLength(2);
    expect(isStaleNaN((await sampleAt(store, 'a', 'api:8000', NOW + 120_000)) ?? 0)).toBe(true);
    expect(await sampleAt(store, 'up', 'api:8000', NOW + 120_000)).toBe(0);
  });

  it('fails a scrape over limits.maxSamplesPerRequest as a scrape, with up 0', async () => {
    // Prepare
    const scraper = new TableScraper({
      'http://api:8000/metrics': 'a 1\nb 2\nc 3\nd 4\ne 5\nf 6\n',
    });
    const { deps, store, warnings } = setup(
      scraper,
      [{ job_name: 'api', static_configs: [{ targets: ['api:8000'] }] }],
      { ...config, limits: { ...DEFAULT_LIMITS, maxSamplesPerRequest: 10 } },
    );

    // Act
    const summary = await runScrape(deps, NOW);

    // Assess
    expect(summary).toMatchObject({ targets: 1, failures: 1, samplesStored: 5 });
    expect(await sampleAt(store, 'up', 'api:8000', NOW)).toBe(0);
    expect(await sampleAt(store, 'a', 'api:8000', NOW)).toBeUndefined();
    expect(warnings[0]?.attributes.error).toBe(
      'request holds 11 samples, more than the limit of 10 per request (limits.maxSamplesPerRequest)',
    );
  });

  it('logs samples the ingest pipeline refused, with the first reason', async () => {
    // Prepare
    const scraper = new TableScraper({ 'http://api:8000/metrics': 'a 1\n' });
    const { deps, warnings } = setup(scraper, [
      { job_name: 'api', static_configs: [{ targets: ['api:8000'] }] },
    ]);
    const refuseA: CardinalityTracker = {
      admit: async (series) => new Set(series.filter((s) => s.metric === 'a').map((s) => s.key)),
      admitNames: admitAll.admitNames,
    };

    // Act
    const summary = await runScrape(
      { ...deps, ingest: { ...deps.ingest, cardinality: refuseA } },
      NOW,
    );

    // Assess
    expect(summary).toMatchObject({ failures: 0, samplesStored: 5, samplesRejected: 1 });
    expect(warnings).toEqual([
      {
        message: 'scraped samples refused',
        attributes: {
          job: 'api',
          url: 'http://api:8000/metrics',
          refused: 1,
          firstReason: expect.stringContaining('limits.maxSeriesPerMetric'),
        },
      },
    ]);
  });

  it('passes the job settings to the scraper', async () => {
    // Prepare
    const scraper = new TableScraper({ 'https://a:1/m?x=y': '' });
    const { deps } = setup(scraper, [
      {
        job_name: 'a',
        scheme: 'https',
        metrics_path: '/m',
        params: { x: ['y'] },
        scrape_timeout: '3s',
        tls_config: { insecure_skip_verify: true },
        basic_auth: { username: 'u', password: 'p' },
        static_configs: [{ targets: ['a:1'] }],
      },
    ]);

    // Act
    await runScrape(deps, NOW);

    // Assess
    expect(scraper.requests).toEqual([
      {
        url: 'https://a:1/m?x=y',
        timeoutMs: 3000,
        insecureSkipVerify: true,
        basicAuth: { username: 'u', password: { kind: 'inline', value: 'p' } },
      },
    ]);
  });

  it('decides due jobs by elapsed interval, allowing 10% early ticks', () => {
    // Prepare
    const job = { scrapeIntervalMs: 60_000 } as Parameters<typeof isDue>[0];

    // Act + Assess
    expect(isDue(job, NOW, undefined)).toBe(true);
    expect(isDue(job, NOW + 53_999, NOW)).toBe(false);
    expect(isDue(job, NOW + 54_000, NOW)).toBe(true);
  });
});
