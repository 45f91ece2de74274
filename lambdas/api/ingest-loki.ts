import { decodeLokiPush, lokiStreamsToLogEvents } from '../domain/logs/loki-push';
import type { RawBodyEvent } from '../shared/middleware/raw-body';
import { withMiddlewares } from '../shared/with-middlewares';
import { type LogsApiDeps, logIngestResponse } from './ingest-logs';
import { ingestReadLogs, logReadOptions } from './log-ingest-steps';

/**
 * `POST /loki/api/v1/push`: Loki's push API (JSON, optionally gzip; or snappy protobuf, what
 * Promtail and Grafana Agent send). 204 like Loki when every entry is stored; 400 in plain text
 * naming the rejected entries (Promtail does not retry a 4xx); 413 over the limits; 503 retryable.
 * @see https://grafana.com/docs/loki/latest/reference/loki-http-api/#ingest-logs
 */
const makeIngestLokiHandler = (deps: LogsApiDeps) =>
  withMiddlewares(
    async (event: RawBodyEvent) => {
      const now = deps.clock.now();
      let contentType: string | undefined;
      for (const [k, v] of Object.entries(event.headers ?? {}))
        if (k.toLowerCase() === 'content-type') contentType = v;
      const streams = decodeLokiPush(event.rawBody, {
        ...(contentType !== undefined && { contentType }),
        maxDecompressedBytes: deps.config.limits.maxDecompressedBytes,
      });
      const parsed = lokiStreamsToLogEvents(streams, logReadOptions(deps, event, now));
      const result = await ingestReadLogs(deps, parsed, now);
      return logIngestResponse(result, 'text', 204);
    },
    { rawBody: { maxBytes: deps.logs.limits.maxBodyBytes, gzip: true } },
  );

export { makeIngestLokiHandler };
