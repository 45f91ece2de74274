import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigV4Fetch, type SignedFetch } from '../../../../lambdas/adapters/aws/sigv4-fetch';
import {
  type SigV4Proxy,
  startSigV4Proxy,
  TEST_ACCESS_KEY_ID,
  TEST_SECRET_ACCESS_KEY,
} from '../../../helpers/sigv4-proxy';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SIGNING_TIME = new Date('2026-12-06T12:00:00Z');
const WORKSPACE = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd';

interface Captured {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array | string | undefined;
}

/** A transport that records the request and answers 200. */
const capturingFetch = (): { fetch: typeof fetch; calls: Captured[] } => {
  const calls: Captured[] = [];
  const stub = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      method: String(init.method),
      headers: init.headers as Record<string, string>,
      body: init.body as Uint8Array | string | undefined,
    });
    return new Response('', { status: 200 });
  }) as unknown as typeof fetch;
  return { fetch: stub, calls };
};

const sha256Hex = (data: string | Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data).digest();

/**
 * SigV4 written out from the IAM user guide's steps, with node:crypto only, to check the signer
 * against: canonical request → string to sign → derived key → signature.
 */
const expectedAuthorization = (req: {
  method: string;
  path: string;
  canonicalQuery: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  region: string;
}): string => {
  const amzDate = '20261206T120000Z';
  const day = '20261206';
  const names = Object.keys(req.headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${req.headers[n]}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    req.method,
    req.path,
    req.canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    sha256Hex(req.body),
  ].join('\n');
  const scope = `${day}/${req.region}/aps/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const kDate = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day);
  const kSigning = hmac(hmac(hmac(kDate, req.region), 'aps'), 'aws4_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
};

describe('Function: createSigV4Fetch', () => {
  it('signs a remote-write POST as the SigV4 steps compute it, for service aps', async () => {
    // Prepare
    const { fetch, calls } = capturingFetch();
    const signed = createSigV4Fetch({
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      fetch,
      now: () => SIGNING_TIME,
    });
    const body = new Uint8Array([0x0a, 0x03, 0x01, 0x02, 0x03]);

    // Act
    await signed(`${WORKSPACE}/api/v1/remote_write`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'snappy' },
      body,
    });

    // Assess
    const [call] = calls;
    expect(call?.url).toBe(`${WORKSPACE}/api/v1/remote_write`);
    expect(call?.headers['x-amz-date']).toBe('20261206T120000Z');
    expect(call?.headers['x-amz-content-sha256']).toBe(sha256Hex(body));
    expect(call?.headers.authorization).toBe(
      expectedAuthorization({
        method: 'POST',
        path: '/workspaces/ws-0123abcd/api/v1/remote_write',
        canonicalQuery: '',
        headers: {
          'content-encoding': 'snappy',
          'content-type': 'application/x-protobuf',
          host: 'aps-workspaces.eu-west-1.amazonaws.com',
          'x-amz-content-sha256': sha256Hex(body),
          'x-amz-date': '20261206T120000Z',
        },
        body,
        region: 'eu-west-1',
      }),
    );
    expect(call?.body).toBe(body);
  });

  it('sends a PromQL query string escaped as it was signed (%20 for a space, never +)', async () => {
    // Prepare
    const { fetch, calls } = capturingFetch();
    const signed = createSigV4Fetch({
      region: 'us-east-1',
      credentials: CREDENTIALS,
      fetch,
      now: () => SIGNING_TIME,
    });
    const query = 'sum by (job) (rate(http_requests_total{job="api server"}[5m]))';

    // Act
    await signed(
      `${WORKSPACE}/api/v1/query?time=1765022400&query=${encodeURIComponent(query).replace(/%20/g, '+')}`,
      {
        method: 'GET',
      },
    );

    // Assess
    const encoded = encodeURIComponent(query).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
    const [call] = calls;
    expect(call?.url).toBe(`${WORKSPACE}/api/v1/query?time=1765022400&query=${encoded}`);
    expect(call?.headers.authorization).toBe(
      expectedAuthorization({
        method: 'GET',
        path: '/workspaces/ws-0123abcd/api/v1/query',
        canonicalQuery: `query=${encoded}&time=1765022400`,
        headers: {
          host: 'aps-workspaces.eu-west-1.amazonaws.com',
          'x-amz-content-sha256': sha256Hex(''),
          'x-amz-date': '20261206T120000Z',
        },
        body: '',
        region: 'us-east-1',
      }),
    );
  });

  it('adds the session token of temporary credentials as x-amz-security-token, signed', async () => {
    // Prepare
    const { fetch, calls } = capturingFetch();
    const signed = createSigV4Fetch({
      region: 'eu-west-1',
      credentials: async () => ({ ...CREDENTIALS, sessionToken: 'session-token-value' }),
      fetch,
      now: () => SIGNING_TIME,
    });

    // Act
    await signed(`${WORKSPACE}/api/v1/labels`, { method: 'GET' });

    // Assess
    expect(calls[0]?.headers['x-amz-security-token']).toBe('session-token-value');
    expect(calls[0]?.headers.authorization).toContain(
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
    );
  });
});

describe('Function: createSigV4Fetch, default credentials', () => {
  const saved = { ...process.env };

  beforeEach(() => {
    process.env = { ...saved };
  });

  afterAll(() => {
    process.env = saved;
  });

  it("signs with the SDK's default chain when no credentials are given (here: the environment, as in Lambda)", async () => {
    // Prepare
    process.env.AWS_ACCESS_KEY_ID = 'ASIAFROMENVIRONMENT1';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-from-environment';
    process.env.AWS_SESSION_TOKEN = 'token-from-environment';
    const { fetch, calls } = capturingFetch();
    const signed = createSigV4Fetch({ region: 'eu-west-1', fetch, now: () => SIGNING_TIME });

    // Act
    await signed(`${WORKSPACE}/api/v1/labels`, { method: 'GET' });

    // Assess
    expect(calls[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=ASIAFROMENVIRONMENT1\/20261206\/eu-west-1\/aps\/aws4_request, /,
    );
    expect(calls[0]?.headers['x-amz-security-token']).toBe('token-from-environment');
  });
});

describe('Helper: SigV4 test proxy', () => {
  let proxy: SigV4Proxy;
  let signed: SignedFetch;

  beforeAll(async () => {
    proxy = await startSigV4Proxy({ region: 'eu-west-1' });
    signed = createSigV4Fetch({
      region: 'eu-west-1',
      credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY },
    });
  });

  afterAll(async () => {
    await proxy.close();
  });

  it('accepts a request signed with the known key', async () => {
    // Prepare
    const url = `${proxy.url}/workspaces/ws-1/api/v1/remote_write`;

    // Act
    const res = await signed(url, { method: 'POST', body: new Uint8Array([1, 2, 3]) });

    // Assess
    expect(res.status).toBe(204);
  });

  it("rewrites AMP's workspace paths to Prometheus's when forwarding, and answers 404 for others", async () => {
    // Prepare
    const seen: string[] = [];
    const target = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const forwarding = await startSigV4Proxy({
      target: `http://127.0.0.1:${(target.address() as AddressInfo).port}`,
    });

    try {
      // Act
      const write = await signed(`${forwarding.url}/workspaces/ws-1/api/v1/remote_write`, {
        method: 'POST',
        body: new Uint8Array([1]),
      });
      const values = await signed(
        `${forwarding.url}/workspaces/ws-1/api/v1/label/job/values?match[]=up`,
        { method: 'GET' },
      );
      const other = await signed(`${forwarding.url}/api/v1/query?query=up`, { method: 'GET' });

      // Assess
      expect([write.status, values.status, other.status]).toEqual([200, 200, 404]);
      expect(seen).toEqual(['POST /api/v1/write', 'GET /api/v1/label/job/values?match%5B%5D=up']);
    } finally {
      await forwarding.close();
      await new Promise<void>((r) => target.close(() => r()));
    }
  });

  it('refuses a request whose body was changed after signing', async () => {
    // Prepare
    const tampering = createSigV4Fetch({
      region: 'eu-west-1',
      credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY },
      fetch: ((url: string, init: RequestInit) =>
        globalThis.fetch(url, { ...init, body: new Uint8Array([9, 9, 9]) })) as typeof fetch,
    });

    // Act
    const res = await tampering(`${proxy.url}/workspaces/ws-1/api/v1/remote_write`, {
      method: 'POST',
      body: new Uint8Array([1, 2, 3]),
    });

    // Assess
    expect(res.status).toBe(403);
    expect(JSON.parse(await res.text())).toEqual({
      message: 'x-amz-content-sha256 does not match the body',
    });
  });

  it('refuses a query whose parameters were changed after signing', async () => {
    // Prepare
    const tampering = createSigV4Fetch({
      region: 'eu-west-1',
      credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY },
      fetch: ((url: string, init: RequestInit) =>
        globalThis.fetch(url.replace('query=up', 'query=down'), init)) as typeof fetch,
    });

    // Act
    const res = await tampering(`${proxy.url}/workspaces/ws-1/api/v1/query?query=up`, {
      method: 'GET',
    });

    // Assess
    expect(res.status).toBe(403);
    expect(JSON.parse(await res.text()).message).toMatch(
      /^The request signature we calculated does not match/,
    );
  });

  it('refuses a request signed with another secret, or for another service', async () => {
    // Prepare
    const wrongSecret = createSigV4Fetch({
      region: 'eu-west-1',
      credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: 'not-the-secret' },
    });
    const wrongService = createSigV4Fetch({
      region: 'eu-west-1',
      service: 'execute-api',
      credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY },
    });

    // Act
    const a = await wrongSecret(`${proxy.url}/workspaces/ws-1/api/v1/labels`, { method: 'GET' });
    const b = await wrongService(`${proxy.url}/workspaces/ws-1/api/v1/labels`, { method: 'GET' });

    // Assess
    expect(a.status).toBe(403);
    expect(b.status).toBe(403);
    expect(JSON.parse(await b.text())).toEqual({
      message: 'credential scope names service execute-api, not aps',
    });
  });
});
