import type { AuthorizationConfig, BasicAuthConfig } from '../config/http-auth';
import type { ScrapeCredentialKind } from './scrape-config';

/** One HTTP(S) scrape of a target (`scrape_configs`); credentials are resolved by the adapter. */
export interface ScrapeRequest {
  /** Full URL, query included, e.g. `http://api:8000/metrics`. */
  readonly url: string;
  /** The scrape fails after this long (`scrape_timeout`). */
  readonly timeoutMs: number;
  /** `tls_config.insecure_skip_verify`. */
  readonly insecureSkipVerify: boolean;
  readonly basicAuth?: BasicAuthConfig<ScrapeCredentialKind>;
  readonly authorization?: AuthorizationConfig<ScrapeCredentialKind>;
}

/**
 * Fetches a target's exposition body (HTTP on AWS and locally). Throws an `Error` whose message
 * is the reason the scrape failed (it becomes the target's `lastError`); a status other than 200
 * is a failure.
 */
export interface Scraper {
  scrape(request: ScrapeRequest): Promise<{ readonly body: string; readonly contentType: string }>;
}
