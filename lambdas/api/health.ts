import type { APIGatewayProxyResult } from 'aws-lambda';
import { withMiddlewares } from '../shared/with-middlewares';

/** `GET /health`: answers without an API key, so load balancers and uptime checks can call it. */
const makeHealthHandler = (info: { version: string; mode: 'aws' | 'local' }) =>
  withMiddlewares(
    async (): Promise<APIGatewayProxyResult> => ({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'ok', ...info }),
    }),
  );

export { makeHealthHandler };
