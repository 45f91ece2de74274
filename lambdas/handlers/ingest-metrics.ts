import { makeIngestMetricsHandler } from '../api/ingest-metrics';
import { awsIngestApiDeps } from '../wiring/ingest-deps';

/** Lambda entry point: the endpoint logic of `lambdas/api/ingest-metrics.ts` on the AWS adapters. */
export const handler = makeIngestMetricsHandler(awsIngestApiDeps());
