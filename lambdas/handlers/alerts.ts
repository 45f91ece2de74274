import { makeAlertsHandler } from '../api/alerts';
import { awsAlertsApiDeps } from '../wiring/alerting-deps';

/** Lambda entry point of `/api/v1/alerts`, `/api/v1/rules` and the v2 silences endpoints. */
export const handler = makeAlertsHandler(awsAlertsApiDeps());
