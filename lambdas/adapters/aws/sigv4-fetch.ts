/**
 * A `fetch` that signs every request with AWS Signature Version 4, for the HTTP APIs that have
 * no SDK client on our path: Amazon Managed Service for Prometheus's remote-write and query
 * endpoints (service name `aps`). Every AMP adapter sends through one of these.
 *
 * The signature covers the method, path, query, the `host` and `x-amz-*` headers and every
 * header the caller sets, and the SHA-256 of the body (sent as `x-amz-content-sha256` too).
 * The query string is re-encoded the way SigV4 canonicalises it (RFC 3986, `%20` for a space,
 * never `+`), so the bytes on the wire are the bytes that were signed.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-secure-API-calls.html (AMP
 *   requires SigV4 with the service name `aps`)
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** The request a {@link SignedFetch} sends. Header names are case-insensitive. */
export interface SignedFetchInit {
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array | string;
  /** Aborts the request (e.g. `AbortSignal.timeout(ms)`); not signed. */
  readonly signal?: AbortSignal;
}

/** The answer: the transport's own `Response`, body unread. */
export type SignedFetchResponse = Response;

/** Sends one signed HTTP request. Network failures reject, as `fetch` does. */
export type SignedFetch = (url: string, init: SignedFetchInit) => Promise<SignedFetchResponse>;

/** Options of {@link createSigV4Fetch}. */
export interface SigV4FetchOptions {
  /** The region of the endpoint, e.g. `eu-west-1`. */
  readonly region: string;
  /** The SigV4 service name. @default 'aps' (Amazon Managed Service for Prometheus) */
  readonly service?: string;
  /** Credentials, or a provider of them. @default the SDK's default chain (env, SSO, web identity, ECS/EC2, Lambda's role) */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The transport. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** The signing time. @default () => new Date() */
  readonly now?: () => Date;
}

/** RFC 3986 escaping, as SigV4's canonical query string uses it. */
const escapeUri = (s: string): string =>
  encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

/** The query of `url` as SigV4 reads it (decoded names → one value or several). */
const queryOf = (url: URL): Record<string, string | string[]> => {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const previous = query[name];
    if (previous === undefined) query[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else query[name] = [previous, value];
  }
  return query;
};

/** The query string exactly as signed: names and values RFC 3986-escaped, in order. */
const canonicalSearch = (url: URL): string => {
  const parts: string[] = [];
  for (const [name, value] of url.searchParams)
    parts.push(`${escapeUri(name)}=${escapeUri(value)}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
};

/**
 * Builds a {@link SignedFetch} for one region and service.
 * @example
 * const signedFetch = createSigV4Fetch({ region: 'eu-west-1' });
 * const res = await signedFetch(`${workspaceUrl}/api/v1/query?query=up`, { method: 'GET' });
 */
export const createSigV4Fetch = (opts: SigV4FetchOptions): SignedFetch => {
  const signer = new SignatureV4({
    region: opts.region,
    service: opts.service ?? 'aps',
    credentials: opts.credentials ?? defaultProvider(),
    sha256: Sha256,
    uriEscapePath: true,
  });
  const send = opts.fetch ?? globalThis.fetch;
  const now = opts.now ?? (() => new Date());
  return async (url, init) => {
    const target = new URL(url);
    const headers: Record<string, string> = { host: target.host };
    for (const [name, value] of Object.entries(init.headers ?? {})) {
      if (name.toLowerCase() !== 'host') headers[name.toLowerCase()] = value;
    }
    const signed = await signer.sign(
      {
        method: init.method.toUpperCase(),
        protocol: target.protocol,
        hostname: target.hostname,
        ...(target.port ? { port: Number(target.port) } : {}),
        path: target.pathname,
        query: queryOf(target),
        headers,
        ...(init.body !== undefined ? { body: init.body } : {}),
      },
      { signingDate: now() },
    );
    // fetch sets Host itself, from the URL: the same value that was signed.
    const { host: _host, ...sent } = signed.headers as Record<string, string>;
    return send(`${target.origin}${target.pathname}${canonicalSearch(target)}`, {
      method: init.method.toUpperCase(),
      headers: sent,
      ...(init.body !== undefined ? { body: init.body } : {}),
      ...(init.signal !== undefined ? { signal: init.signal } : {}),
    });
  };
};
