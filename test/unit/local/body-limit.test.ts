import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import type { Server } from 'node:http';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { FunctionName } from '../../../lambdas/api/routes';
import { createLocalServer, type LocalHandler } from '../../../lambdas/local/http-server';

const LIMIT = 1024 * 1024;

/** Sends raw request bytes; resolves with what the server answered and how much was written. */
const rawExchange = (
  port: number,
  head: string,
  feed: (socket: Socket, stopped: () => boolean) => void,
): Promise<{ response: string; closed: boolean }> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let response = '';
    let done = false;
    socket.on('data', (d) => {
      response += d.toString('latin1');
    });
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      resolve({ response, closed });
    };
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
    socket.write(head);
    feed(socket, () => done || socket.destroyed);
  });

describe('Feature: request bodies over the limit in the local server', () => {
  let server: Server;
  let port: number;
  let handled = 0;

  beforeAll(async () => {
    const handler: LocalHandler = async (): Promise<APIGatewayProxyResult> => {
      handled++;
      return { statusCode: 204, body: '' };
    };
    const handlers = Object.fromEntries(
      Object.values(FunctionName).map((fn) => [fn, handler]),
    ) as Record<FunctionName, LocalHandler>;
    server = createLocalServer({ handlers, apiKeys: [], maxBodyBytes: LIMIT });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('answers 413 and closes the connection on a Content-Length of 300 MiB before any body byte', async () => {
    // Prepare
    const head = `POST /ingest/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${300 * 1024 * 1024}\r\n\r\n`;
    const before = handled;

    // Act: the body is never sent; the answer must come anyway
    const { response, closed } = await rawExchange(port, head, () => undefined);

    // Assess
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('request body larger than the limit of 1048576 bytes');
    expect(response.toLowerCase()).toContain('connection: close');
    expect(closed).toBe(true);
    expect(handled).toBe(before);
  });

  it('answers 413 and closes the connection once a chunked body passes the limit, reading no further', async () => {
    // Prepare
    const head =
      'POST /ingest/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const framed = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]);
    let sent = 0;
    const before = handled;

    // Act: stream without end (up to 64 MiB) until the server answers
    const { response, closed } = await rawExchange(port, head, (socket, stopped) => {
      const pump = (): void => {
        while (!stopped() && sent < 64 * LIMIT) {
          sent += chunk.length;
          if (!socket.write(framed)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });

    // Assess
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(16 * LIMIT);
    expect(handled).toBe(before);
  });

  it('still reads a body at the limit whole', async () => {
    // Prepare
    const body = Buffer.alloc(LIMIT, 0x20);
    const head = `POST /ingest/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT}\r\nConnection: close\r\n\r\n`;

    // Act
    const { response } = await rawExchange(port, head, (socket) => {
      socket.write(body);
    });

    // Assess
    expect(response).toMatch(/^HTTP\/1\.1 204 /);
  });
});
