import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { traceIdFromTraceparent } from '../domain/logs/parse-log-events';

/**
 * One logger and one metrics instance per function. Level from POWERTOOLS_LOG_LEVEL (the CDK sets
 * it from `logLevel:` in the config); `cold_start` and the Lambda context come from
 * `injectLambdaContext`, `correlation_id` from {@link requestCorrelationId} (with-middlewares.ts).
 */
const logger = new Logger({ serviceName: 'vigil' });
const metrics = new Metrics({ namespace: 'Vigil', serviceName: 'vigil' });

/** Inside Lambda, metrics are flushed as EMF after each invocation (`logMetrics`); locally, never. */
const IN_LAMBDA = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);

/** Adds a count to this invocation's metrics (Vigil's own self-monitoring); a no-op locally. */
const countMetric = (name: string, value: number): void => {
  if (IN_LAMBDA && value > 0) metrics.addMetric(name, MetricUnit.Count, value);
};

/**
 * The correlation id of an HTTP request, for Vigil's own logs: the `X-Correlation-Id` header, else
 * the trace-id of a valid W3C `traceparent` header, else API Gateway's request id — the same ids
 * `POST /ingest/logs` attaches to events, so a client's request and Vigil's handling of it share one.
 */
const requestCorrelationId = (event: {
  headers?: Readonly<Record<string, string | undefined>> | null;
  requestContext?: { requestId?: string } | null;
}): string | undefined => {
  let header: string | undefined;
  let traceparent: string | undefined;
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    const name = k.toLowerCase();
    if (name === 'x-correlation-id' && v?.trim()) header = v.trim();
    else if (name === 'traceparent' && v?.trim()) traceparent = v.trim();
  }
  return header ?? traceIdFromTraceparent(traceparent) ?? event.requestContext?.requestId;
};

/**
 * For functions without the HTTP middleware chain (scheduled, SNS): adds the Lambda context and
 * `cold_start` to every log line of the invocation, and `correlation_id` when `correlationIdOf`
 * finds one in the event (EventBridge `id`, SNS `MessageId`); keys are reset afterwards.
 * @example export const handler = withLogContext(run, (e: ScheduledEvent) => e.id);
 */
const withLogContext =
  <E, R>(
    handler: (event: E, context?: Context) => Promise<R>,
    correlationIdOf: (event: E) => string | undefined = () => undefined,
  ) =>
  async (event: E, context?: Context): Promise<R> => {
    if (context !== undefined) logger.addContext(context);
    const id = correlationIdOf(event);
    if (id !== undefined) logger.setCorrelationId(id);
    try {
      return await handler(event, context);
    } finally {
      logger.resetKeys();
    }
  };

export { countMetric, IN_LAMBDA, logger, metrics, requestCorrelationId, withLogContext };
