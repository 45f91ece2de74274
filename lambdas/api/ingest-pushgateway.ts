import type { APIGatewayProxyResult } from 'aws-lambda';
import { BadRequestError, UnsupportedMediaTypeError } from '../domain/errors';
import {
  type MetricFamily,
  parseDelimitedProtobuf,
  parseExposition,
  protobufContentType,
} from '../domain/exposition';
import { ingestSeries } from '../domain/ingest/ingest-series';
import { validateSeries } from '../domain/ingest/validate-series';
import type { PushGroupStore } from '../domain/ports';
import {
  applyPush,
  applyPushFailure,
  type PushedSample,
  staleMarkersForDelete,
} from '../domain/pushgateway/apply-push';
import { parseGroupingKey } from '../domain/pushgateway/grouping-key';
import type { Labels } from '../domain/series/labels';
import { headerValue, type RawBodyEvent } from '../shared/middleware/raw-body';
import { withMiddlewares } from '../shared/with-middlewares';
import type { ApiDeps } from './deps';
import { ingestResponse } from './responses';

/**
 * Reads a push body as the Pushgateway does: delimited protobuf when the content type names it
 * exactly, otherwise the text format 0.0.4 (400 on bad input).
 */
const parseFamilies = (event: RawBodyEvent): MetricFamily[] => {
  const contentType = headerValue(event, 'content-type') ?? '';
  const kind = protobufContentType(contentType);
  if (kind === 'delimited') return parseDelimitedProtobuf(event.rawBody);
  if (kind === 'other-protobuf') {
    throw new UnsupportedMediaTypeError(
      `content type ${JSON.stringify(contentType)} is not accepted: push protobuf as application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited, or the text format 0.0.4`,
    );
  }
  return parseExposition(event.rawBody.toString('utf8'));
};

/** Parses a push body into samples tagged with their family (400 on bad input). */
const parsePushBody = (event: RawBodyEvent): PushedSample[] =>
  parseFamilies(event).flatMap((f) =>
    f.samples.map((s) => ({
      labels: { ...s.labels, __name__: s.name },
      value: s.value,
      family: f.name,
      ...(s.timestampMs === undefined ? {} : { timestampMs: s.timestampMs }),
    })),
  );

/** Records a failed push on the group (when it exists), then lets the error answer the request. */
const recordFailure = async (deps: ApiDeps, key: Labels, error: unknown): Promise<never> => {
  const previous = await deps.pushGroups.get(key);
  if (
    previous &&
    error instanceof Error &&
    (error.name.endsWith('ParseError') || error instanceof BadRequestError)
  ) {
    const now = deps.clock.now();
    const outcome = applyPushFailure(previous, now);
    // Through the pipeline, so write_relabel_configs and the name budgets apply as to the push.
    await ingestSeries(outcome.samples, deps, deps.config, now);
    await deps.pushGroups.put(outcome.group);
  }
  throw error;
};

const push = async (
  deps: ApiDeps,
  event: RawBodyEvent,
  method: 'PUT' | 'POST',
): Promise<APIGatewayProxyResult> => {
  const key = parseGroupingKey(event.path);
  const now = deps.clock.now();
  try {
    const pushed = parsePushBody(event);
    const previous = await deps.pushGroups.get(key);
    const outcome = applyPush(method, key, previous, pushed, now);
    // A push is all or nothing, as on the Pushgateway: any invalid sample refuses the whole push.
    const check = validateSeries(outcome.samples, {
      limits: deps.config.limits,
      nowMs: now,
      maxSampleAgeMs: deps.config.maxSampleAgeMs,
    });
    if (check.rejected.length > 0)
      return ingestResponse({ accepted: 0, rejected: check.rejected }, 'text', 200);
    const result = await ingestSeries(outcome.samples, deps, deps.config, now);
    if (result.rejected.length > 0) return ingestResponse(result, 'text', 200);
    await deps.pushGroups.put(outcome.group);
    return { statusCode: 200, headers: {}, body: '' };
  } catch (e) {
    return recordFailure(deps, key, e);
  }
};

const remove = async (
  groups: PushGroupStore,
  deps: ApiDeps,
  path: string,
): Promise<APIGatewayProxyResult> => {
  const key = parseGroupingKey(path);
  const previous = await groups.get(key);
  if (previous) {
    // Through the pipeline, so the markers carry the labels the pushes were stored with
    // (write_relabel_configs) and a dropped series gets none.
    const now = deps.clock.now();
    await ingestSeries(staleMarkersForDelete(previous, now), deps, deps.config, now);
    await groups.delete(key);
  }
  return { statusCode: 202, headers: {}, body: '' };
};

/**
 * The Pushgateway API: `PUT|POST|DELETE /metrics/job/<job>{/<label>/<value>}`.
 * PUT replaces the group, POST replaces same-named metric families, DELETE removes the group.
 * @see https://github.com/prometheus/pushgateway#api
 */
const makePushgatewayHandler = (deps: ApiDeps) =>
  withMiddlewares(
    async (event: RawBodyEvent) => {
      const method = event.httpMethod.toUpperCase();
      if (method === 'PUT' || method === 'POST') return push(deps, event, method);
      if (method === 'DELETE') return remove(deps.pushGroups, deps, event.path);
      throw new BadRequestError(
        `method ${method} is not part of the Pushgateway API (PUT, POST, DELETE)`,
      );
    },
    { rawBody: { maxBytes: deps.config.limits.maxBodyBytes, gzip: true } },
  );

export { makePushgatewayHandler };
