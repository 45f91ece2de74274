/**
 * End to end: the scrape code (`runScrape` + `HttpScraper`) against real targets on localhost —
 * Python `prometheus_client.start_http_server` (Debian's python3-prometheus-client, run by
 * /usr/bin/python3), a closed port, a server that never answers, a server answering malformed
 * exposition — and `npm start` scraping the Python target on its timer.
 */
import { NoopCardinalityTracker } from '../../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { NoopMetricsMirror } from '../../lambdas/adapters/mirror/noop-metrics-mirror';
import { HttpScraper } from '../../lambdas/adapters/scrape/http-scraper';
import { MemorySeriesStore } from '../../lambdas/adapters/storage/memory-series-store';
import { DEFAULT_LIMITS } from '../../lambdas/domain/config/defaults';
import { MemoryAlertStateStore } from '../helpers/alert-ports';
import { validateScrapeConfig } from '../../lambdas/domain/scrape/scrape-config';
import { runScrape, type ScrapeRunSummary } from '../../lambdas/domain/scrape/scrape-run';
import type { Labels } from '../../lambdas/domain/series/labels';
import { MatchOp } from '../../lambdas/domain/series/matchers';
import {
  freePort,
  instantQuery,
  makeTmpDir,
  removeDir,
  startVigil,
  type VigilProcess,
  waitFor,
} from './helpers/vigil-process';

/** Debian's interpreter: a pyenv `python3` earlier on PATH would not see Debian's packages. */
const PYTHON = '/usr/bin/python3';

/** A prometheus_client target; `model_info` carries its own `job`/`instance` labels. */
const PYTHON_TARGET = `
import sys, time
from prometheus_client import start_http_server, Counter, Gauge
requests = Counter('http_requests', 'Requests', ['endpoint', 'status'])
requests.labels('/predict', '200').inc(5)
info = Gauge('model_info', 'Model', ['job', 'instance', 'version'])
info.labels('trainer', 'pod-1', 'v3').set(1)
start_http_server(int(sys.argv[1]), addr='127.0.0.1')
print('ready', flush=True)
while True:
    time.sleep(1)
`;

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });

describe('Scrape targets against real HTTP targets', () => {
  let python: ChildProcess;
  let pythonPort: number;
  let hanging: Server;
  let hangingPort: number;
  let malformed: Server;
  let malformedPort: number;
  let closedPort: number;

  beforeAll(async () => {
    pythonPort = await freePort();
    python = spawn(PYTHON, ['-c', PYTHON_TARGET, String(pythonPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    python.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    python.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await waitFor(`the Python target on port ${pythonPort}`, async () => {
      if (python.exitCode !== null) throw new Error(`python exited: ${out}`);
      return out.includes('ready') ? true : undefined;
    });
    // Accepts the connection and never answers.
    hanging = createServer(() => {});
    hangingPort = await listen(hanging);
    malformed = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end('# TYPE ok gauge\nok 1\nbroken{label="x" 2\n');
    });
    malformedPort = await listen(malformed);
    closedPort = await freePort();
  });

  afterAll(async () => {
    python?.kill('SIGTERM');
    hanging?.closeAllConnections();
    await new Promise((r) => hanging?.close(r));
    await new Promise((r) => malformed?.close(r));
  });

  const scrapeOnce = async (
    jobs: unknown[],
  ): Promise<{
    summary: ScrapeRunSummary;
    store: MemorySeriesStore;
    warnings: Record<string, unknown>[];
  }> => {
    const { config, issues } = validateScrapeConfig(jobs, undefined);
    expect(issues).toEqual([]);
    const store = new MemorySeriesStore();
    const warnings: Record<string, unknown>[] = [];
    const summary = await runScrape(
      {
        jobs: config.jobs,
        scraper: new HttpScraper(),
        ingest: {
          store,
          cardinality: new NoopCardinalityTracker(),
          mirror: new NoopMetricsMirror(),
        },
        config: {
          limits: DEFAULT_LIMITS,
          cloudwatch: { namespace: 'Vigil', mirror: [] },
          pushgateway: { scrapeIntervalSeconds: 15 },
          maxSampleAgeMs: 86_400_000,
        },
        state: new MemoryAlertStateStore(),
        clock: { now: () => Date.now() },
        log: { warn: (message, attributes) => warnings.push({ message, ...attributes }) },
      },
      Date.now(),
    );
    return { summary, store, warnings };
  };

  /** Label sets and latest values of every series named `name`. */
  const latest = async (store: MemorySeriesStore, name: string): Promise<[Labels, number][]> =>
    (
      await store.select([{ name: '__name__', op: MatchOp.Equal, value: name }], {
        startMs: Date.now() - 60_000,
        endMs: Date.now() + 60_000,
      })
    )
      .map((s): [Labels, number] => [s.labels, s.samples.at(-1)?.v ?? Number.NaN])
      .sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));

  it('scrapes prometheus_client: samples with job/instance, up 1 and the scrape_* series', async () => {
    // Act
    const { summary, store } = await scrapeOnce([
      { job_name: 'inference', static_configs: [{ targets: [`127.0.0.1:${pythonPort}`] }] },
    ]);

    // Assess
    const instance = `127.0.0.1:${pythonPort}`;
    expect(summary).toMatchObject({ targets: 1, failures: 0, samplesRejected: 0 });
    expect(await latest(store, 'up')).toEqual([
      [{ __name__: 'up', instance, job: 'inference' }, 1],
    ]);
    expect(await latest(store, 'http_requests_total')).toEqual([
      [
        {
          __name__: 'http_requests_total',
          endpoint: '/predict',
          instance,
          job: 'inference',
          status: '200',
        },
        5,
      ],
    ]);
    // honor_labels: false — the exposed job/instance are kept as exported_job/exported_instance.
    expect(await latest(store, 'model_info')).toEqual([
      [
        {
          __name__: 'model_info',
          exported_instance: 'pod-1',
          exported_job: 'trainer',
          instance,
          job: 'inference',
          version: 'v3',
        },
        1,
      ],
    ]);
    const scraped = await latest(store, 'scrape_samples_scraped');
    expect(scraped[0]?.[1]).toBeGreaterThan(10);
    expect((await latest(store, 'scrape_duration_seconds'))[0]?.[1]).toBeGreaterThan(0);
    expect((await latest(store, 'scrape_series_added'))[0]?.[1]).toBe(scraped[0]?.[1]);
  });

  it('keeps the exposed job and instance with honor_labels: true', async () => {
    // Act
    const { store } = await scrapeOnce([
      {
        job_name: 'inference',
        honor_labels: true,
        static_configs: [{ targets: [`127.0.0.1:${pythonPort}`] }],
      },
    ]);

    // Assess
    expect(await latest(store, 'model_info')).toEqual([
      [{ __name__: 'model_info', instance: 'pod-1', job: 'trainer', version: 'v3' }, 1],
    ]);
  });

  it('writes up 0 with the reason for a closed port, a timeout and malformed exposition', async () => {
    // Act
    const { summary, store, warnings } = await scrapeOnce([
      { job_name: 'down', static_configs: [{ targets: [`127.0.0.1:${closedPort}`] }] },
      {
        job_name: 'slow',
        scrape_interval: '5s',
        scrape_timeout: '1s',
        static_configs: [{ targets: [`127.0.0.1:${hangingPort}`] }],
      },
      { job_name: 'malformed', static_configs: [{ targets: [`127.0.0.1:${malformedPort}`] }] },
    ]);

    // Assess
    expect(summary).toMatchObject({ targets: 3, failures: 3 });
    expect((await latest(store, 'up')).map(([l, v]) => [l.job, v]).sort()).toEqual([
      ['down', 0],
      ['malformed', 0],
      ['slow', 0],
    ]);
    expect(await latest(store, 'ok')).toEqual([]);
    const reasons = Object.fromEntries(warnings.map((w) => [w.job, w.error]));
    expect(reasons.down).toMatch(/ECONNREFUSED/);
    expect(reasons.slow).toBe(
      `Get "http://127.0.0.1:${hangingPort}/metrics": context deadline exceeded (scrape_timeout 1s)`,
    );
    expect(reasons.malformed).toMatch(/line 3/);
    const duration = await latest(store, 'scrape_duration_seconds');
    expect(duration.find(([l]) => l.job === 'slow')?.[1]).toBeGreaterThanOrEqual(1);
  });
});

describe('Scrape targets with npm start', () => {
  let dir: string;
  let vigil: VigilProcess;
  let python: ChildProcess;
  let pythonPort: number;

  beforeAll(async () => {
    dir = makeTmpDir('scrape');
    pythonPort = await freePort();
    python = spawn(PYTHON, ['-c', PYTHON_TARGET, String(pythonPort)], { stdio: 'ignore' });
    const config = join(dir, 'vigil.config.yaml');
    writeFileSync(
      config,
      [
        'scrape_configs:',
        '  - job_name: inference',
        '    scrape_interval: 1s',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${pythonPort}']`,
        '  - job_name: api',
        '    scrape_interval: 1s',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${await freePort()}']`,
        '',
      ].join('\n'),
    );
    // startVigil passes the test process's environment on to `npm start`.
    process.env.VIGIL_CONFIG = config;
    try {
      vigil = await startVigil({ dataDir: join(dir, 'data') });
    } finally {
      delete process.env.VIGIL_CONFIG;
    }
  });

  afterAll(async () => {
    await vigil?.stop();
    python?.kill('SIGTERM');
    removeDir(dir);
  });

  it('scrapes on its timer: up is 1 for the Python target and 0 for the closed port', async () => {
    // Act
    const up = await waitFor(
      'up for both jobs',
      async () => {
        const result = await instantQuery(vigil, 'up');
        return result.length === 2 && result.some(([, v]) => v === 1) ? result : undefined;
      },
      { timeoutMs: 20_000 },
    );

    // Assess
    expect(up.map(([l, v]) => [l.job, v]).sort()).toEqual([
      ['api', 0],
      ['inference', 1],
    ]);
    const requests = await instantQuery(vigil, 'http_requests_total{job="inference"}');
    expect(requests.map(([, v]) => v)).toEqual([5]);
  });

  it("answers GET /api/v1/targets in Prometheus's shape, with health and the last error", async () => {
    // Act
    const res = await fetch(`${vigil.url}/api/v1/targets?state=active`);
    const body = (await res.json()) as {
      status: string;
      data: { activeTargets: Record<string, unknown>[]; droppedTargets: unknown[] };
    };

    // Assess
    expect(res.status).toBe(200);
    expect(body.status).toBe('success');
    const byPool = Object.fromEntries(body.data.activeTargets.map((t) => [t.scrapePool, t]));
    expect(byPool.inference).toMatchObject({
      labels: { instance: `127.0.0.1:${pythonPort}`, job: 'inference' },
      scrapeUrl: `http://127.0.0.1:${pythonPort}/metrics`,
      health: 'up',
      lastError: '',
      scrapeInterval: '1s',
      scrapeTimeout: '1s',
    });
    expect(byPool.api).toMatchObject({
      health: 'down',
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(String(byPool.inference?.lastScrape)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(body.data.droppedTargets).toEqual([]);
  });
});
