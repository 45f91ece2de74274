import { UnsupportedMediaTypeError } from '../domain/errors';
import { ingestSeries } from '../domain/ingest/ingest-series';
import {
  classifyRemoteWriteRequest,
  decodeWriteRequest,
  RemoteWriteLabelCache,
} from '../domain/remote-write';
import type { RawBodyEvent } from '../shared/middleware/raw-body';
import { withMiddlewares } from '../shared/with-middlewares';
import type { ApiDeps } from './deps';
import { ingestResponse } from './responses';

/** Series whose labels a Lambda instance remembers between requests (~1.8 KB each). */
const LAMBDA_LABEL_CACHE_SERIES = 8_192;

/**
 * `POST /api/v1/write`: Prometheus remote_write 1.0 (snappy + protobuf). 204 when stored;
 * 400 for bad data (senders never retry it), 415 for other protocols, 503 for storage faults.
 * @param labelCacheSeries series whose decoded labels are kept for the next requests.
 * @see https://prometheus.io/docs/specs/prw/remote_write_spec/
 */
const makeRemoteWriteHandler = (deps: ApiDeps, labelCacheSeries = LAMBDA_LABEL_CACHE_SERIES) => {
  const labelCache = new RemoteWriteLabelCache(labelCacheSeries);
  return withMiddlewares(
    async (event: RawBodyEvent) => {
      const kind = classifyRemoteWriteRequest(event.headers ?? {});
      if (kind.action === 'unsupported') throw new UnsupportedMediaTypeError(kind.reason);
      const request = decodeWriteRequest(event.rawBody, {
        maxDecompressedBytes: deps.config.limits.maxDecompressedBytes,
        maxSamples: deps.config.limits.maxSamplesPerRequest,
        labelCache,
      });
      const now = deps.clock.now();
      const result = await ingestSeries(request.series, deps, deps.config, now);
      return ingestResponse(result, 'text', 204);
    },
    { rawBody: { maxBytes: deps.config.limits.maxBodyBytes } },
  );
};

export { LAMBDA_LABEL_CACHE_SERIES, makeRemoteWriteHandler };
