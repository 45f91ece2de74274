import type middy from '@middy/core';
import { createError } from '@middy/util';
import {
  BadRequestError,
  PayloadTooLargeError,
  QueryUnavailableError,
  ResponseTooLargeError,
  StorageThrottledError,
  StorageUnavailableError,
  UnsupportedMediaTypeError,
} from '../../domain/errors';

/** How an endpoint reports errors: plain text (ingest APIs) or Prometheus's JSON envelope. */
export const ErrorFormat = { Text: 'text', Prometheus: 'prometheus' } as const;
export type ErrorFormat = (typeof ErrorFormat)[keyof typeof ErrorFormat];

interface Mapped {
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
  readonly headers?: Record<string, string>;
}

/** Names of the parser error classes (they live in their own modules; matched by name). */
const PARSE_ERROR_NAMES = new Set([
  'ExpositionParseError',
  'RemoteWriteDecodeError',
  'PromqlParseError',
]);

/** Names of the PromQL evaluation error classes (Prometheus `errorType: execution`). */
const EXECUTION_ERROR_NAMES = new Set(['PromqlExecutionError', 'PromqlTooManySamplesError']);

/** The one mapping from domain errors to HTTP statuses (anything else is a 500). */
const mapError = (error: Error): Mapped | undefined => {
  if ((error as Error & { kind?: string }).kind === 'too_large') {
    return { status: 413, errorType: 'bad_data', message: error.message };
  }
  if (error instanceof BadRequestError)
    return { status: 400, errorType: 'bad_data', message: error.message };
  if (error instanceof PayloadTooLargeError)
    return { status: 413, errorType: 'bad_data', message: error.message };
  if (error instanceof UnsupportedMediaTypeError)
    return { status: 415, errorType: 'bad_data', message: error.message };
  // Prometheus answers 422 `execution` when a query cannot be executed; a result too large to
  // return is one (https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview).
  if (error instanceof ResponseTooLargeError)
    return { status: 422, errorType: 'execution', message: error.message };
  if (error instanceof StorageThrottledError) {
    return {
      status: 503,
      errorType: 'unavailable',
      message: 'storage is throttling writes, retry later',
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) },
    };
  }
  if (error instanceof StorageUnavailableError) {
    return {
      status: 503,
      errorType: 'unavailable',
      message: 'storage is unavailable, retry later',
    };
  }
  if (error instanceof QueryUnavailableError) {
    return {
      status: 503,
      errorType: 'unavailable',
      message: `query engine is unavailable, retry later: ${error.message}`,
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) },
    };
  }
  // lambdas/domain/promql/errors.ts, as Prometheus's API maps them (the query endpoints map
  // them themselves; the read endpoints meet them through a remote query engine).
  if (EXECUTION_ERROR_NAMES.has(error.name))
    return { status: 422, errorType: 'execution', message: error.message };
  if (error.name === 'PromqlTimeoutError')
    return { status: 503, errorType: 'timeout', message: error.message };
  if (PARSE_ERROR_NAMES.has(error.name))
    return { status: 400, errorType: 'bad_data', message: error.message };
  // lambdas/domain/alerting/silences.ts; Alertmanager answers 404 for an unknown silence id.
  if (error.name === 'SilenceNotFoundError')
    return { status: 404, errorType: 'not_found', message: error.message };
  return undefined;
};

/**
 * Turns domain errors into middy `HttpError`s with the body in the endpoint's format, for
 * `@middy/http-error-handler` to send. Registered after it, so its onError runs first.
 */
const mapDomainErrors = (opts: { format: ErrorFormat }): middy.MiddlewareObj => {
  const mapDomainErrorsOnError: middy.MiddlewareFn = async (request) => {
    const error = request.error;
    if (!error || (error as { statusCode?: number }).statusCode) return;
    const mapped = mapError(error);
    if (!mapped) return;
    const body =
      opts.format === ErrorFormat.Prometheus
        ? JSON.stringify({ status: 'error', errorType: mapped.errorType, error: mapped.message })
        : `${mapped.message}\n`;
    const httpError = createError(mapped.status, body, { expose: true, cause: error });
    // middy's HttpError constructor keeps only `expose` and `cause` from its options, while
    // http-error-handler reads `error.headers`: set them on the error itself (Retry-After).
    request.error = Object.assign(httpError, { headers: mapped.headers ?? {} });
  };
  return { onError: mapDomainErrorsOnError };
};

export { mapDomainErrors, mapError };
