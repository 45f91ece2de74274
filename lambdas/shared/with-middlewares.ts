import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ErrorFormat, mapDomainErrors } from './middleware/map-domain-errors';
import { rawBody } from './middleware/raw-body';
import { IN_LAMBDA, logger, metrics, requestCorrelationId } from './powertools';

export interface HttpHandlerOptions {
  /** How errors are reported. @default ErrorFormat.Text */
  readonly errorFormat?: ErrorFormat;
  /** Decode the body into `event.rawBody`, with this size limit. */
  readonly rawBody?: { readonly maxBytes: number; readonly gzip?: boolean };
}

export type HttpHandler<E extends APIGatewayProxyEvent = APIGatewayProxyEvent> = (
  event: E,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/** Adds the request's `correlation_id` to every log line of this invocation. */
const correlationIdBefore = (request: { event: APIGatewayProxyEvent }): void => {
  const id = requestCorrelationId(request.event);
  if (id !== undefined) logger.setCorrelationId(id);
};

/**
 * The one middleware chain of every HTTP function: Powertools logger context and metrics,
 * body decoding, then error mapping (domain error → status) and `httpErrorHandler` — which
 * exposes 4xx messages and hides 5xx details behind a generic message.
 */
const withMiddlewares = <E extends APIGatewayProxyEvent>(
  handler: HttpHandler<E>,
  opts: HttpHandlerOptions = {},
) => {
  // resetKeys: the correlation id of one request never leaks into the next one's logs.
  const chain = middy<E, APIGatewayProxyResult>(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use({ before: correlationIdBefore });
  // EMF metrics only mean something inside Lambda; local mode would print them to the console.
  if (IN_LAMBDA) {
    chain.use(logMetrics(metrics, { captureColdStartMetric: true }));
  }
  if (opts.rawBody)
    chain.use(rawBody(opts.rawBody) as unknown as middy.MiddlewareObj<E, APIGatewayProxyResult>);
  const wrapped = chain
    .use(
      httpErrorHandler({
        logger: (e: unknown) => {
          const status = (e as { statusCode?: number }).statusCode ?? 500;
          if (status >= 500) logger.error('request failed', e as Error);
          else logger.warn('request refused', { status, reason: (e as Error).message });
        },
        fallbackMessage: 'internal error',
      }),
    )
    .use(mapDomainErrors({ format: opts.errorFormat ?? ErrorFormat.Text }));
  // The middlewares turn an API Gateway event into `E` (e.g. add `rawBody`) before the handler runs.
  return wrapped as unknown as HttpHandler;
};

export { withMiddlewares };
