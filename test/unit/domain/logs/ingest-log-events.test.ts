import { NoopCardinalityTracker } from '../../../../lambdas/adapters/cardinality/noop-cardinality-tracker';
import { StorageThrottledError } from '../../../../lambdas/domain/errors';
import { validateConfig } from '../../../../lambdas/domain/config/validate';
import type { RuntimeConfig } from '../../../../lambdas/domain/config/types';
import { runtimeConfigOf } from '../../../../lambdas/domain/config/validate';
import { counterKey, ingestLogEvents } from '../../../../lambdas/domain/logs/ingest-log-events';
import { type LogsConfig, validateLogsConfig } from '../../../../lambdas/domain/logs/logs-config';
import { parseLogEvents } from '../../../../lambdas/domain/logs/parse-log-events';
import { admitNamesInMemory } from '../../../../lambdas/domain/ingest/name-budget';
import type { NameBudget, SeriesNames } from '../../../../lambdas/domain/ports';
import { MatchOp } from '../../../../lambdas/domain/series/matchers';
import {
  InMemoryCounterStore,
  InMemoryEventStore,
  InMemoryLogSink,
} from '../../../helpers/in-memory-log-stores';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';
import { RecordingMetricsMirror } from '../../../helpers/recording-metrics-mirror';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const RUNTIME: RuntimeConfig = runtimeConfigOf(validateConfig({}).config);
const LOGS: LogsConfig = validateLogsConfig({
  services: ['api', 'inference'],
  measures: [
    { field: 'context.confidence' },
    { field: 'context.prediction', type: 'VARCHAR' },
    { field: 'context.inference_time_ms', name: 'latency_ms' },
  ],
}).config;

const line = (o: Record<string, unknown>) => JSON.stringify(o);
/** Five NDJSON lines: two good API lines, a broken line, a prediction, an error. */
const BODY = [
  line({
    timestamp: '2026-11-25T11:59:00Z',
    level: 'INFO',
    service: 'api',
    message: 'GET /predict',
    request_id: 'r-1',
  }),
  line({
    timestamp: '2026-11-25T11:59:01Z',
    level: 'INFO',
    service: 'api',
    message: 'GET /health',
  }),
  '{"level": "INFO", "service": "api", ',
  line({
    timestamp: '2026-11-25T11:59:02Z',
    level: 'INFO',
    service: 'inference',
    event: 'prediction',
    model: 'pneumonia',
    trace_id: 'abc123',
    message: 'Model inference completed',
    context: {
      model_version: 'v2.1',
      prediction: 'pneumonia',
      confidence: 0.95,
      inference_time_ms: 120,
    },
  }),
  line({
    timestamp: '2026-11-25T11:59:03Z',
    level: 'error',
    service: 'inference',
    message: 'CUDA OOM',
  }),
].join('\n');

const parse = (body = BODY) =>
  parseLogEvents(body, {
    contentType: 'application/x-ndjson',
    receivedAtMs: NOW,
    headers: {},
    maxEvents: 100,
    maxEventBytes: 10_000,
  });

const portsWith = (
  over: Partial<{
    logSink: InMemoryLogSink;
    events: InMemoryEventStore;
    counters: InMemoryCounterStore;
  }> = {},
) => {
  const ports = {
    store: new InMemorySeriesStore(),
    cardinality: new NoopCardinalityTracker(),
    mirror: new RecordingMetricsMirror(),
    logSink: new InMemoryLogSink(),
    events: new InMemoryEventStore(),
    counters: new InMemoryCounterStore(),
    ...over,
  };
  return ports;
};

const counterSamples = async (store: InMemorySeriesStore, service: string, level: string) => {
  const [series] = await store.select(
    [
      { name: '__name__', op: MatchOp.Equal, value: 'vigil_log_events_total' },
      { name: 'service', op: MatchOp.Equal, value: service },
      { name: 'level', op: MatchOp.Equal, value: level },
    ],
    { startMs: 0, endMs: NOW + 1 },
  );
  return series?.samples ?? [];
};

describe('log ingestion pipeline', () => {
  it('stores the good events, rejects the broken line by index and line, and writes the prediction record', async () => {
    // Prepare
    const ports = portsWith();

    // Act
    const result = await ingestLogEvents(parse(), ports, { logs: LOGS, runtime: RUNTIME }, NOW);

    // Assess
    expect(result.accepted).toBe(4);
    expect(result.rejected).toEqual([
      { index: 2, line: 3, reason: expect.stringMatching(/^line 3: invalid JSON: /) },
    ]);
    expect(ports.logSink.stored.map((e) => e.message)).toEqual([
      'GET /predict',
      'GET /health',
      'Model inference completed',
      'CUDA OOM',
    ]);
    expect(result.predictions).toBe(1);
    expect(ports.events.records).toEqual([
      {
        timestampMs: Date.UTC(2026, 10, 25, 11, 59, 2),
        service: 'inference',
        model: 'pneumonia',
        modelVersion: 'v2.1',
        measures: { confidence: 0.95, prediction: 'pneumonia', latency_ms: 120 },
      },
    ]);
  });

  it('counts stored events per service and level and writes vigil_log_events_total with the totals', async () => {
    // Prepare
    const ports = portsWith();
    await ingestLogEvents(parse(), ports, { logs: LOGS, runtime: RUNTIME }, NOW - 60_000);

    // Act
    await ingestLogEvents(parse(), ports, { logs: LOGS, runtime: RUNTIME }, NOW);

    // Assess
    expect(ports.counters.totals.get(counterKey('api', 'INFO'))).toBe(4);
    expect(ports.counters.totals.get(counterKey('inference', 'ERROR'))).toBe(2);
    expect(await counterSamples(ports.store, 'api', 'INFO')).toEqual([
      { t: NOW - 60_001, v: 0 },
      { t: NOW - 60_000, v: 2 },
      { t: NOW - 1, v: 2 },
      { t: NOW, v: 4 },
    ]);
    expect(await counterSamples(ports.store, 'inference', 'ERROR')).toEqual([
      { t: NOW - 60_001, v: 0 },
      { t: NOW - 60_000, v: 1 },
      { t: NOW - 1, v: 1 },
      { t: NOW, v: 2 },
    ]);
  });

  it("writes vigil_log_events_total from Vigil's reserve of metric names when clients have used theirs up", async () => {
    // Prepare: clients may use 2 metric names (3 minus 1 reserved), and have.
    const runtime: RuntimeConfig = {
      ...RUNTIME,
      limits: { ...RUNTIME.limits, maxMeasureNames: 3, reservedMeasureNames: 1 },
    };
    const names = {
      dimensions: new Set<string>(),
      measures: new Set(['http_requests_total', 'ml_model_accuracy']),
    };
    const ports = {
      ...portsWith(),
      cardinality: Object.assign(new NoopCardinalityTracker(), {
        admitNames: async (series: readonly SeriesNames[], budget: NameBudget) =>
          admitNamesInMemory(names, series, budget),
      }),
    };

    // Act
    const result = await ingestLogEvents(parse(), ports, { logs: LOGS, runtime }, NOW);

    // Assess
    expect(result.countersRejected).toEqual([]);
    expect(await counterSamples(ports.store, 'api', 'INFO')).toEqual([
      { t: NOW - 1, v: 0 },
      { t: NOW, v: 2 },
    ]);
    expect(names.measures.has('vigil_log_events_total')).toBe(true);
  });

  it('reports events the log sink refuses with their request index, and neither counts nor records them', async () => {
    // Prepare
    const ports = portsWith({
      logSink: new InMemoryLogSink((e) =>
        e.service === 'inference' ? 'more than 14 days old' : undefined,
      ),
    });

    // Act
    const result = await ingestLogEvents(parse(), ports, { logs: LOGS, runtime: RUNTIME }, NOW);

    // Assess
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.reason])).toEqual([
      [2, expect.stringMatching(/^line 3: invalid JSON/)],
      [3, 'event 3: more than 14 days old'],
      [4, 'event 4: more than 14 days old'],
    ]);
    expect(ports.events.records).toEqual([]);
    expect([...ports.counters.totals.keys()]).toEqual([counterKey('api', 'INFO')]);
  });

  it('lists prediction records the event store refuses, while the event stays stored and counted', async () => {
    // Prepare
    const ports = portsWith({ events: new InMemoryEventStore(() => 'measure too long') });

    // Act
    const result = await ingestLogEvents(parse(), ports, { logs: LOGS, runtime: RUNTIME }, NOW);

    // Assess
    expect(result.accepted).toBe(4);
    expect(result.predictions).toBe(0);
    expect(result.predictionsRejected).toEqual([
      { index: 3, reason: 'event 3: prediction record refused: measure too long' },
    ]);
    expect(ports.counters.totals.get(counterKey('inference', 'INFO'))).toBe(1);
  });

  it('writes nothing else when the log write fails, so the sender can retry the whole request', async () => {
    // Prepare
    const ports = portsWith({
      logSink: new InMemoryLogSink(undefined, new StorageThrottledError('slow down')),
    });

    // Act
    const run = ingestLogEvents(parse(), ports, { logs: LOGS, runtime: RUNTIME }, NOW);

    // Assess
    await expect(run).rejects.toThrow(StorageThrottledError);
    expect(ports.events.records).toEqual([]);
    expect(ports.counters.totals.size).toBe(0);
    expect(await counterSamples(ports.store, 'api', 'INFO')).toEqual([]);
  });

  it('after a failure past the log write, a retry loses nothing: lines stored again, identical prediction records, counted once', async () => {
    // Prepare
    const failing = portsWith({
      counters: new InMemoryCounterStore(new StorageThrottledError('x')),
    });
    await expect(
      ingestLogEvents(parse(), failing, { logs: LOGS, runtime: RUNTIME }, NOW),
    ).rejects.toThrow(StorageThrottledError);
    const retry = portsWith({ logSink: failing.logSink, events: failing.events });

    // Act
    await ingestLogEvents(parse(), retry, { logs: LOGS, runtime: RUNTIME }, NOW);

    // Assess
    const apiLines = retry.logSink.stored.filter((e) => e.service === 'api').length;
    expect(apiLines).toBe(4);
    expect(retry.counters.totals.get(counterKey('api', 'INFO'))).toBe(2);
    expect(retry.events.records).toHaveLength(2);
    expect(retry.events.records[0]).toEqual(retry.events.records[1]);
  });

  it('reports counter samples the metric pipeline refuses (label value too long) without losing the events', async () => {
    // Prepare
    const ports = portsWith();
    const longService = 's'.repeat(3000);

    // Act
    const result = await ingestLogEvents(
      parse(line({ level: 'INFO', service: longService, message: 'x' })),
      ports,
      { logs: LOGS, runtime: RUNTIME },
      NOW,
    );

    // Assess
    expect(result.accepted).toBe(1);
    expect(result.countersRejected).toHaveLength(1);
    expect(result.countersRejected[0]).toMatch(/^value of label "service" longer than 2048 bytes/);
  });

  it('writes no prediction record for a prediction event without any declared measure', async () => {
    // Prepare
    const ports = portsWith();

    // Act
    const result = await ingestLogEvents(
      parse(line({ event: 'prediction', service: 'inference', message: 'no context' })),
      ports,
      { logs: LOGS, runtime: RUNTIME },
      NOW,
    );

    // Assess
    expect(result).toMatchObject({ accepted: 1, predictions: 0 });
    expect(ports.events.records).toEqual([]);
  });
});
