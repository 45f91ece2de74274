/**
 * `npm run bench`: Vigil's performance figures, printed (never asserted):
 * ingest throughput and Timestream request shape, Lambda bundle sizes, PromQL query times on the
 * local store side by side with Prometheus 2.42, and CLI and server start-up beside promtool and
 * prometheus. Sized to finish in about 5 minutes on two cores: repetitions are few, data sizes
 * are the issues' own.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { formatBundleFigures, runBundleBench } from './bundles';
import { formatCliFigures, runCliBench } from './cli';
import {
  formatDriftCliFigures,
  formatDriftFigures,
  runDriftBench,
  runDriftCliBench,
} from './drift';
import { formatGpuFigures, runGpuBench } from './gpu';
import { formatIngestFigures, runIngestBench } from './ingest';
import { formatInitFigures, runInitBench } from './init-duration';
import { formatLocalIngestFigures, runLocalIngestBench } from './local-ingest';
import { formatLogsFigures, runLogsBench } from './logs';
import { formatLokiFigures, runLokiBench } from './loki';
import { formatOtlpFigures, runOtlpBench } from './otlp';
import { formatQueryFigures, runQueryBench } from './query';
import { formatRulesFigures, runRulesBench } from './rules';
import { formatScrapeFigures, runScrapeBench } from './scrape';
import { formatTimestreamReadFigures, runTimestreamReadBench } from './timestream-read';

const started = performance.now();
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

console.log(
  `Vigil benchmarks — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${load()}`,
);

console.log('\n== Ingest: parse + validate + encode to Timestream WriteRecords ==');
console.log(
  'TimestreamSeriesStore with a stub TimestreamWriteClient (records each input, succeeds); 10,000 samples per request; median of 9 runs after 3 warm-ups; request bytes = JSON.stringify(input).length',
);
console.log(formatIngestFigures(await runIngestBench({ warmup: 3, repeats: 9 })));

console.log('\n== Local ingest: npm start vs Prometheus 2.42 and prometheus-pushgateway ==');
console.log(
  'Each a separate process started fresh on 127.0.0.1, default config; 4 requests in flight (a series or group always on the same connection, in order); Vigil and the reference alternate, median samples/s of 5 runs after 1 warm-up each. remote_write: 60 requests of 2,000 samples a run; Pushgateway: 64 PUTs a run, one per group.',
);
{
  const notes: string[] = [];
  const figures = await runLocalIngestBench({ warmup: 1, repeats: 5 }, notes);
  for (const note of notes) console.log(note);
  console.log(formatLocalIngestFigures(figures));
}

console.log(
  '\n== Lambda bundles: esbuild as lib/constructs/lambda-bundle.ts (split at every import()) ==',
);
console.log(formatBundleFigures(await runBundleBench()));

console.log('\n== Lambda init duration: each bundle imported in fresh node processes ==');
console.log(formatInitFigures(await runInitBench(3)));

console.log('\n== PromQL on the local store vs Prometheus 2.42 ==');
const notes: string[] = [];
const report = await runQueryBench({ warmup: 1, repeats: 5 }, notes);
for (const note of notes) console.log(note);
console.log(
  'Vigil engine = evaluateInstant/evaluateRange in this process; Vigil HTTP = local server round trip; Prom engine = execTotalTime from stats=all; Prom HTTP = round trip. Medians; "runs" = timed Vigil runs (1 when the first run took ≥ 1 s), Prometheus always 5 after 1 warm-up. V/P = Vigil ÷ Prometheus.',
);
console.log(formatQueryFigures(report));

console.log('\n== Timestream read ceiling: samples one query reads within the 25 s budget ==');
console.log(
  'The real TimestreamSeriesStore and PromQL engine over the Timestream Query double (DuckDB, 1 MB pages behind NextToken, simulated page latency); query time = pages × page latency + client time; median of 3 runs after 1 warm-up, before and after alternating.',
);
console.log(formatTimestreamReadFigures(await runTimestreamReadBench({ warmup: 1, repeats: 3 })));

console.log(
  '\n== Rule evaluation: the example rules on the local store, Timestream queries per group ==',
);
console.log(formatRulesFigures(await runRulesBench({ warmup: 1, repeats: 5 })));

console.log('\n== Logs: parse + validate + batch into PutLogEvents requests ==');
console.log(
  'parseLogEvents on an NDJSON body of 10,000 example-shaped events, then planLogBatches (1,048,576 bytes incl. 26 per event, 10,000 events, 24 h per batch); median of 5 runs after 2 warm-ups. PutLogEvents calls counted by CloudWatchLogSink with a stub client (one call per service group at least).',
);
console.log(formatLogsFigures(await runLogsBench({ warmup: 2, repeats: 5 })));

console.log('\n== Logs: Loki push decoding and the whole log pipeline ==');
console.log(
  'decodeLokiPush + lokiStreamsToLogEvents on a 10,000-entry push (1 KB JSON lines, 10 streams), snappy protobuf as Promtail sends it and JSON; then parseLogEvents + ingestLogEvents (sink, prediction records, counters, vigil_log_events_total) on in-memory stores. Median of 5 runs after 2 warm-ups.',
);
console.log(formatLokiFigures(await runLokiBench({ warmup: 2, repeats: 5 })));

console.log(
  '\n== OTLP/HTTP: metrics and logs through npm start, and the metrics Lambda handler ==',
);
console.log(
  'Local server (dist/server.js as npm start runs it, fresh data directory, 4 requests in flight): OTLP metrics, 30 requests of 2,000 cumulative-counter points a run, protobuf and JSON, against remote_write 1.0 carrying the same translated samples; OTLP logs, 20 requests of 1,000 records a run, against POST /ingest/logs NDJSON of the same events; sides alternate, median of 5 runs after 1 warm-up. Lambda: the POST /v1/metrics handler in-process on one protobuf request of 1,000 points (API Gateway event, middy chain) over TimestreamSeriesStore with a WriteRecords double that succeeds, beside the remote_write handler on the same samples; median of 50 invocations after 10 warm-ups.',
);
console.log(
  formatOtlpFigures(await runOtlpBench({ warmup: 1, repeats: 5 }, { warmup: 10, repeats: 50 })),
);

console.log('\n== GPU import: CWAgent → gpu_* series, one scheduled run ==');
console.log(
  'CwAgentGpuSource with a stub CloudWatchClient (17 nvidia_smi metrics per GPU, ListMetrics pages of 500, GetMetricData ≤ 500 queries a call, 15 one-minute datapoints each), the ingest pipeline on the in-memory store; median of 5 runs after 1 warm-up.',
);
console.log(formatGpuFigures(await runGpuBench({ warmup: 1, repeats: 5 })));

console.log('\n== Scrape targets: HTTP scrape → parse → ingest, one run ==');
console.log(
  'runScrape with the real HttpScraper against a local HTTP server (gzip text-format bodies of classic-histogram bucket lines), the ingest pipeline on the in-memory store, 16 targets at a time; median of 5 runs after 1 warm-up. samples written include the 5 report series per target.',
);
console.log(formatScrapeFigures(await runScrapeBench({ warmup: 1, repeats: 5 })));

console.log('\n== Start-up: the CLI and the local server vs promtool and prometheus ==');
console.log(formatCliFigures(await runCliBench({ runs: 7 })));

console.log('\n== Drift statistics: 1,000,000 vs 1,000,000 samples, Vigil vs scipy ==');
console.log(formatDriftFigures(await runDriftBench({ warmup: 1, repeats: 3 })));

console.log(
  '\n== vigil drift, whole process: 1,000,000 vs 1,000,000 CSV rows, Vigil vs numpy+scipy ==',
);
console.log(formatDriftCliFigures(await runDriftCliBench({ runs: 5 })));

console.log(
  `\nload average ${load()}; total ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
