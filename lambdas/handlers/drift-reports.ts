import { makeDriftReportsHandler } from '../api/drift-reports';
import { awsDriftReportsApiDeps } from '../wiring/drift-reports-deps';

/** Lambda entry point of `GET /api/drift/reports[/{id}]` and `POST /api/drift/monitors/{name}/run`. */
export const handler = makeDriftReportsHandler(awsDriftReportsApiDeps());
