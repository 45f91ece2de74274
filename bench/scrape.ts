/**
 * Scrape figures: one run of `runScrape` with the real `HttpScraper` against local
 * HTTP targets (gzip bodies in the text format, as prometheus_client serves them), the real
 * exposition parser, label handling and ingest pipeline on the in-memory store. Prints the run
 * time (median) for one target of 1,000 and 10,000 series, and 50 targets of 1,000 series each
 * (16 at a time), plus `scrapeResult` alone (parse + labels + report series) per 10,000 series.
 *
 * Run alone: `npx tsx bench/scrape.ts`.
 */
import { NoopCardinalityTracker } from '../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { NoopMetricsMirror } from '../lambdas/adapters/mirror/noop-metrics-mirror';
import { HttpScraper } from '../lambdas/adapters/scrape/http-scraper';
import { MemorySeriesStore } from '../lambdas/adapters/storage/memory-series-store';
import { runtimeConfigOf, validateConfig } from '../lambdas/domain/config/validate';
import type { AlertStateStore } from '../lambdas/domain/ports';
import { validateScrapeConfig } from '../lambdas/domain/scrape/scrape-config';
import { scrapeResult } from '../lambdas/domain/scrape/scrape-result';
import { runScrape } from '../lambdas/domain/scrape/scrape-run';
import { targetsOfJob } from '../lambdas/domain/scrape/scrape-target';
import { fmt, fmtMs, median, type RepeatOptions, table, timeRuns } from './lib';

interface ScrapeFigure {
  readonly what: string;
  readonly samples: number;
  readonly medianMs: number;
}

/** A histogram-heavy body like an inference service's: `series` sample lines. */
const bodyOf = (series: number): string => {
  const lines = ['# TYPE http_request_duration_seconds histogram'];
  for (let i = 0; i < series; i++)
    lines.push(
      `http_request_duration_seconds_bucket{endpoint="/predict/${i >> 4}",le="${(i % 16) / 10}"} ${i}`,
    );
  return `${lines.join('\n')}\n`;
};

/** Always-empty state: every run scrapes every target. */
const freshState: AlertStateStore = { load: async () => undefined, save: async () => true };

const runScrapeBench = async (opts: RepeatOptions): Promise<ScrapeFigure[]> => {
  const bodies = new Map([1000, 10_000].map((n) => [n, gzipSync(bodyOf(n))]));
  const server: Server = createServer((req, res) => {
    const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'));
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', 'Content-Encoding': 'gzip' });
    res.end(bodies.get(n));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const runtime = runtimeConfigOf(validateConfig({}).config);
  const figures: ScrapeFigure[] = [];
  const cases: [string, number, number][] = [
    ['1 target × 1,000 series', 1, 1000],
    ['1 target × 10,000 series', 1, 10_000],
    ['50 targets × 1,000 series', 50, 1000],
  ];
  try {
    for (const [what, targets, n] of cases) {
      const { config } = validateScrapeConfig(
        [
          {
            job_name: 'bench',
            params: { n: [String(n)] },
            // Distinct targets on one server: a static label makes each its own.
            static_configs: Array.from({ length: targets }, (_, i) => ({
              targets: [`127.0.0.1:${port}`],
              labels: { replica: String(i) },
            })),
          },
        ],
        undefined,
      );
      const times = await timeRuns(
        () =>
          runScrape(
            {
              jobs: config.jobs,
              scraper: new HttpScraper(),
              ingest: {
                store: new MemorySeriesStore(),
                cardinality: new NoopCardinalityTracker(),
                mirror: new NoopMetricsMirror(),
              },
              config: runtime,
              state: freshState,
              clock: { now: () => Date.now() },
            },
            Date.now(),
          ),
        opts,
      );
      figures.push({
        what: `runScrape, ${what}`,
        samples: targets * (n + 5),
        medianMs: median(times),
      });
    }
    const { config } = validateScrapeConfig(
      [{ job_name: 'bench', static_configs: [{ targets: ['a:1'] }] }],
      undefined,
    );
    const [job] = config.jobs;
    const [target] = job ? targetsOfJob(job) : [];
    if (target) {
      const body = bodyOf(10_000);
      const times = await timeRuns(
        () =>
          scrapeResult(target, { ok: true, body, contentType: '' }, { startMs: 0, durationMs: 1 }),
        opts,
      );
      figures.push({
        what: 'scrapeResult alone, 10,000 series',
        samples: 10_005,
        medianMs: median(times),
      });
    }
  } finally {
    await new Promise((r) => server.close(r));
  }
  return figures;
};

const formatScrapeFigures = (figures: readonly ScrapeFigure[]): string =>
  table([
    ['case', 'samples written', 'median', 'samples/s'],
    ...figures.map((f) => [
      f.what,
      fmt(f.samples),
      fmtMs(f.medianMs),
      fmt((f.samples / f.medianMs) * 1000),
    ]),
  ]);

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatScrapeFigures(await runScrapeBench({ warmup: 1, repeats: 5 })));
}

export { formatScrapeFigures, runScrapeBench };
