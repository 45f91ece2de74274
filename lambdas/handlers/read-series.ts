import { makeReadSeriesHandler } from '../api/read-series';
import { awsQueryApiDeps } from '../wiring/query-deps';

/** Lambda entry point: the endpoint logic of `lambdas/api/read-series.ts` on the AWS adapters. */
export const handler = makeReadSeriesHandler(awsQueryApiDeps());
