/**
 * S3 failures as storage errors: `SlowDown` / 503 → `StorageThrottledError` (retry after 1 s),
 * other 5xx → `StorageUnavailableError`; anything else is returned as it is.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import { StorageThrottledError, StorageUnavailableError } from '../../domain/errors';

/** The error to throw for an S3 call that failed while `what` (e.g. "listing drift reports"). */
const storageErrorOfS3 = (error: unknown, what: string): Error => {
  const e = error as Error & { $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (e.name === 'SlowDown' || status === 503)
    return new StorageThrottledError(`S3 throttled ${what}`, 1000, { cause: error });
  if (status >= 500) return new StorageUnavailableError(`S3 failed ${what}`, { cause: error });
  return e instanceof Error ? e : new Error(String(error));
};

export { storageErrorOfS3 };
