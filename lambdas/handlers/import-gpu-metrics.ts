import type { ScheduledEvent } from 'aws-lambda';
import { type GpuImportSummary, importGpuMetrics } from '../domain/gpu/gpu-import';
import { awsGpuImportDeps } from '../wiring/gpu-import-deps';
import { countMetric, IN_LAMBDA, logger, metrics, withLogContext } from '../shared/powertools';

const deps = awsGpuImportDeps();

/**
 * Lambda entry point of the scheduled GPU import (EventBridge rule): the CloudWatch agent's
 * `nvidia_smi_*` metrics of the last window → `gpu_*` series in the store. A failed run throws;
 * the next run's window overlaps it, so nothing is lost for a single failure.
 */
const run = async (
  event: ScheduledEvent,
): Promise<Omit<GpuImportSummary, 'rejected'> & { rejected: number }> => {
  try {
    const summary = await importGpuMetrics(deps, Date.now());
    countMetric('GpuMetricsImported', summary.accepted);
    countMetric('GpuMetricsRejected', summary.rejected.length);
    const { rejected, ...rest } = summary;
    if (rejected.length > 0) logger.warn('GPU samples rejected', { first: rejected.slice(0, 5) });
    logger.info('GPU metrics imported', {
      scheduledAt: event.time,
      ...rest,
      rejected: rejected.length,
    });
    return { ...rest, rejected: rejected.length };
  } catch (err) {
    countMetric('GpuImportFailures', 1);
    logger.error('GPU import failed', err as Error);
    throw err;
  } finally {
    if (IN_LAMBDA) metrics.publishStoredMetrics();
  }
};

export const handler = withLogContext(run, (e: ScheduledEvent) => e.id);
