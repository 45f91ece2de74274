/** A real HTTP server on 127.0.0.1 (ephemeral port) that records requests and answers scripted replies. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Reply {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

interface CaptureServer {
  readonly url: string;
  readonly requests: CapturedRequest[];
  close(): Promise<void>;
}

/** Starts a server answering `replies` in turn (the last one repeats). */
const startCaptureServer = async (
  replies: readonly Reply[],
  path = '/',
): Promise<CaptureServer> => {
  const requests: CapturedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = replies[Math.min(requests.length, replies.length - 1)] as Reply;
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers });
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
};

export type { CapturedRequest, CaptureServer, Reply };
export { startCaptureServer };
