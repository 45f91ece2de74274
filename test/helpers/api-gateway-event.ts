import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** An API Gateway REST proxy event whose body arrives base64-encoded, as binary bodies do. */
export const binaryPostEvent = (
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): APIGatewayProxyEvent => ({
  resource: path,
  path,
  httpMethod: 'POST',
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

/** The parts of a Lambda context the handlers read (middy's timeout, Powertools' log keys). */
export const lambdaContext = (functionName = 'vigil-test'): Context =>
  ({
    functionName,
    awsRequestId: 'req-1',
    getRemainingTimeInMillis: () => 30_000,
  }) as unknown as Context;
