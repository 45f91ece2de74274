/**
 * Prediction records as NDJSON lines, shared by the NDJSON event stores (local day files, S3
 * day objects): one `PredictionRecord` JSON object per line,
 * `{"timestampMs":…,"service":"…","model":"…","modelVersion":"…","measures":{"confidence":0.93,…}}`.
 */
import type { PredictionQuery, PredictionRecord } from '../../domain/ports';

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A record as one NDJSON line (no newline). */
const lineOf = (r: PredictionRecord): string =>
  JSON.stringify({
    timestampMs: r.timestampMs,
    service: r.service,
    model: r.model,
    modelVersion: r.modelVersion,
    measures: r.measures,
  });

/** Why a record cannot be stored as a line (a measure JSON cannot carry), or undefined. */
const unstorableReason = (r: PredictionRecord): string | undefined => {
  const bad = Object.entries(r.measures).find(
    ([, v]) => typeof v === 'number' && !Number.isFinite(v),
  );
  return bad ? `measure '${bad[0]}' is ${bad[1]}: not a finite number` : undefined;
};

/** A parsed line back into a record, or undefined when it is not one. */
const recordOf = (line: unknown): PredictionRecord | undefined => {
  if (!isObj(line)) return undefined;
  const { timestampMs, service, model, modelVersion, measures } = line;
  if (
    typeof timestampMs !== 'number' ||
    typeof service !== 'string' ||
    typeof model !== 'string' ||
    typeof modelVersion !== 'string' ||
    !isObj(measures)
  ) {
    return undefined;
  }
  const kept: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(measures)) {
    if (typeof v === 'number' || typeof v === 'string') kept[k] = v;
  }
  return { timestampMs, service, model, modelVersion, measures: kept };
};

/**
 * The records among parsed lines that `query` selects (range inclusive, given dimensions), with
 * only the asked fields, sorted by time (stable: records of one millisecond keep their order).
 */
const selectRecords = (lines: Iterable<unknown>, query: PredictionQuery): PredictionRecord[] => {
  const out: PredictionRecord[] = [];
  for (const line of lines) {
    const r = recordOf(line);
    if (
      !r ||
      r.timestampMs < query.range.startMs ||
      r.timestampMs > query.range.endMs ||
      (query.service !== undefined && r.service !== query.service) ||
      (query.model !== undefined && r.model !== query.model) ||
      (query.modelVersion !== undefined && r.modelVersion !== query.modelVersion)
    ) {
      continue;
    }
    const measures: Record<string, number | string> = {};
    for (const f of query.fields) {
      const v = r.measures[f];
      if (v !== undefined) measures[f] = v;
    }
    out.push({ ...r, measures });
  }
  return out.sort((a, b) => a.timestampMs - b.timestampMs);
};

export { lineOf, recordOf, selectRecords, unstorableReason };
