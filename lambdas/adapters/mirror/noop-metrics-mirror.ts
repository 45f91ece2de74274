import type { MetricsMirror, MirroredSeries } from '../../domain/ports';

/** `MetricsMirror` for local mode, where there is no CloudWatch: mirrors nothing. */
class NoopMetricsMirror implements MetricsMirror {
  async mirror(_series: readonly MirroredSeries[]): Promise<void> {}
}

export { NoopMetricsMirror };
