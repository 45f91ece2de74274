import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  HttpScraper,
  SCRAPE_ACCEPT_HEADER,
} from '../../../../lambdas/adapters/scrape/http-scraper';

const BODY = 'up_like 1\n';

const listen = (server: Server): Promise<number> =>
  new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });

describe('Class: HttpScraper', () => {
  let server: Server;
  let port: number;
  let seen: IncomingHttpHeaders[];
  let dir: string;

  beforeAll(async () => {
    seen = [];
    server = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url === '/gzip') {
        res.writeHead(200, {
          'Content-Type': 'text/plain; version=0.0.4',
          'Content-Encoding': 'gzip',
        });
        res.end(gzipSync(BODY));
      } else if (req.url === '/big') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('x'.repeat(2048));
      } else if (req.url === '/error') {
        res.writeHead(503, 'Service Unavailable');
        res.end('down');
      } else {
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
        res.end(BODY);
      }
    });
    port = await listen(server);
    dir = mkdtempSync(join(tmpdir(), 'vigil-scraper-'));
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends Prometheus's scrape headers and basic auth", async () => {
    // Prepare
    const scraper = new HttpScraper({ userAgent: 'Vigil/0.1.0' });

    // Act
    const res = await scraper.scrape({
      url: `http://127.0.0.1:${port}/metrics`,
      timeoutMs: 2500,
      insecureSkipVerify: false,
      basicAuth: { username: 'prom', password: { kind: 'inline', value: 's3cret' } },
    });

    // Assess
    expect(res).toEqual({ body: BODY, contentType: 'text/plain; version=0.0.4' });
    expect(seen.at(-1)).toMatchObject({
      accept: SCRAPE_ACCEPT_HEADER,
      'accept-encoding': 'gzip',
      'user-agent': 'Vigil/0.1.0',
      'x-prometheus-scrape-timeout-seconds': '2.5',
      authorization: `Basic ${Buffer.from('prom:s3cret').toString('base64')}`,
    });
    expect(SCRAPE_ACCEPT_HEADER).toBe(
      'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2',
    );
  });

  it('sends authorization credentials from a file (trimmed) and from a secret', async () => {
    // Prepare
    const file = join(dir, 'token');
    writeFileSync(file, 'file-token\n');
    const secrets: string[] = [];
    const scraper = new HttpScraper({
      readSecret: async (id) => {
        secrets.push(id);
        return 'secret-token';
      },
    });
    const url = `http://127.0.0.1:${port}/metrics`;

    // Act
    await scraper.scrape({
      url,
      timeoutMs: 1000,
      insecureSkipVerify: false,
      authorization: { type: 'Bearer', credentials: { kind: 'file', path: file } },
    });
    const fromFile = seen.at(-1)?.authorization;
    await scraper.scrape({
      url,
      timeoutMs: 1000,
      insecureSkipVerify: false,
      authorization: { type: 'Bearer', credentials: { kind: 'secret', secretId: 'vigil/token' } },
    });

    // Assess
    expect(fromFile).toBe('Bearer file-token');
    expect(seen.at(-1)?.authorization).toBe('Bearer secret-token');
    expect(secrets).toEqual(['vigil/token']);
  });

  it('decompresses gzip and fails on a body over the limit or a status other than 200', async () => {
    // Prepare
    const scraper = new HttpScraper({ maxBodyBytes: 1024 });
    const at = (path: string) => ({
      url: `http://127.0.0.1:${port}${path}`,
      timeoutMs: 1000,
      insecureSkipVerify: false,
    });

    // Act
    const gz = await scraper.scrape(at('/gzip'));

    // Assess
    expect(gz.body).toBe(BODY);
    await expect(scraper.scrape(at('/big'))).rejects.toThrow(
      'body size limit exceeded (more than 1024 bytes)',
    );
    await expect(scraper.scrape(at('/error'))).rejects.toThrow(
      'server returned HTTP status 503 Service Unavailable',
    );
  });

  it('refuses a secret without a reader (local mode)', async () => {
    // Act
    const scrape = new HttpScraper().scrape({
      url: `http://127.0.0.1:${port}/metrics`,
      timeoutMs: 1000,
      insecureSkipVerify: false,
      basicAuth: { username: 'u', password: { kind: 'secret', secretId: 'x' } },
    });

    // Assess
    await expect(scrape).rejects.toThrow(
      'secret x: *_secret credentials are read only when deployed',
    );
  });

  it('verifies TLS certificates unless insecure_skip_verify', async () => {
    // Prepare: a self-signed certificate.
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const tls = createHttpsServer(
      { key: readFileSync(key), cert: readFileSync(cert) },
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(BODY);
      },
    );
    const tlsPort = await listen(tls as unknown as Server);
    const scraper = new HttpScraper();
    const req = (insecureSkipVerify: boolean) => ({
      url: `https://127.0.0.1:${tlsPort}/metrics`,
      timeoutMs: 2000,
      insecureSkipVerify,
    });

    try {
      // Act
      const insecure = await scraper.scrape(req(true));
      const verified = scraper.scrape(req(false));

      // Assess
      expect(insecure.body).toBe(BODY);
      await expect(verified).rejects.toThrow(/self[- ]signed certificate/);
    } finally {
      await new Promise((r) => tls.close(r));
    }
  });
});
