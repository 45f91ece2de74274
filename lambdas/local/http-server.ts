import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { type FunctionName, matchRoute } from '../api/routes';
import { extractApiKey } from '../domain/auth/extract-api-key';

export type LocalHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

export interface LocalServerOptions {
  /** The same handlers the Lambda functions run, by function name. */
  readonly handlers: Readonly<Record<FunctionName, LocalHandler>>;
  /** Accepted API keys; empty means no key is required. */
  readonly apiKeys: readonly string[];
  /**
   * Bodies larger than this are refused with 413 and the connection closed: at once when
   * Content-Length says so, else as soon as the streamed bytes pass it (API Gateway: 10 MiB).
   */
  readonly maxBodyBytes: number;
}

const fakeContext = (fn: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `vigil-local-${fn}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:vigil-local-${fn}`,
  memoryLimitInMB: '1024',
  awsRequestId: randomUUID(),
  logGroupName: `/vigil/local/${fn}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/**
 * Reads a request body up to `limit` bytes. A declared Content-Length over the limit is refused
 * before a byte is read; a streamed (chunked) body is refused as soon as it passes the limit, and
 * the rest is never read.
 */
const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> =>
  new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      resolve('too_large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size <= limit) {
        chunks.push(c);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      resolve('too_large');
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });

/**
 * Answers 413 and closes the connection once the answer is written: the body left unread is
 * never drained (a client could otherwise stream gigabytes into a request already refused).
 */
const refuseTooLarge = (req: IncomingMessage, res: ServerResponse, limit: number): void => {
  res.shouldKeepAlive = false;
  res.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end(`request body larger than the limit of ${limit} bytes\n`, () => {
    req.socket.destroy();
  });
};

/** Builds the API Gateway (REST, proxy integration) event a Lambda function would receive. */
const toEvent = (
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  resource: string,
  params: Record<string, string>,
): APIGatewayProxyEvent => {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i] as string;
    const v = req.rawHeaders[i + 1] as string;
    headers[k] = k in headers ? `${headers[k]},${v}` : v;
    multiValueHeaders[k] = [...(multiValueHeaders[k] ?? []), v];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const hasQuery = url.searchParams.size > 0;
  return {
    resource,
    path: url.pathname,
    httpMethod: (req.method ?? 'GET').toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(params).length > 0 ? params : null,
    stageVariables: null,
    body: body.length > 0 ? body.toString('base64') : null,
    isBase64Encoded: body.length > 0,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
};

const send = (
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void => {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
};

/**
 * Local mode's HTTP front: routes a request like API Gateway would (same route table), checks
 * the API key like the authorizer + usage plan would, and calls the same handlers.
 */
const createLocalServer = (opts: LocalServerOptions): Server =>
  createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      const { route, params, allowed } = matchRoute(method, url.pathname);
      if (!route) {
        if (allowed.length > 0)
          return send(res, 405, `method ${method} not allowed; use ${allowed.join(', ')}\n`, {
            Allow: allowed.join(', '),
          });
        return send(res, 404, `no route for ${url.pathname}\n`);
      }
      if (route.apiKeyRequired && opts.apiKeys.length > 0) {
        const found = extractApiKey(req.headers as Record<string, string>);
        if (!found)
          return send(res, 401, '{"message":"Unauthorized"}', {
            'Content-Type': 'application/json',
          });
        if (!opts.apiKeys.includes(found.key))
          return send(res, 403, '{"message":"Forbidden"}', { 'Content-Type': 'application/json' });
      }
      const body = await readBody(req, opts.maxBodyBytes);
      if (body === 'too_large') return refuseTooLarge(req, res, opts.maxBodyBytes);
      const event = toEvent(req, url, body, route.resource, params);
      const result = await opts.handlers[route.fn](event, fakeContext(route.fn));
      const out = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
      res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>) });
      res.end(out);
    } catch (e) {
      send(res, 500, `internal error: ${(e as Error).message}\n`);
    }
  });

export { createLocalServer };
