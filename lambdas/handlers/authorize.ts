import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { extractApiKey, stageWildcardArn } from '../domain/auth/extract-api-key';

/**
 * API Gateway REQUEST authorizer. It only finds the key (in `x-api-key`, `Authorization: Bearer`
 * or the basic-auth password) and returns it as `usageIdentifierKey`; the API's
 * `apiKeySourceType: AUTHORIZER` makes API Gateway validate that key against its usage plans
 * (403 for an unknown key) and throttle per key.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
 *
 * Throwing exactly `Error('Unauthorized')` is how a Lambda authorizer makes API Gateway answer 401.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
 */
const handler = async (
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> => {
  const found = extractApiKey(event.headers);
  if (found === undefined) throw new Error('Unauthorized');
  return {
    // The key itself never goes into principalId: it is logged by API Gateway.
    principalId: `api-key:${found.source}`,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'execute-api:Invoke',
          Effect: 'Allow',
          Resource: stageWildcardArn(event.methodArn),
        },
      ],
    },
    context: { keySource: found.source },
    usageIdentifierKey: found.key,
  };
};

export { handler };
