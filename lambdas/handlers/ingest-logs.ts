import { makeIngestLogsHandler } from '../api/ingest-logs';
import { awsLogsApiDeps } from '../wiring/logs-deps';

/** Lambda entry point: the endpoint logic of `lambdas/api/ingest-logs.ts` on the AWS adapters. */
export const handler = makeIngestLogsHandler(awsLogsApiDeps());
