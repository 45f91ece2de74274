import type { PredictionRecord } from '../ports';
import type { LogEvent } from './log-event';
import { MeasureType } from './log-constants';
import type { LogsConfig } from './logs-config';

/** Model version of a prediction event that names none. */
const UNKNOWN_MODEL_VERSION = 'unknown';

/**
 * The value at a dotted path (`context.confidence`); a key that itself contains dots is found
 * too (`{"context.confidence": 0.9}`, as flattening log shippers write it).
 */
const valueAt = (fields: Readonly<Record<string, unknown>>, path: string): unknown => {
  if (Object.hasOwn(fields, path)) return fields[path];
  let cur: unknown = fields;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !Object.hasOwn(cur, key))
      return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
};

/** A non-empty string (numbers as their decimal form), or undefined. */
const dimensionValue = (v: unknown): string | undefined => {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
};

const firstPresent = (
  fields: Readonly<Record<string, unknown>>,
  paths: readonly string[],
): string | undefined => {
  for (const p of paths) {
    const v = dimensionValue(valueAt(fields, p));
    if (v !== undefined) return v;
  }
  return undefined;
};

/**
 * The prediction record of a prediction event, or `undefined` when the event has none of the
 * declared measures (a multi-measure record needs at least one; the event stays in the log).
 *
 * - dimensions: `service`; `model` = the first present `prediction.model` path, else the service;
 *   `model_version` = the first present `prediction.modelVersion` path, else `unknown`;
 * - measures: each declared field found in the event. DOUBLE keeps finite numbers (a numeric
 *   string such as `"0.95"` is read as a number; anything else is left out); VARCHAR keeps
 *   strings, numbers and booleans as text and objects as JSON. Empty strings are left out
 *   (Timestream values are at least 1 character).
 * @see https://docs.aws.amazon.com/timestream/latest/developerguide/API_MeasureValue.html
 */
const predictionRecordOf = (
  event: LogEvent,
  config: Pick<LogsConfig, 'prediction' | 'measures'>,
): PredictionRecord | undefined => {
  const measures: Record<string, number | string> = {};
  for (const m of config.measures) {
    const v = valueAt(event.fields, m.field);
    if (v === undefined || v === null) continue;
    if (m.type === MeasureType.Double) {
      const n =
        typeof v === 'number'
          ? v
          : typeof v === 'string' && v.trim() !== ''
            ? Number(v)
            : Number.NaN;
      if (Number.isFinite(n)) measures[m.name] = n;
      continue;
    }
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (s !== '') measures[m.name] = s;
  }
  if (Object.keys(measures).length === 0) return undefined;
  return {
    timestampMs: event.timestampMs,
    service: event.service,
    model: firstPresent(event.fields, config.prediction.model) ?? event.service,
    modelVersion:
      firstPresent(event.fields, config.prediction.modelVersion) ?? UNKNOWN_MODEL_VERSION,
    measures,
  };
};

export { predictionRecordOf, UNKNOWN_MODEL_VERSION, valueAt };
