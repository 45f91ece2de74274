/**
 * Domain errors. Handlers never build HTTP responses from errors themselves: one mapping in
 * `lambdas/shared/middleware/` turns these into status codes (4xx for the caller's mistakes,
 * 503 + Retry-After for throttling, 5xx otherwise).
 */

/** Something in a request is invalid; `details` names what and where. Maps to 400. */
export class BadRequestError extends Error {
  override readonly name: string = 'BadRequestError';
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = [], options?: ErrorOptions) {
    super(message, options);
    this.details = details;
  }
}

/** The request is larger than a documented limit. Maps to 413. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** The request's content type is not one this endpoint reads. Maps to 415. */
export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
}

/** The store asked us to slow down and retries ran out. Maps to 503 with Retry-After. */
export class StorageThrottledError extends Error {
  override readonly name = 'StorageThrottledError';
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs = 1000, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The store failed in a way a retry may fix. Maps to 503. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}

/** A notification could not be delivered; `failed` names the group keys. Maps to retries/DLQ. */
export class NotifierError extends Error {
  override readonly name = 'NotifierError';
  readonly failed: readonly string[];
  constructor(message: string, failed: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.failed = failed;
  }
}

/**
 * The query engine cannot answer now (a remote Prometheus API throttling, failing or out of
 * reach); a retry may succeed. Maps to 503 `unavailable` with Retry-After.
 */
export class QueryUnavailableError extends Error {
  override readonly name = 'QueryUnavailableError';
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs = 1000, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A response would be larger than the API may return (`limits.maxResponseBytes`, which keeps it
 * under Lambda's 6 MB response payload). Thrown while encoding, before the whole body exists.
 * Maps to 422 with Prometheus's `errorType` `execution`.
 */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly limitBytes: number;
  constructor(message: string, limitBytes: number, options?: ErrorOptions) {
    super(message, options);
    this.limitBytes = limitBytes;
  }
}
