import { makeIngestLokiHandler } from '../api/ingest-loki';
import { awsLogsApiDeps } from '../wiring/logs-deps';

/** Lambda entry point: the endpoint logic of `lambdas/api/ingest-loki.ts` on the AWS adapters. */
export const handler = makeIngestLokiHandler(awsLogsApiDeps());
