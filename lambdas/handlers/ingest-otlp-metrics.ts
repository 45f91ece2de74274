import { makeOtlpMetricsHandler } from '../api/ingest-otlp';
import { awsIngestApiDeps } from '../wiring/ingest-deps';

/** Lambda entry point: `POST /v1/metrics` of `lambdas/api/ingest-otlp.ts` on the AWS adapters. */
export const handler = makeOtlpMetricsHandler(awsIngestApiDeps());
