/**
 * `MetricsMirror` for AWS: allow-listed samples become CloudWatch Embedded Metric Format lines on
 * the function's stdout. In Lambda every stdout line lands in the function's log stream, and
 * CloudWatch Logs extracts the metrics from it: no PutMetricData call on the hot path, no
 * cloudwatch:PutMetricData permission, no extra latency.
 *
 * Use `process.stdout.write`, not `console.log`: with Lambda's JSON log format `console.log`
 * wraps the message in its own JSON object and CloudWatch would no longer see an EMF document.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { CloudWatchConfig } from '../../domain/config/types';
import type { Clock, MetricsMirror, MirroredSeries } from '../../domain/ports';
import { type EmfFormatResult, formatEmf, validateMirrorRules } from './emf-format';

interface EmfMetricsMirrorOptions {
  /** Namespace and allow-list (`cloudwatch` in vigil.config.yaml). */
  readonly config: CloudWatchConfig;
  /**
   * Receives one EMF document per call, without newline.
   * @default writes the line and a newline to `process.stdout`
   */
  readonly write?: (line: string) => void;
  /** @default the system clock */
  readonly clock?: Clock;
}

const stdoutWrite = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const systemClock: Clock = { now: () => Date.now() };

/**
 * Mirrors allow-listed series to CloudWatch through EMF log lines.
 * The allow-list is checked against CloudWatch's limits when the mirror is built
 * (`MirrorConfigError`), so a bad config fails at cold start, not on every request.
 */
class EmfMetricsMirror implements MetricsMirror {
  readonly #config: CloudWatchConfig;
  readonly #write: (line: string) => void;
  readonly #clock: Clock;

  constructor(options: EmfMetricsMirrorOptions) {
    validateMirrorRules(options.config.namespace, options.config.mirror);
    this.#config = options.config;
    this.#write = options.write ?? stdoutWrite;
    this.#clock = options.clock ?? systemClock;
  }

  /** Writes the EMF lines for `series` (see {@link EmfMetricsMirror.mirrorWithReport}). */
  async mirror(series: readonly MirroredSeries[]): Promise<void> {
    this.mirrorWithReport(series);
  }

  /**
   * Writes the EMF lines for `series` and returns what was emitted and what was skipped (NaN,
   * ±Inf, staleness markers, out-of-range values or timestamps, unusable dimension values), so a
   * caller that knows this adapter can log or count the skips. The `MetricsMirror` port's
   * `mirror()` returns nothing.
   */
  mirrorWithReport(series: readonly MirroredSeries[]): EmfFormatResult {
    const result = formatEmf(series, {
      namespace: this.#config.namespace,
      rules: this.#config.mirror,
      nowMs: this.#clock.now(),
    });
    for (const line of result.lines) this.#write(line);
    return result;
  }
}

export type { EmfMetricsMirrorOptions };
export { EmfMetricsMirror };
