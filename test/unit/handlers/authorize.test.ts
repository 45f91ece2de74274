import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { handler } from '../../../lambdas/handlers/authorize';

const KEY = 'k3yValue0123456789abcdefghijABCDEFGHIJ';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/api/v1/write';

const eventWith = (headers: Record<string, string>): APIGatewayRequestAuthorizerEvent => ({
  type: 'REQUEST',
  methodArn: METHOD_ARN,
  resource: '/api/v1/write',
  path: '/api/v1/write',
  httpMethod: 'POST',
  headers,
  multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
  pathParameters: null,
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  stageVariables: null,
  requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
});

describe('Handler: authorize', () => {
  it('allows the whole stage and hands the key to API Gateway as usageIdentifierKey', async () => {
    // Prepare
    const event = eventWith({ 'X-Api-Key': KEY });

    // Act
    const result = await handler(event);

    // Assess
    expect(result).toEqual({
      principalId: 'api-key:x-api-key',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*',
          },
        ],
      },
      context: { keySource: 'x-api-key' },
      usageIdentifierKey: KEY,
    });
  });

  it.each([
    ['Bearer', { Authorization: `Bearer ${KEY}` }, 'bearer'],
    ['Basic', { authorization: `Basic ${Buffer.from(`job:${KEY}`).toString('base64')}` }, 'basic'],
  ])('accepts the key from Authorization: %s', async (_scheme, headers, source) => {
    // Act
    const result = await handler(eventWith(headers));

    // Assess
    expect(result.usageIdentifierKey).toBe(KEY);
    expect(result.principalId).toBe(`api-key:${source}`);
  });

  it('never puts the key in principalId or context', async () => {
    // Act
    const result = await handler(eventWith({ 'x-api-key': KEY }));

    // Assess
    expect(JSON.stringify({ ...result, usageIdentifierKey: undefined })).not.toContain(KEY);
  });

  it.each([
    ['no key', {}],
    ['a malformed Basic header', { Authorization: 'Basic %%%' }],
    ['an unknown scheme', { Authorization: `Token ${KEY}` }],
  ])('rejects %s with Unauthorized (API Gateway answers 401)', async (_name, headers) => {
    // Act & Assess
    await expect(handler(eventWith(headers))).rejects.toThrow(new Error('Unauthorized'));
  });
});
