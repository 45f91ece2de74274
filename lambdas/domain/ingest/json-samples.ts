import { BadRequestError } from '../errors';
import type { IncomingSeries } from './validate-series';

/**
 * The JSON sample format of `POST /ingest/metrics`, for services without a Prometheus client:
 *
 * ```json
 * {"name": "ml_model_accuracy", "labels": {"model_version": "v3"}, "value": 0.93, "timestamp": 1764086400000}
 * ```
 *
 * A batch is `{"samples": [ ...those objects... ]}` or a bare JSON array of them.
 * `value` is a number or one of the strings `"NaN"`, `"+Inf"`, `"-Inf"` (JSON has no such numbers);
 * `timestamp` is optional, integer milliseconds since the epoch, default: the time of receipt.
 * `labels` is optional, an object of string values; an empty value means the label is absent.
 */
export interface JsonSample {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number | string;
  readonly timestamp?: number;
}

const SPECIAL_VALUES: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  '+Inf': Number.POSITIVE_INFINITY,
  Inf: Number.POSITIVE_INFINITY,
  '-Inf': Number.NEGATIVE_INFINITY,
};
const SAMPLE_KEYS = new Set(['name', 'labels', 'value', 'timestamp']);

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const parseOne = (
  raw: unknown,
  where: string,
  nowMs: number,
  problems: string[],
): IncomingSeries | undefined => {
  if (!isObj(raw)) {
    problems.push(`${where}: must be an object with name and value`);
    return undefined;
  }
  const before = problems.length;
  for (const k of Object.keys(raw)) {
    if (!SAMPLE_KEYS.has(k))
      problems.push(`${where}.${k}: unknown field (expected name, labels, value, timestamp)`);
  }
  if (typeof raw.name !== 'string' || raw.name === '')
    problems.push(`${where}.name: must be a non-empty string`);
  const labels: [string, string][] = [['__name__', typeof raw.name === 'string' ? raw.name : '']];
  if (raw.labels !== undefined) {
    if (!isObj(raw.labels)) problems.push(`${where}.labels: must be an object of string values`);
    else {
      for (const [k, v] of Object.entries(raw.labels)) {
        if (typeof v !== 'string')
          problems.push(`${where}.labels.${k}: must be a string, got ${JSON.stringify(v)}`);
        else if (k === '__name__')
          problems.push(`${where}.labels.__name__: give the metric name in "name"`);
        else labels.push([k, v]);
      }
    }
  }
  let value = Number.NaN;
  if (typeof raw.value === 'number') value = raw.value;
  // hasOwn, not `in`: "toString" or "constructor" must not resolve to Object.prototype members.
  else if (typeof raw.value === 'string' && Object.hasOwn(SPECIAL_VALUES, raw.value))
    value = SPECIAL_VALUES[raw.value] as number;
  else
    problems.push(
      `${where}.value: must be a number or "NaN", "+Inf", "-Inf", got ${JSON.stringify(raw.value)}`,
    );
  let t = nowMs;
  if (raw.timestamp !== undefined) {
    if (typeof raw.timestamp !== 'number' || !Number.isSafeInteger(raw.timestamp)) {
      problems.push(
        `${where}.timestamp: must be integer milliseconds since the epoch, got ${JSON.stringify(raw.timestamp)}`,
      );
    } else t = raw.timestamp;
  }
  if (problems.length > before) return undefined;
  return { labels, samples: [{ t, v: value }] };
};

/**
 * Parses a JSON ingest body (one sample, `{"samples": [...]}` or an array).
 * Structural problems reject the whole body: throws `BadRequestError` listing each problem
 * with its JSON path (`samples[3].value: ...`). Data-model checks happen in `validateSeries`.
 */
const parseJsonSamples = (body: string, nowMs: number): IncomingSeries[] => {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw new BadRequestError(`invalid JSON: ${(e as Error).message}`);
  }
  let items: unknown[];
  let prefix: string;
  if (Array.isArray(doc)) {
    items = doc;
    prefix = '';
  } else if (isObj(doc) && 'samples' in doc) {
    if (!Array.isArray(doc.samples)) throw new BadRequestError('samples: must be an array');
    const extra = Object.keys(doc).filter((k) => k !== 'samples');
    if (extra.length > 0)
      throw new BadRequestError(`${extra[0]}: unknown field (a batch is {"samples": [...]})`);
    items = doc.samples;
    prefix = 'samples';
  } else {
    items = [doc];
    prefix = '(body)';
  }
  const problems: string[] = [];
  const out: IncomingSeries[] = [];
  items.forEach((item, i) => {
    const s = parseOne(item, prefix === '(body)' ? '(body)' : `${prefix}[${i}]`, nowMs, problems);
    if (s) out.push(s);
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 20);
    const more =
      problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : '';
    throw new BadRequestError(`invalid samples: ${shown.join('; ')}${more}`, problems);
  }
  return out;
};

export { parseJsonSamples };
