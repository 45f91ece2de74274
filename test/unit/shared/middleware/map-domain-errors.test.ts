import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import {
  BadRequestError,
  PayloadTooLargeError,
  StorageThrottledError,
  StorageUnavailableError,
  UnsupportedMediaTypeError,
} from '../../../../lambdas/domain/errors';
import { ErrorFormat, mapError } from '../../../../lambdas/shared/middleware/map-domain-errors';
import { withMiddlewares } from '../../../../lambdas/shared/with-middlewares';

const context = { functionName: 'f', awsRequestId: 'r' } as unknown as Context;
const event = {
  path: '/x',
  httpMethod: 'GET',
  headers: {},
  body: null,
  isBase64Encoded: false,
} as unknown as APIGatewayProxyEvent;

const answerFor = (error: Error, errorFormat: ErrorFormat = ErrorFormat.Text) =>
  withMiddlewares(
    async () => {
      throw error;
    },
    { errorFormat },
  )(event, context);

describe('Function: mapError', () => {
  it.each([
    [new BadRequestError('bad'), 400],
    [new PayloadTooLargeError('big'), 413],
    [new UnsupportedMediaTypeError('v2'), 415],
    [new StorageUnavailableError('down'), 503],
    [Object.assign(new Error('bad line'), { name: 'ExpositionParseError' }), 400],
    [Object.assign(new Error('bad proto'), { name: 'RemoteWriteDecodeError' }), 400],
  ])('maps %s to %i', (error, status) => {
    // Act & Assess
    expect(mapError(error)?.status).toBe(status);
  });

  it('leaves unknown errors unmapped', () => {
    // Act & Assess
    expect(mapError(new TypeError('x is undefined'))).toBeUndefined();
  });
});

describe('Middleware: mapDomainErrors (through withMiddlewares)', () => {
  it('answers 503 with Retry-After in whole seconds for throttling', async () => {
    // Act
    const res = await answerFor(new StorageThrottledError('slow down', 2500));

    // Assess
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('3');
    expect(res.body).toBe('storage is throttling writes, retry later\n');
  });

  it('answers a 4xx with the message in the Prometheus JSON shape', async () => {
    // Act
    const res = await answerFor(
      new BadRequestError('no match[] parameter provided'),
      ErrorFormat.Prometheus,
    );

    // Assess
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'no match[] parameter provided',
    });
  });

  it('answers 500 with a generic message and no stack for an unknown error', async () => {
    // Act
    const res = await answerFor(new TypeError('secret internals at /var/task/index.js:12'));

    // Assess
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe('internal error');
    expect(res.body).not.toContain('secret');
  });
});
