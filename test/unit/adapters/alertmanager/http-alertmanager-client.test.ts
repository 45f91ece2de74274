import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpAlertmanagerClient } from '../../../../lambdas/adapters/alertmanager/http-alertmanager-client';
import {
  AlertmanagerPostError,
  type AlertmanagerTarget,
  type PostableAlert,
} from '../../../../lambdas/domain/alerting/alertmanager-client';
import { freePort } from '../../../helpers/free-port';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An Alertmanager stand-in answering `status` (and `body`), recording each request. */
const startAlertmanager = async (status: number, body = '', delayMs = 0) => {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      setTimeout(
        () => res.writeHead(status, { 'Content-Type': 'application/json' }).end(body),
        delayMs,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

const alert: PostableAlert = {
  labels: { alertname: 'GpuTooHot', gpu: '0', severity: 'critical' },
  annotations: { summary: 'GPU 0 is at 92C' },
  startsAt: '2026-12-06T17:00:00.000Z',
  endsAt: '2026-12-06T17:04:00.000Z',
  generatorURL: 'https://vigil.example.com/graph?g0.expr=gpu_temperature_celsius+%3E+85&g0.tab=1',
};

const target = (base: string, extra: Partial<AlertmanagerTarget> = {}): AlertmanagerTarget => ({
  url: `${base}/am`,
  alertsUrl: `${base}/am/api/v2/alerts`,
  timeoutMs: 2_000,
  ...extra,
});

const failureOf = async (p: Promise<unknown>): Promise<AlertmanagerPostError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof AlertmanagerPostError) return e;
    throw e;
  }
  throw new Error('the post succeeded');
};

describe('Class: HttpAlertmanagerClient', () => {
  it('POSTs the alerts as a JSON array to <prefix>/api/v2/alerts with the User-Agent', async () => {
    // Prepare
    const am = await startAlertmanager(200);
    const client = new HttpAlertmanagerClient({ userAgent: 'Vigil/0.1.0' });

    // Act
    await client.postAlerts(target(am.base), [alert]);
    await am.close();

    // Assess
    expect(am.received).toHaveLength(1);
    const [req] = am.received;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/am/api/v2/alerts');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe('Vigil/0.1.0');
    expect(req?.headers.authorization).toBeUndefined();
    expect(JSON.parse(req?.body ?? '')).toEqual([
      {
        labels: { alertname: 'GpuTooHot', gpu: '0', severity: 'critical' },
        annotations: { summary: 'GPU 0 is at 92C' },
        startsAt: '2026-12-06T17:00:00.000Z',
        endsAt: '2026-12-06T17:04:00.000Z',
        generatorURL:
          'https://vigil.example.com/graph?g0.expr=gpu_temperature_celsius+%3E+85&g0.tab=1',
      },
    ]);
  });

  it('sends basic auth with a password read from a file, trimmed', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'vigil-am-'));
    writeFileSync(join(dir, 'password'), 's3cret\n');
    const am = await startAlertmanager(200);

    // Act
    await new HttpAlertmanagerClient().postAlerts(
      target(am.base, {
        basicAuth: { username: 'vigil', password: { kind: 'file', path: join(dir, 'password') } },
      }),
      [alert],
    );
    await am.close();
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(am.received[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('vigil:s3cret').toString('base64')}`,
    );
  });

  it('sends a bearer token from Secrets Manager and a custom type from SSM through the readers', async () => {
    // Prepare
    const am = await startAlertmanager(200);
    const client = new HttpAlertmanagerClient({
      readSecret: async (id) => `token-of-${id}`,
      readParameter: async (name) => `value-of-${name}`,
    });

    // Act
    await client.postAlerts(
      target(am.base, {
        authorization: { type: 'Bearer', credentials: { kind: 'secret', secretId: 'am/token' } },
      }),
      [alert],
    );
    await client.postAlerts(
      target(am.base, {
        authorization: { type: 'Token', credentials: { kind: 'parameter', name: '/am/token' } },
      }),
      [alert],
    );
    await am.close();

    // Assess
    expect(am.received.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-of-am/token',
      'Token value-of-/am/token',
    ]);
  });

  it('refuses Secrets Manager and SSM credentials without a reader (local mode), before any request', async () => {
    // Prepare
    const am = await startAlertmanager(200);
    const client = new HttpAlertmanagerClient();

    // Act
    const secret = await failureOf(
      client.postAlerts(
        target(am.base, {
          basicAuth: { username: 'u', password: { kind: 'secret', secretId: 'am/pw' } },
        }),
        [alert],
      ),
    );
    const parameter = await failureOf(
      client.postAlerts(
        target(am.base, {
          authorization: { type: 'Bearer', credentials: { kind: 'parameter', name: '/am/t' } },
        }),
        [alert],
      ),
    );
    await am.close();

    // Assess
    expect(secret.message).toBe('secret am/pw: *_secret credentials are read only when deployed');
    expect(parameter.message).toBe(
      'SSM parameter /am/t: *_parameter credentials are read only when deployed',
    );
    expect([secret.retryable, parameter.retryable]).toEqual([false, false]);
    expect(am.received).toHaveLength(0);
  });

  it('maps a refused body (400) to a final error quoting Alertmanager, and 5xx / 429 to retryable ones', async () => {
    // Prepare
    const bad = await startAlertmanager(400, '"at least one label pair required"');
    const down = await startAlertmanager(503, 'unavailable');
    const busy = await startAlertmanager(429);
    const client = new HttpAlertmanagerClient();

    // Act
    const refused = await failureOf(client.postAlerts(target(bad.base), [alert]));
    const unavailable = await failureOf(client.postAlerts(target(down.base), [alert]));
    const throttled = await failureOf(client.postAlerts(target(busy.base), [alert]));
    await Promise.all([bad.close(), down.close(), busy.close()]);

    // Assess
    expect(refused.message).toBe('bad response status 400: "at least one label pair required"');
    expect([refused.status, refused.retryable]).toEqual([400, false]);
    expect([unavailable.message, unavailable.status, unavailable.retryable]).toEqual([
      'bad response status 503: unavailable',
      503,
      true,
    ]);
    expect([throttled.message, throttled.retryable]).toEqual(['bad response status 429', true]);
  });

  it('maps a refused connection and a timeout to retryable errors', async () => {
    // Prepare
    const port = await freePort();
    const slow = await startAlertmanager(200, '', 1_000);
    const client = new HttpAlertmanagerClient();

    // Act
    const refused = await failureOf(client.postAlerts(target(`http://127.0.0.1:${port}`), [alert]));
    const timedOut = await failureOf(
      client.postAlerts(target(slow.base, { timeoutMs: 100 }), [alert]),
    );
    await slow.close();

    // Assess
    expect(refused.message).toMatch(/^request failed: .*ECONNREFUSED/);
    expect([refused.status, refused.retryable]).toEqual([undefined, true]);
    expect(timedOut.message).toBe('no response within 100 ms');
    expect(timedOut.retryable).toBe(true);
  });
});
