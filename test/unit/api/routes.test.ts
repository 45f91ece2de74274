import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { FunctionName, matchRoute } from '../../../lambdas/api/routes';
import { createLocalServer, type LocalHandler } from '../../../lambdas/local/http-server';

describe('Function: matchRoute', () => {
  it('routes GET /federate to the read-series function', () => {
    // Act
    const { route } = matchRoute('GET', '/federate');

    // Assess
    expect(route?.fn).toBe(FunctionName.ReadSeries);
    expect(route?.apiKeyRequired).toBe(true);
  });

  it('has no POST /federate, as Prometheus routes only GET, and names the allowed method', () => {
    // Act
    const { route, allowed } = matchRoute('POST', '/federate');

    // Assess
    expect(route).toBeUndefined();
    expect(allowed).toEqual(['GET']);
  });
});

describe('Feature: /federate on the local server', () => {
  const seen: APIGatewayProxyEvent[] = [];
  const readSeries: LocalHandler = async (event) => {
    seen.push(event);
    return { statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: 'up 1\n' };
  };
  const unused: LocalHandler = async () => ({ statusCode: 500, body: '' });
  const server = createLocalServer({
    handlers: Object.fromEntries(
      Object.values(FunctionName).map((fn) => [
        fn,
        fn === FunctionName.ReadSeries ? readSeries : unused,
      ]),
    ) as Record<FunctionName, LocalHandler>,
    apiKeys: [],
    maxBodyBytes: 1024,
  });
  let url: string;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('serves GET /federate?match[]=… with the read-series handler', async () => {
    // Act
    const res = await fetch(`${url}/federate?match[]=${encodeURIComponent('{job="a"}')}`);

    // Assess
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('up 1\n');
    expect(seen.at(-1)?.multiValueQueryStringParameters).toEqual({ 'match[]': ['{job="a"}'] });
  });

  it('answers a form-encoded POST /federate 405 with Allow: GET, as Prometheus does', async () => {
    // Prepare
    const before = seen.length;

    // Act
    const res = await fetch(`${url}/federate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['match[]', '{job="a"}']]).toString(),
    });

    // Assess
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    expect(seen).toHaveLength(before);
  });
});
