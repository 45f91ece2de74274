import { ingestSeries } from '../domain/ingest/ingest-series';
import { parseJsonSamples } from '../domain/ingest/json-samples';
import type { RawBodyEvent } from '../shared/middleware/raw-body';
import { ErrorFormat } from '../shared/middleware/map-domain-errors';
import { withMiddlewares } from '../shared/with-middlewares';
import type { ApiDeps } from './deps';
import { ingestResponse } from './responses';

/** `POST /ingest/metrics`: JSON samples (see `JsonSample`). 200 when every sample is stored. */
const makeIngestMetricsHandler = (deps: ApiDeps) =>
  withMiddlewares(
    async (event: RawBodyEvent) => {
      const now = deps.clock.now();
      const incoming = parseJsonSamples(event.rawBody.toString('utf8'), now);
      const result = await ingestSeries(incoming, deps, deps.config, now);
      return ingestResponse(result, 'json', 200);
    },
    { rawBody: { maxBytes: deps.config.limits.maxBodyBytes }, errorFormat: ErrorFormat.Prometheus },
  );

export { makeIngestMetricsHandler };
