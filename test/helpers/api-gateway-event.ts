import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** An API Gateway REST proxy event whose body arrives base64-encoded, as binary bodies do. */
export const binaryEvent = (
  method: string,
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): APIGatewayProxyEvent => ({
  resource: path,
  path,
  httpMethod: method,
  headers,
  multiValueHeaders: {},
  queryStringParameters: null,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  body: Buffer.from(body).toString('base64'),
  isBase64Encoded: true,
  requestContext: { requestId: 'apigw-1' } as APIGatewayProxyEvent['requestContext'],
});

/** {@link binaryEvent} for a POST. */
export const binaryPostEvent = (
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): APIGatewayProxyEvent => binaryEvent('POST', path, body, headers);

/** The parts of a Lambda context the handlers read (middy's timeout, Powertools' log keys). */
export const lambdaContext = (functionName = 'vigil-test'): Context =>
  ({
    functionName,
    awsRequestId: 'req-1',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;
