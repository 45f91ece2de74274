/**
 * End to end: Python's prometheus_client (Debian's python3-prometheus-client, which picks
 * OpenMetrics or text 0.0.4 from the `Accept` header) scraped by Vigil's scrape code and by
 * Prometheus 2.42 (/usr/bin/prometheus) at the same time; both must store the same series with
 * the same values.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoopCardinalityTracker } from '../../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { NoopMetricsMirror } from '../../lambdas/adapters/mirror/noop-metrics-mirror';
import { HttpScraper } from '../../lambdas/adapters/scrape/http-scraper';
import { MemorySeriesStore } from '../../lambdas/adapters/storage/memory-series-store';
import { DEFAULT_LIMITS } from '../../lambdas/domain/config/defaults';
import { MemoryAlertStateStore } from '../helpers/alert-ports';
import { validateScrapeConfig } from '../../lambdas/domain/scrape/scrape-config';
import { runScrape } from '../../lambdas/domain/scrape/scrape-run';
import { MatchOp } from '../../lambdas/domain/series/matchers';
import {
  freePort,
  type ManagedChild,
  makeTmpDir,
  removeDir,
  startChild,
  waitFor,
} from './helpers/vigil-process';

const PYTHON = '/usr/bin/python3';
const PROMETHEUS = '/usr/bin/prometheus';

/** One metric of each OpenMetrics type prometheus_client has, one with an exemplar. */
const PYTHON_TARGET = `
import sys, time
from prometheus_client import start_http_server, Counter, Gauge, Histogram, Summary, Info, Enum
c = Counter('model_predictions', 'Predictions.', ['result'])
c.labels('success').inc(42)
c.labels('error').inc(1, exemplar={'trace_id': '0af7651916cd43dd'})
Gauge('training_loss', 'Loss.').set(0.42)
h = Histogram('batch_size', 'Batch sizes.', buckets=[1, 4, 16])
for v in [1, 3, 8, 20]:
    h.observe(v)
s = Summary('inference_latency_seconds', 'Latency.')
s.observe(0.25)
s.observe(0.5)
Info('model_build', 'Build.').info({'version': '1.2', 'commit': 'abc123'})
Enum('serving_state', 'State.', states=['loading', 'ready']).state('ready')
start_http_server(int(sys.argv[1]), addr='127.0.0.1')
print('ready', flush=True)
while True:
    time.sleep(1)
`;

/** The target's own series (not python_*, process_* or the scrape report). */
const OWN = /^(model_|training_|batch_|inference_|serving_)/;

/** `name{a="b",…}` with labels sorted, for comparing label sets from both sides. */
const key = (labels: Record<string, string>): string => {
  const { __name__: name, ...rest } = labels;
  const pairs = Object.entries(rest)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${name}{${pairs.join(',')}}`;
};

describe('OpenMetrics scrape of prometheus_client: Vigil against Prometheus 2.42', () => {
  let python: ChildProcess;
  let target: string;
  let promDir: string;
  let prometheus: ManagedChild;
  let promUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    target = `127.0.0.1:${port}`;
    python = spawn(PYTHON, ['-c', PYTHON_TARGET, String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    python.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    python.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await waitFor(`the Python target on ${target}`, async () => {
      if (python.exitCode !== null) throw new Error(`python exited: ${out}`);
      return out.includes('ready') ? true : undefined;
    });
    promDir = makeTmpDir('om-prometheus');
    const config = join(promDir, 'prometheus.yml');
    writeFileSync(
      config,
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: py\n    static_configs: [{ targets: ['${target}'] }]\n`,
    );
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    prometheus = startChild(
      PROMETHEUS,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      {},
    );
  });

  afterAll(async () => {
    python?.kill('SIGTERM');
    await prometheus?.stop();
    if (promDir) removeDir(promDir);
  });

  it('negotiates OpenMetrics with the target', async () => {
    // Act
    const res = await new HttpScraper().scrape({
      url: `http://${target}/metrics`,
      timeoutMs: 5000,
      insecureSkipVerify: false,
    });

    // Assess
    expect(res.contentType).toMatch(/^application\/openmetrics-text; version=/);
    expect(res.body.endsWith('# EOF\n')).toBe(true);
  });

  it('stores the same series and values as Prometheus', async () => {
    // Prepare
    const { config, issues } = validateScrapeConfig(
      [{ job_name: 'py', static_configs: [{ targets: [target] }] }],
      undefined,
    );
    expect(issues).toEqual([]);
    const store = new MemorySeriesStore();

    // Act
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
        log: { warn: () => undefined },
      },
      Date.now(),
    );
    const vigil = (
      await store.select([{ name: 'job', op: MatchOp.Equal, value: 'py' }], {
        startMs: Date.now() - 60_000,
        endMs: Date.now() + 60_000,
      })
    )
      .filter((s) => OWN.test(String(s.labels.__name__)))
      .map((s): [string, number] => [key(s.labels), s.samples.at(-1)?.v ?? Number.NaN])
      .sort(([a], [b]) => a.localeCompare(b));
    const fromPrometheus = await waitFor(
      'Prometheus to scrape the target',
      async () => {
        const res = await fetch(
          `${promUrl}/api/v1/query?query=${encodeURIComponent('{job="py"}')}`,
        );
        if (res.status !== 200) return undefined;
        const body = (await res.json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        const own = body.data.result.filter((r) => OWN.test(String(r.metric.__name__)));
        return own.length > 0 ? own : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    // Assess
    expect(summary).toMatchObject({ targets: 1, failures: 0, samplesRejected: 0 });
    const prom = fromPrometheus
      .map((r): [string, number] => [key(r.metric), Number(r.value[1])])
      .sort(([a], [b]) => a.localeCompare(b));
    expect(vigil).toEqual(prom);
    const instance = JSON.stringify(target);
    const withoutCreated = vigil.filter(([k]) => !k.includes('_created{'));
    expect(withoutCreated).toEqual([
      [`batch_size_bucket{instance=${instance},job="py",le="+Inf"}`, 4],
      [`batch_size_bucket{instance=${instance},job="py",le="1.0"}`, 1],
      [`batch_size_bucket{instance=${instance},job="py",le="16.0"}`, 3],
      [`batch_size_bucket{instance=${instance},job="py",le="4.0"}`, 2],
      [`batch_size_count{instance=${instance},job="py"}`, 4],
      [`batch_size_sum{instance=${instance},job="py"}`, 32],
      [`inference_latency_seconds_count{instance=${instance},job="py"}`, 2],
      [`inference_latency_seconds_sum{instance=${instance},job="py"}`, 0.75],
      [`model_build_info{commit="abc123",instance=${instance},job="py",version="1.2"}`, 1],
      [`model_predictions_total{instance=${instance},job="py",result="error"}`, 1],
      [`model_predictions_total{instance=${instance},job="py",result="success"}`, 42],
      [`serving_state{instance=${instance},job="py",serving_state="loading"}`, 0],
      [`serving_state{instance=${instance},job="py",serving_state="ready"}`, 1],
      [`training_loss{instance=${instance},job="py"}`, 0.42],
    ]);
    expect(vigil.filter(([k]) => k.includes('_created{')).map(([k]) => k.split('{')[0])).toEqual([
      'batch_size_created',
      'inference_latency_seconds_created',
      'model_predictions_created',
      'model_predictions_created',
    ]);
  });
});
