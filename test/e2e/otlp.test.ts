/**
 * End to end: the OpenTelemetry JS SDK exporting to `npm start` over OTLP/HTTP — metrics through
 * both exporters (protobuf and JSON), logs through the protobuf one — read back through the query
 * API with the names and labels Prometheus's OTLP receiver gives them, and through `vigil logs`.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import {
  instantQuery,
  makeTmpDir,
  REPO_ROOT,
  removeDir,
  startVigil,
  type VigilProcess,
} from './helpers/vigil-process';

const API_KEY = 'e2e-otlp-key';
const execFileAsync = promisify(execFile);

/** Wraps an exporter to keep the result of every export. */
const recording = (inner: PushMetricExporter) => {
  const codes: number[] = [];
  const exporter: PushMetricExporter = {
    export: (metrics, done) =>
      inner.export(metrics, (result) => {
        codes.push(result.code);
        done(result);
      }),
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
    ...(inner.selectAggregationTemporality && {
      selectAggregationTemporality: inner.selectAggregationTemporality.bind(inner),
    }),
  };
  return { exporter, codes };
};

/** Counters, an up-down counter, a gauge and a histogram of one service instance, exported once. */
const exportMetrics = async (inner: PushMetricExporter, instance: string): Promise<number[]> => {
  const { exporter, codes } = recording(inner);
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'inference',
      'service.namespace': 'ml',
      'service.instance.id': instance,
      'deployment.environment': 'test',
      'host.name': 'gpu-node-1',
    }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  const meter = provider.getMeter('e2e');
  const predictions = meter.createCounter('predictions', { unit: '{prediction}' });
  predictions.add(3, { model: 'resnet' });
  predictions.add(2, { model: 'resnet' });
  const queue = meter.createUpDownCounter('queue.size');
  queue.add(5);
  queue.add(-2);
  meter.createGauge('gpu.utilization', { unit: '1' }).record(0.75, { gpu: '0' });
  const latency = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: [0.1, 0.5, 1] },
  });
  for (const v of [0.05, 0.3, 0.3, 2]) latency.record(v, { route: '/predict' });
  await provider.forceFlush();
  const flushed = [...codes];
  await provider.shutdown();
  return flushed;
};

describe('OTLP/HTTP from the OpenTelemetry JS SDK against npm start', () => {
  let dataDir: string;
  let vigil: VigilProcess;
  const query = (expr: string) => instantQuery(vigil, expr, API_KEY);

  beforeAll(async () => {
    dataDir = makeTmpDir('otlp');
    const config = join(dataDir, 'vigil.config.yaml');
    writeFileSync(config, 'otlp:\n  promote_resource_attributes: [deployment.environment]\n');
    vigil = await startVigil({ dataDir, apiKeys: [API_KEY], env: { VIGIL_CONFIG: config } });
  });

  afterAll(async () => {
    if (process.env.VIGIL_E2E_DEBUG) console.log(vigil?.output());
    await vigil?.stop();
    removeDir(dataDir);
  });

  const exporterOptions = () => ({
    url: `${vigil.url}/v1/metrics`,
    headers: { 'x-api-key': API_KEY },
  });

  it.each([
    ['protobuf', 'pod-proto', () => new ProtoMetricExporter(exporterOptions())],
    ['JSON', 'pod-json', () => new JsonMetricExporter(exporterOptions())],
  ])(
    'stores what the %s exporter sends under the names Prometheus would give',
    async (_, pod, make) => {
      // Act
      const codes = await exportMetrics(make(), pod);
      const sel = `{instance="${pod}"}`;
      const base = { job: 'ml/inference', instance: pod, deployment_environment: 'test' };

      // Assess
      expect(codes).toEqual([0]);
      expect(await query(`predictions_total${sel}`)).toEqual([
        [{ __name__: 'predictions_total', ...base, model: 'resnet' }, 5],
      ]);
      expect(await query(`queue_size${sel}`)).toEqual([[{ __name__: 'queue_size', ...base }, 3]]);
      expect(await query(`gpu_utilization_ratio${sel}`)).toEqual([
        [{ __name__: 'gpu_utilization_ratio', ...base, gpu: '0' }, 0.75],
      ]);
      const h = 'http_server_request_duration_seconds';
      expect(await query(`${h}_bucket${sel}`)).toEqual(
        [
          ['+Inf', 4],
          ['0.1', 1],
          ['0.5', 3],
          ['1', 3],
        ].map(([le, v]) => [{ __name__: `${h}_bucket`, ...base, route: '/predict', le }, v]),
      );
      expect(await query(`${h}_count${sel}`)).toEqual([
        [{ __name__: `${h}_count`, ...base, route: '/predict' }, 4],
      ]);
      expect(await query(`${h}_sum${sel}`)).toEqual([
        [{ __name__: `${h}_sum`, ...base, route: '/predict' }, 2.65],
      ]);
      expect(await query(`target_info${sel}`)).toEqual([
        [
          {
            __name__: 'target_info',
            job: 'ml/inference',
            instance: pod,
            deployment_environment: 'test',
            host_name: 'gpu-node-1',
          },
          1,
        ],
      ]);
    },
  );

  it('refuses an export without the API key', async () => {
    // Act
    const codes = await exportMetrics(
      new ProtoMetricExporter({ url: `${vigil.url}/v1/metrics` }),
      'pod-nokey',
    );

    // Assess
    expect(codes).toEqual([1]);
    expect(await query('predictions_total{instance="pod-nokey"}')).toEqual([]);
  });

  it('stores OTLP log records as log events, found with vigil logs and counted', async () => {
    // Prepare
    const exporter = new OTLPLogExporter({
      url: `${vigil.url}/v1/logs`,
      headers: { 'x-api-key': API_KEY },
    });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({
        'service.name': 'otel-inference',
        'host.name': 'gpu-node-1',
      }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('e2e');
    const traceId = '5b8efff798038103d269b633813fc60c';
    const spanId = 'eee19b7ec3c1b174';
    const inSpan = trace.setSpanContext(context.active(), {
      traceId,
      spanId,
      traceFlags: TraceFlags.SAMPLED,
    });

    // Act
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: 'model loaded',
      attributes: { model: 'resnet', 'load.ms': 830 },
      context: inSpan,
    });
    logger.emit({
      severityNumber: SeverityNumber.ERROR2,
      body: 'inference failed: CUDA out of memory',
      context: inSpan,
    });
    await provider.forceFlush();
    await provider.shutdown();
    const { stdout } = await execFileAsync(
      process.execPath,
      ['bin/vigil.js', 'logs', '--correlation-id', traceId, '--json'],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env: { ...process.env, VIGIL_DATA_DIR: vigil.dataDir },
        timeout: 60_000,
      },
    );
    const events = stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

    // Assess
    expect(events.map((e) => [e.service, e.level, e.message])).toEqual([
      ['otel-inference', 'INFO', 'model loaded'],
      ['otel-inference', 'ERROR', 'inference failed: CUDA out of memory'],
    ]);
    expect((events[0]?.fields ?? events[0]) as Record<string, unknown>).toMatchObject({
      model: 'resnet',
      'load.ms': 830,
      trace_id: traceId,
      span_id: spanId,
      resource: { 'host.name': 'gpu-node-1' },
      scope: 'e2e',
    });
    expect(await query('vigil_log_events_total{service="otel-inference"}')).toEqual([
      [{ __name__: 'vigil_log_events_total', service: 'otel-inference', level: 'ERROR' }, 1],
      [{ __name__: 'vigil_log_events_total', service: 'otel-inference', level: 'INFO' }, 1],
    ]);
  });
});
