import { makeOtlpLogsHandler } from '../api/ingest-otlp';
import { awsLogsApiDeps } from '../wiring/logs-deps';

/** Lambda entry point: `POST /v1/logs` of `lambdas/api/ingest-otlp.ts` on the AWS adapters. */
export const handler = makeOtlpLogsHandler(awsLogsApiDeps());
