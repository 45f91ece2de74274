import { makeReadSeriesHandler } from '../api/read-series';
import { awsApiDeps } from '../wiring/aws-deps';

/** Lambda entry point: the endpoint logic of `lambdas/api/read-series.ts` on the AWS adapters. */
export const handler = makeReadSeriesHandler(awsApiDeps());
