import { makePushgatewayHandler } from '../api/ingest-pushgateway';
import { awsIngestApiDeps } from '../wiring/ingest-deps';

/** Lambda entry point: the endpoint logic of `lambdas/api/ingest-pushgateway.ts` on the AWS adapters. */
export const handler = makePushgatewayHandler(awsIngestApiDeps());
