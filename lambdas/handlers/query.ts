import { LAMBDA_QUERY_TIMEOUT_MS, makeQueryHandler } from '../api/query';
import { awsQueryApiDeps } from '../wiring/query-deps';

/**
 * Lambda entry point: the Prometheus query API of `lambdas/api/query.ts` on the deployment's
 * store (Vigil's engine over Timestream, or the AMP workspace's query API), with the query
 * timeout kept under API Gateway's 29 s integration timeout.
 */
export const handler = makeQueryHandler(awsQueryApiDeps(), {
  maxTimeoutMs: LAMBDA_QUERY_TIMEOUT_MS,
});
