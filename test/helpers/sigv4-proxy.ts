/**
 * A stand-in for an Amazon Managed Service for Prometheus workspace endpoint, for tests: a
 * node:http server on 127.0.0.1 that checks the SigV4 signature of every request (service
 * `aps`, one region, one known access key) as AMP does, answers 403 with AMP's kind of body when
 * it does not match, and forwards valid requests to a real Prometheus with AMP's URL shapes
 * rewritten to Prometheus's:
 * - `POST /workspaces/<id>/api/v1/remote_write` → `/api/v1/write` (remote-write receiver);
 * - `/workspaces/<id>/api/v1/<query API path>` → `/api/v1/<query API path>`.
 *
 * The signature is checked by signing the received request again with the known secret
 * (`@smithy/signature-v4`, over exactly the headers named in `SignedHeaders`, at the time in
 * `X-Amz-Date`) and comparing; the body is hashed as received, so a changed body fails even if
 * `x-amz-content-sha256` was left as sent.
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-APIReference-RemoteWrite.html
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-APIReference-QueryMetrics.html
 * @see https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-APIReference-GetSeries.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  request as httpRequest,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

/** Test credentials the proxy accepts. */
export const TEST_ACCESS_KEY_ID = 'AKIAVIGILTESTKEY0001';
export const TEST_SECRET_ACCESS_KEY = 'vigil/test/secret/key/0123456789abcdefghij';

export interface SigV4ProxyOptions {
  /** Where valid requests go, e.g. `http://127.0.0.1:9090`. Without it, valid requests get 204. */
  readonly target?: string;
  /** @default 'eu-west-1' */
  readonly region?: string;
  /** @default {@link TEST_ACCESS_KEY_ID} */
  readonly accessKeyId?: string;
  /** @default {@link TEST_SECRET_ACCESS_KEY} */
  readonly secretAccessKey?: string;
  /** Largest clock skew accepted, ms (AWS accepts 5 minutes). @default 300000 */
  readonly maxSkewMs?: number;
}

/** A received request and the proxy's verdict. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly verdict: 'forwarded' | 'refused';
  readonly reason?: string;
  readonly bodyBytes: number;
}

export interface SigV4Proxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** X-Amz-Date (`20261206T120000Z`) as a Date. */
const parseAmzDate = (s: string): Date | undefined => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** AMP's path → Prometheus's path, or undefined for a path AMP would not serve. */
const rewritePath = (path: string): string | undefined => {
  const m = /^\/workspaces\/[-_.0-9A-Za-z]{1,100}\/api\/v1\/(.+)$/.exec(path);
  if (!m) return undefined;
  return m[1] === 'remote_write' ? '/api/v1/write' : `/api/v1/${m[1]}`;
};

/** Starts the proxy on a free port of 127.0.0.1. */
export const startSigV4Proxy = async (opts: SigV4ProxyOptions = {}): Promise<SigV4Proxy> => {
  const region = opts.region ?? 'eu-west-1';
  const accessKeyId = opts.accessKeyId ?? TEST_ACCESS_KEY_ID;
  const maxSkewMs = opts.maxSkewMs ?? 300_000;
  const signer = new SignatureV4({
    service: 'aps',
    region,
    credentials: { accessKeyId, secretAccessKey: opts.secretAccessKey ?? TEST_SECRET_ACCESS_KEY },
    sha256: Sha256,
    applyChecksum: false,
  });
  const requests: ProxiedRequest[] = [];

  /** Why the signature is wrong, or undefined when it is right. */
  const verify = async (
    req: IncomingMessage,
    url: URL,
    body: Buffer,
  ): Promise<string | undefined> => {
    const auth = AUTH_RE.exec(req.headers.authorization ?? '');
    if (!auth) return 'Authorization header is missing or not AWS4-HMAC-SHA256';
    const [, keyId, day, authRegion, service, signedList, signature] = auth;
    if (keyId !== accessKeyId) return `unknown access key ${keyId}`;
    if (service !== 'aps') return `credential scope names service ${service}, not aps`;
    if (authRegion !== region) return `credential scope names region ${authRegion}, not ${region}`;
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const signingDate = parseAmzDate(amzDate);
    if (!signingDate || amzDate.slice(0, 8) !== day)
      return 'X-Amz-Date is missing or disagrees with the scope';
    if (Math.abs(Date.now() - signingDate.getTime()) > maxSkewMs) return 'Signature expired';
    const bodyHash = createHash('sha256').update(body).digest('hex');
    const sentHash = req.headers['x-amz-content-sha256'];
    if (sentHash !== undefined && sentHash !== bodyHash)
      return 'x-amz-content-sha256 does not match the body';
    const signed = new Set((signedList ?? '').split(';'));
    if (!signed.has('host')) return 'host is not a signed header';
    const headers: Record<string, string> = {};
    for (const name of signed) {
      const value = req.headers[name];
      if (value === undefined) return `signed header ${name} is missing`;
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    if (signed.has('x-amz-content-sha256')) headers['x-amz-content-sha256'] = bodyHash;
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const again = await signer.sign(
      {
        method: req.method ?? 'GET',
        protocol: 'https:',
        hostname: url.hostname,
        path: url.pathname,
        query,
        headers,
        body,
      },
      { signingDate, signableHeaders: signed },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(again.headers.authorization))?.[1];
    return expected === signature
      ? undefined
      : 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
  };

  const refuse = (res: ServerResponse, status: number, message: string): void => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-errortype':
        status === 403 ? 'InvalidSignatureException' : 'ResourceNotFoundException',
    });
    res.end(JSON.stringify({ message }));
  };

  const forward = (req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void => {
    if (!opts.target) {
      res.writeHead(204).end();
      return;
    }
    const target = new URL(path, opts.target);
    const headers: Record<string, string> = {};
    for (const name of [
      'content-type',
      'content-encoding',
      'x-prometheus-remote-write-version',
      'accept',
    ]) {
      const v = req.headers[name];
      if (typeof v === 'string') headers[name] = v;
    }
    headers['content-length'] = String(body.length);
    const upstream = httpRequest(target, { method: req.method ?? 'GET', headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (e) => {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${e.message}`);
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
      const body = await readBody(req);
      const record = (verdict: ProxiedRequest['verdict'], reason?: string) =>
        requests.push({
          method: req.method ?? 'GET',
          path: `${url.pathname}${url.search}`,
          verdict,
          ...(reason !== undefined ? { reason } : {}),
          bodyBytes: body.length,
        });
      const problem = await verify(req, url, body);
      if (problem !== undefined) {
        record('refused', problem);
        refuse(res, 403, problem);
        return;
      }
      const path = rewritePath(url.pathname);
      if (path === undefined) {
        record('refused', 'not a workspace API path');
        refuse(res, 404, `no such workspace API path: ${url.pathname}`);
        return;
      }
      record('forwarded');
      forward(req, res, `${path}${url.search}`, body);
    })().catch((e: Error) => {
      res.writeHead(500).end(e.message);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};
