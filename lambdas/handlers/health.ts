import { makeHealthHandler } from '../api/health';
import { VIGIL_VERSION } from '../shared/version';

/** Lambda entry point of `GET /health`. */
export const handler = makeHealthHandler({ version: VIGIL_VERSION, mode: 'aws' });
