import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** Placeholder entry point; the real handler replaces it. */
export const handler = async (_event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => ({
  statusCode: 501,
  body: 'not implemented yet',
});
