import { makeRemoteWriteHandler } from '../api/ingest-remote-write';
import { awsIngestApiDeps } from '../wiring/ingest-deps';

/** Lambda entry point: the endpoint logic of `lambdas/api/ingest-remote-write.ts` on the AWS adapters. */
export const handler = makeRemoteWriteHandler(awsIngestApiDeps());
