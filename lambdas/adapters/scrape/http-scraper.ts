/**
 * `Scraper` over node:http / node:https, sending what Prometheus's `targetScraper` sends:
 * `Accept` as Prometheus 2.x builds it from the default `scrape_protocols` (OpenMetrics 1.0.0,
 * OpenMetrics 0.0.1, text 0.0.4, with decreasing q weights; the body is then parsed by its
 * Content-Type),
 * `Accept-Encoding: gzip`, `User-Agent`, `X-Prometheus-Scrape-Timeout-Seconds`, and basic auth or
 * `Authorization: <type> <credentials>`. A status other than 200 fails the scrape with
 * "server returned HTTP status …", as Prometheus does; so do the timeout (the whole request, body
 * included) and a body over the size limit.
 * @see https://github.com/prometheus/prometheus/blob/main/scrape/scrape.go (`acceptHeader`, `scrape`, `readResponse`)
 */
import { request as httpRequest, type IncomingMessage, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createGunzip } from 'node:zlib';
import type { ScrapeRequest, Scraper } from '../../domain/scrape/scraper';
import { authorizationHeader, CredentialReadError } from '../http/credentials';

/**
 * Prometheus 2.x's `acceptHeader([OpenMetricsText1.0.0, OpenMetricsText0.0.1, PrometheusText0.0.4])`:
 * 4 protocols known, so weights from 0.5 down. Prometheus 3 also offers `text/plain;version=1.0.0`
 * and `escaping=allow-utf-8` (UTF-8 metric names), which Vigil does not read.
 */
const SCRAPE_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';

/** Largest (decompressed) body read, bytes. Prometheus's `body_size_limit` is unlimited by default; a Lambda's memory is not. */
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Why a scrape failed, in words for `lastError`. */
class ScrapeFailedError extends Error {
  override readonly name = 'ScrapeFailedError';
}

interface HttpScraperOptions {
  /** Resolves a `*_secret` credential (Secrets Manager on AWS). @default - refuses them */
  readonly readSecret?: (secretId: string) => Promise<string>;
  /** @default 10 MiB */
  readonly maxBodyBytes?: number;
  /** @default 'Vigil' */
  readonly userAgent?: string;
}

class HttpScraper implements Scraper {
  readonly #opts: HttpScraperOptions;

  constructor(opts: HttpScraperOptions = {}) {
    this.#opts = opts;
  }

  async #headers(req: ScrapeRequest): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      Accept: SCRAPE_ACCEPT_HEADER,
      'Accept-Encoding': 'gzip',
      'User-Agent': this.#opts.userAgent ?? 'Vigil',
      'X-Prometheus-Scrape-Timeout-Seconds': String(req.timeoutMs / 1000),
    };
    try {
      const authorization = await authorizationHeader(req, this.#opts);
      if (authorization !== undefined) headers.Authorization = authorization;
    } catch (err) {
      if (err instanceof CredentialReadError) throw new ScrapeFailedError(err.message);
      throw err;
    }
    return headers;
  }

  async scrape(req: ScrapeRequest): Promise<{ body: string; contentType: string }> {
    const headers = await this.#headers(req);
    const limit = this.#opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const url = new URL(req.url);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        r.destroy();
        reject(err instanceof ScrapeFailedError ? err : new ScrapeFailedError(err.message));
      };
      const r = send(
        url,
        {
          method: 'GET',
          headers,
          ...(url.protocol === 'https:' ? { rejectUnauthorized: !req.insecureSkipVerify } : {}),
        },
        (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            res.resume();
            fail(
              new ScrapeFailedError(
                `server returned HTTP status ${res.statusCode} ${res.statusMessage || STATUS_CODES[res.statusCode ?? 0] || ''}`.trim(),
              ),
            );
            return;
          }
          const gzip = /^gzip$/i.test(String(res.headers['content-encoding'] ?? '').trim());
          const stream = gzip ? res.pipe(createGunzip()) : res;
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            if (size > limit) {
              fail(new ScrapeFailedError(`body size limit exceeded (more than ${limit} bytes)`));
              return;
            }
            chunks.push(c);
          });
          stream.on('error', (err: Error) => fail(err));
          stream.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({
              body: Buffer.concat(chunks).toString('utf8'),
              contentType: String(res.headers['content-type'] ?? ''),
            });
          });
        },
      );
      // Prometheus's error text for a scrape that outlives its context deadline.
      const timer = setTimeout(
        () =>
          fail(
            new ScrapeFailedError(
              `Get "${req.url}": context deadline exceeded (scrape_timeout ${req.timeoutMs / 1000}s)`,
            ),
          ),
        req.timeoutMs,
      );
      r.on('error', (err: Error) =>
        fail(new ScrapeFailedError(`Get "${req.url}": ${err.message}`)),
      );
      r.end();
    });
  }
}

export type { HttpScraperOptions };
export { DEFAULT_MAX_BODY_BYTES, HttpScraper, SCRAPE_ACCEPT_HEADER, ScrapeFailedError };
