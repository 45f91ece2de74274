import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** One logger and one metrics instance per function (service name from POWERTOOLS_SERVICE_NAME). */
const logger = new Logger({ serviceName: 'vigil' });
const metrics = new Metrics({ namespace: 'Vigil', serviceName: 'vigil' });

/** Inside Lambda, metrics are flushed as EMF after each invocation (`logMetrics`); locally, never. */
const IN_LAMBDA = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);

/** Adds a count to this invocation's metrics (Vigil's own self-monitoring); a no-op locally. */
const countMetric = (name: string, value: number): void => {
  if (IN_LAMBDA && value > 0) metrics.addMetric(name, MetricUnit.Count, value);
};

export { countMetric, IN_LAMBDA, logger, metrics };
