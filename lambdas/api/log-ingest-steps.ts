import type { RuntimeConfig } from '../domain/config/types';
import {
  ingestLogEvents,
  type LogIngestPorts,
  type LogIngestResult,
} from '../domain/logs/ingest-log-events';
import type { ParsedLogEvents } from '../domain/logs/log-event';
import type { LogsConfig } from '../domain/logs/logs-config';
import type { RawBodyEvent } from '../shared/middleware/raw-body';
import { countMetric } from '../shared/powertools';

/** What the log endpoints' shared steps use of their deps (`LogsApiDeps`). */
interface LogStepDeps extends LogIngestPorts {
  readonly config: RuntimeConfig;
  readonly logs: LogsConfig;
}

/** What every log body reader takes from the deployment's `logs:` settings and the request. */
const logReadOptions = (deps: LogStepDeps, event: RawBodyEvent, receivedAtMs: number) => ({
  receivedAtMs,
  headers: event.headers ?? {},
  maxEvents: deps.logs.limits.maxEvents,
  maxEventBytes: deps.logs.limits.maxEventBytes,
  predictionField: deps.logs.prediction.field,
  predictionValue: deps.logs.prediction.value,
});

/** Read log events into the one log pipeline, and count them in Vigil's metrics. */
const ingestReadLogs = async (
  deps: LogStepDeps,
  parsed: ParsedLogEvents,
  nowMs: number,
): Promise<LogIngestResult> => {
  const result = await ingestLogEvents(
    parsed,
    deps,
    { logs: deps.logs, runtime: deps.config },
    nowMs,
  );
  countMetric('LogEventsAccepted', result.accepted);
  countMetric('LogEventsRejected', result.rejected.length);
  countMetric('PredictionRecordsWritten', result.predictions);
  return result;
};

export { ingestReadLogs, logReadOptions };
