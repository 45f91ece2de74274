import type { RuntimeConfig } from '../config/types';
import { type IngestPorts, ingestSeries } from '../ingest/ingest-series';
import type { RejectedSample } from '../ports';
import type { GpuMetricSource } from './gpu-metric-source';
import { batchBySamples, importWindow, isGpuMetric, toImportedSeries } from './import-mapping';

/** What one import run needs. */
interface GpuImportDeps {
  readonly source: GpuMetricSource;
  /** The ingest pipeline's ports: validation, cardinality guard, store, mirror. */
  readonly ingest: IngestPorts;
  readonly config: RuntimeConfig;
  /** Minutes between runs (`gpu.import.scheduleMinutes`). */
  readonly scheduleMinutes: number;
  /** GetMetricData period: the agent's collection interval, at least 60 s. */
  readonly periodSeconds: number;
}

/** The outcome of one run, for the log line and the function's metrics. */
interface GpuImportSummary {
  /** GPU metrics discovered (metric name × dimension set). */
  readonly metrics: number;
  /** Series written (imported plus derived). */
  readonly series: number;
  readonly accepted: number;
  readonly rejected: readonly RejectedSample[];
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * One scheduled import: discover the GPU metrics, read the last window, convert them to
 * Prometheus-style series and write them through the same ingest pipeline the HTTP endpoints use
 * (so the cardinality guard, the store and the CloudWatch mirror apply), in batches within
 * `limits.maxSamplesPerRequest`.
 */
const importGpuMetrics = async (deps: GpuImportDeps, nowMs: number): Promise<GpuImportSummary> => {
  const window = importWindow(nowMs, deps.scheduleMinutes, deps.periodSeconds);
  const metrics = (await deps.source.discover()).filter(isGpuMetric);
  if (metrics.length === 0) {
    return {
      metrics: 0,
      series: 0,
      accepted: 0,
      rejected: [],
      startMs: window.startMs,
      endMs: window.endMs,
    };
  }
  const data = await deps.source.fetch(metrics, window);
  const series = toImportedSeries(data);
  let accepted = 0;
  const rejected: RejectedSample[] = [];
  for (const batch of batchBySamples(series, deps.config.limits.maxSamplesPerRequest)) {
    // Vigil's own series: they may use the names reserved for Vigil (limits.reserved*Names).
    const result = await ingestSeries(batch, deps.ingest, deps.config, nowMs, { origin: 'vigil' });
    accepted += result.accepted;
    rejected.push(...result.rejected);
  }
  return {
    metrics: metrics.length,
    series: series.length,
    accepted,
    rejected,
    startMs: window.startMs,
    endMs: window.endMs,
  };
};

export type { GpuImportDeps, GpuImportSummary };
export { importGpuMetrics };
