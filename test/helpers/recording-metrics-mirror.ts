/**
 * `MetricsMirror` test double: remembers every mirrored batch.
 */
import type { MetricsMirror, MirroredSeries } from '../../lambdas/domain/ports';

class RecordingMetricsMirror implements MetricsMirror {
  /** Every call's series, in call order. */
  readonly calls: (readonly MirroredSeries[])[] = [];

  async mirror(series: readonly MirroredSeries[]): Promise<void> {
    this.calls.push(series);
  }
}

export { RecordingMetricsMirror };
