/**
 * Loki's push API (`POST /loki/api/v1/push`), as Promtail, Grafana Agent/Alloy and Loki clients
 * send it: JSON, or a snappy-compressed (block format) protobuf `logproto.PushRequest`.
 * @see https://grafana.com/docs/loki/latest/reference/loki-http-api/#ingest-logs
 * @see https://github.com/grafana/loki/blob/main/pkg/push/push.proto
 */
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';
import { SelectorTextError, scanSelector } from '../series/selector-text';
import { ProtoReader, WireType } from '../remote-write/proto-reader';
import { RemoteWriteDecodeError, RemoteWriteDecodeErrorKind } from '../remote-write/errors';
import { snappyDecompress } from '../remote-write/snappy';
import { LABEL_NAME_RE } from '../series/labels';
import type { LogEvent, ParsedLogEvents, RejectedLogEvent } from './log-event';
import { logEventReader, type ParseLogEventsOptions } from './parse-log-events';

/** One log line of a pushed stream. */
export interface LokiEntry {
  /** Entry time, ms since the epoch (Loki's nanoseconds, truncated). */
  readonly timestampMs: number;
  readonly line: string;
  /** Loki 3 structured metadata (name → value). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** One pushed stream: its labels (or why they are unusable) and its entries. */
export interface LokiStream {
  readonly labels: Readonly<Record<string, string>>;
  /** Set when the stream's labels are invalid: all its entries are rejected with this reason. */
  readonly labelsError?: string;
  readonly entries: readonly LokiEntry[];
}

/** Wire format of a push body. */
export const LokiPushFormat = { Json: 'json', Protobuf: 'protobuf' } as const;
export type LokiPushFormat = (typeof LokiPushFormat)[keyof typeof LokiPushFormat];

/** A push body that cannot be read at all. Maps to 400 (Promtail does not retry a 4xx). */
class LokiPushDecodeError extends BadRequestError {
  override readonly name: string = 'LokiPushDecodeError';
}

/** Field numbers of push.proto (PushRequest, StreamAdapter, EntryAdapter, LabelPairAdapter, Timestamp). */
const Field = {
  PushStreams: 1,
  StreamLabels: 1,
  StreamEntries: 2,
  EntryTimestamp: 1,
  EntryLine: 2,
  EntryMetadata: 3,
  PairName: 1,
  PairValue: 2,
  TimestampSeconds: 1,
  TimestampNanos: 2,
} as const;

/** Loki's suffix for a line key that collides with a stream label (LogQL `| json`). */
const EXTRACTED_SUFFIX = '_extracted';

/**
 * Which decoder a request needs, from its Content-Type: Loki reads `application/json` as JSON
 * and anything else (Promtail sends `application/x-protobuf`) as snappy protobuf.
 * @throws UnsupportedMediaTypeError for text and form bodies, which are neither.
 */
const lokiPushFormat = (contentType: string | undefined): LokiPushFormat => {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (mime === 'application/json') return LokiPushFormat.Json;
  if (mime === '' || mime === 'application/x-protobuf' || mime === 'application/octet-stream')
    return LokiPushFormat.Protobuf;
  throw new UnsupportedMediaTypeError(
    `Content-Type ${JSON.stringify(contentType)} is not a Loki push: use application/json or application/x-protobuf (snappy)`,
  );
};

const selectorCache = new Map<string, Record<string, string> | string>();

/**
 * Reads `{name="value", ...}` as the PromQL selector grammar writes a label set: the labels with an
 * empty value left out, at least one non-empty. Read without the PromQL parser, so a log ingest
 * function does not load it.
 */
const readLabelSet = (text: string): Record<string, string> => {
  const { name, matchers } = scanSelector(text, { equalOnly: true });
  if (name !== undefined) throw new SelectorTextError(`are not a {name="value", ...} label set`);
  const labels: Record<string, string> = {};
  for (const m of matchers) if (m.value !== '') labels[m.name] = m.value;
  if (Object.keys(labels).length === 0)
    throw new SelectorTextError('do not parse: a label set needs at least one non-empty label');
  return labels;
};

/**
 * A stream's labels string (`{job="varlogs", host="a"}`), read as the PromQL selector grammar
 * writes a label set: only `=` matchers with valid names, at least one. Returns the labels or a
 * reason.
 */
const parseStreamLabels = (text: string): Record<string, string> | string => {
  const cached = selectorCache.get(text);
  if (cached !== undefined) return cached;
  let result: Record<string, string> | string;
  try {
    result = readLabelSet(text);
  } catch (e) {
    if (!(e instanceof SelectorTextError)) throw e;
    const sep = e.message.startsWith('only') ? ': ' : ' ';
    result = `labels ${JSON.stringify(text)}${sep}${e.message}`;
  }
  if (selectorCache.size > 1000) selectorCache.clear();
  selectorCache.set(text, result);
  return result;
};

/** Loki's timestamps are decimal strings of nanoseconds since the epoch. */
const nsStringToMs = (v: unknown): number | undefined => {
  if (typeof v === 'string' && /^\d{1,25}$/.test(v)) return Number(BigInt(v) / 1_000_000n);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return Math.floor(v / 1e6);
  return undefined;
};

const utf8 = new TextDecoder('utf-8', { ignoreBOM: false });

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const stringMap = (v: unknown, what: string): Record<string, string> | string => {
  if (!isObj(v)) return `${what} must be an object of strings`;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') return `${what}: value of ${JSON.stringify(k)} must be a string`;
    out[k] = x;
  }
  return out;
};

const checkLabelNames = (labels: Record<string, string>): string | undefined => {
  const names = Object.keys(labels);
  if (names.length === 0) return 'stream has no labels';
  const bad = names.find((n) => !LABEL_NAME_RE.test(n));
  return bad === undefined ? undefined : `invalid label name ${JSON.stringify(bad)}`;
};

/**
 * Decodes a JSON push: `{"streams":[{"stream":{labels},"values":[["<ns>","<line>",{metadata}?]]}]}`
 * (also the older `{"labels":"{a=\"b\"}","entries":[{"ts":"<RFC 3339>","line":"…"}]}` form).
 * A malformed entry becomes an entry with `timestampMs: NaN` whose line says why, so it is
 * rejected with its index while the rest of the push is kept.
 */
const decodeLokiJson = (body: string): LokiStream[] => {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    throw new LokiPushDecodeError(`invalid JSON Loki push: ${(e as Error).message}`);
  }
  if (!isObj(doc) || !Array.isArray(doc.streams))
    throw new LokiPushDecodeError(
      'a JSON Loki push is {"streams":[{"stream":{...},"values":[...]}]}',
    );
  return doc.streams.map((s, si): LokiStream => {
    if (!isObj(s)) return { labels: {}, labelsError: `stream ${si} is not an object`, entries: [] };
    const labels =
      s.stream !== undefined
        ? stringMap(s.stream, 'stream')
        : typeof s.labels === 'string'
          ? parseStreamLabels(s.labels)
          : 'stream has neither "stream" labels nor a "labels" string';
    const rawEntries: unknown[] = Array.isArray(s.values)
      ? s.values
      : Array.isArray(s.entries)
        ? s.entries
        : [];
    const entries = rawEntries.map((v): LokiEntry => {
      if (Array.isArray(v)) {
        const [ts, line, meta] = v;
        const metadata = meta === undefined ? {} : stringMap(meta, 'structured metadata');
        const timestampMs = nsStringToMs(ts);
        if (timestampMs === undefined || typeof line !== 'string' || typeof metadata === 'string')
          return {
            timestampMs: Number.NaN,
            line:
              typeof metadata === 'string'
                ? metadata
                : timestampMs === undefined
                  ? `timestamp ${JSON.stringify(ts)} is not a string of nanoseconds since the epoch`
                  : 'the log line must be a string',
            metadata: {},
          };
        return { timestampMs, line, metadata };
      }
      if (isObj(v) && typeof v.ts === 'string' && typeof v.line === 'string') {
        const ms = Date.parse(v.ts);
        if (!Number.isNaN(ms)) return { timestampMs: ms, line: v.line, metadata: {} };
      }
      return {
        timestampMs: Number.NaN,
        line: 'an entry must be ["<ns timestamp>", "<line>"] (or {"ts": "<RFC 3339>", "line": "…"})',
        metadata: {},
      };
    });
    if (typeof labels === 'string') return { labels: {}, labelsError: labels, entries };
    const bad = checkLabelNames(labels);
    return bad === undefined ? { labels, entries } : { labels, labelsError: bad, entries };
  });
};

/** Reads a `google.protobuf.Timestamp` message into ms. */
const readTimestamp = (r: ProtoReader, end: number): number => {
  let seconds = 0;
  let nanos = 0;
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    if (tag >>> 3 === Field.TimestampSeconds) {
      r.expectWire(tag, WireType.Varint, 'Timestamp.seconds', at);
      seconds = r.int64(end, 'Timestamp.seconds');
    } else if (tag >>> 3 === Field.TimestampNanos) {
      r.expectWire(tag, WireType.Varint, 'Timestamp.nanos', at);
      nanos = r.int64(end, 'Timestamp.nanos');
    } else r.skip(tag, end, at);
  }
  return seconds * 1000 + Math.floor(nanos / 1e6);
};

/** A length-delimited string field; invalid UTF-8 is decoded leniently (U+FFFD), as Go does. */
const readString = (r: ProtoReader, end: number, field: string): string => {
  const stop = r.delimited(end, field);
  const s = r.string(r.pos, stop, false) ?? '';
  r.pos = stop;
  return s;
};

const readPair = (r: ProtoReader, end: number): [string, string] => {
  let name = '';
  let value = '';
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    if (tag >>> 3 === Field.PairName) {
      r.expectWire(tag, WireType.LengthDelimited, 'LabelPairAdapter.name', at);
      name = readString(r, end, 'LabelPairAdapter.name');
    } else if (tag >>> 3 === Field.PairValue) {
      r.expectWire(tag, WireType.LengthDelimited, 'LabelPairAdapter.value', at);
      value = readString(r, end, 'LabelPairAdapter.value');
    } else r.skip(tag, end, at);
  }
  return [name, value];
};

const readEntry = (r: ProtoReader, end: number): LokiEntry => {
  let timestampMs = 0;
  let line = '';
  const metadata: Record<string, string> = {};
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    switch (tag >>> 3) {
      case Field.EntryTimestamp: {
        r.expectWire(tag, WireType.LengthDelimited, 'EntryAdapter.timestamp', at);
        const stop = r.delimited(end, 'EntryAdapter.timestamp');
        timestampMs = readTimestamp(r, stop);
        r.pos = stop;
        break;
      }
      case Field.EntryLine:
        r.expectWire(tag, WireType.LengthDelimited, 'EntryAdapter.line', at);
        line = readString(r, end, 'EntryAdapter.line');
        break;
      case Field.EntryMetadata: {
        r.expectWire(tag, WireType.LengthDelimited, 'EntryAdapter.structuredMetadata', at);
        const stop = r.delimited(end, 'EntryAdapter.structuredMetadata');
        const [name, value] = readPair(r, stop);
        metadata[name] = value;
        r.pos = stop;
        break;
      }
      default:
        r.skip(tag, end, at);
    }
  }
  return { timestampMs, line, metadata };
};

const readStream = (r: ProtoReader, end: number): LokiStream => {
  let labelsText = '';
  const entries: LokiEntry[] = [];
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.tag(end);
    if (tag >>> 3 === Field.StreamLabels) {
      r.expectWire(tag, WireType.LengthDelimited, 'StreamAdapter.labels', at);
      labelsText = readString(r, end, 'StreamAdapter.labels');
    } else if (tag >>> 3 === Field.StreamEntries) {
      r.expectWire(tag, WireType.LengthDelimited, 'StreamAdapter.entries', at);
      const stop = r.delimited(end, 'StreamAdapter.entries');
      entries.push(readEntry(r, stop));
      r.pos = stop;
    } else r.skip(tag, end, at);
  }
  const labels = parseStreamLabels(labelsText);
  if (typeof labels === 'string') return { labels: {}, labelsError: labels, entries };
  const bad = checkLabelNames(labels);
  return bad === undefined ? { labels, entries } : { labels, labelsError: bad, entries };
};

/**
 * Decodes a protobuf push: a snappy block (the framed format is refused, as Loki does) holding a
 * `logproto.PushRequest`. Uses the remote_write decoder's bounds-checked snappy and protobuf
 * readers; their errors are re-raised as {@link LokiPushDecodeError} (400) or
 * {@link PayloadTooLargeError} (413, decompressed size over `maxDecompressedBytes`).
 */
const decodeLokiProtobuf = (body: Uint8Array, maxDecompressedBytes: number): LokiStream[] => {
  try {
    const buf = snappyDecompress(body, maxDecompressedBytes);
    const r = new ProtoReader(buf);
    const streams: LokiStream[] = [];
    while (r.pos < buf.length) {
      const at = r.pos;
      const tag = r.tag(buf.length);
      if (tag >>> 3 === Field.PushStreams) {
        r.expectWire(tag, WireType.LengthDelimited, 'PushRequest.streams', at);
        const stop = r.delimited(buf.length, 'PushRequest.streams');
        streams.push(readStream(r, stop));
        r.pos = stop;
      } else r.skip(tag, buf.length, at);
    }
    return streams;
  } catch (e) {
    if (!(e instanceof RemoteWriteDecodeError)) throw e;
    if (e.kind === RemoteWriteDecodeErrorKind.TooLarge)
      throw new PayloadTooLargeError(`Loki push: ${e.message}`, { cause: e });
    throw new LokiPushDecodeError(`Loki push (snappy protobuf): ${e.message}`, [], { cause: e });
  }
};

/**
 * Decodes a push body in either format.
 * @example decodeLokiPush(Buffer.from('{"streams":[]}'), { contentType: 'application/json', maxDecompressedBytes: 1e6 })
 */
const decodeLokiPush = (
  body: Uint8Array,
  opts: { readonly contentType?: string; readonly maxDecompressedBytes: number },
): LokiStream[] =>
  lokiPushFormat(opts.contentType) === LokiPushFormat.Json
    ? decodeLokiJson(utf8.decode(body))
    : decodeLokiProtobuf(body, opts.maxDecompressedBytes);

/**
 * The fields of one entry's event. A line holding a JSON object gives its keys; any other line
 * becomes `message`. Structured metadata and then stream labels are laid over it, and a line key
 * they would hide is kept as `<key>_extracted` — what LogQL's `| json` does, so a stream label
 * (what Promtail was configured with) wins, and nothing of the line is lost.
 */
const entryFields = (
  labels: Readonly<Record<string, string>>,
  entry: LokiEntry,
): Record<string, unknown> => {
  let line: unknown;
  const t = entry.line.trimStart();
  if (t.startsWith('{')) {
    try {
      line = JSON.parse(entry.line);
    } catch {
      line = undefined;
    }
  }
  const over = { ...entry.metadata, ...labels };
  if (typeof line !== 'object' || line === null || Array.isArray(line))
    return { ...over, message: entry.line };
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(line as Record<string, unknown>))
    fields[Object.hasOwn(over, k) ? `${k}${EXTRACTED_SUFFIX}` : k] = v;
  return Object.assign(fields, over);
};

/** The largest distance from the epoch a `Date` can hold (ECMA-262 §21.4.1.1): ±100,000,000 days. */
const MAX_DATE_MS = 8_640_000_000_000_000;

const isDateMs = (ms: number): boolean => Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS;

/**
 * Turns decoded streams into log events: one per entry, in stream order, indexed across the whole
 * push. The entry's timestamp is the event's time. Entries of a stream with invalid labels, with
 * an unreadable timestamp or one beyond the range of dates, or over `maxEventBytes` are rejected
 * with their index; more than
 * `maxEvents` entries throws {@link PayloadTooLargeError}.
 */
const lokiStreamsToLogEvents = (
  streams: readonly LokiStream[],
  opts: ParseLogEventsOptions,
): ParsedLogEvents => {
  const total = streams.reduce((n, s) => n + s.entries.length, 0);
  if (total > opts.maxEvents)
    throw new PayloadTooLargeError(
      `${total} log entries in one push, more than the limit of ${opts.maxEvents}`,
    );
  const read = logEventReader(opts);
  const events: LogEvent[] = [];
  const rejected: RejectedLogEvent[] = [];
  let index = 0;
  streams.forEach((stream, si) => {
    stream.entries.forEach((entry, ei) => {
      const where = `stream ${si} entry ${ei}`;
      let ev: LogEvent | string;
      if (stream.labelsError !== undefined) ev = stream.labelsError;
      else if (Number.isNaN(entry.timestampMs)) ev = entry.line;
      else if (!isDateMs(entry.timestampMs))
        ev = `timestamp ${entry.timestampMs} ms since the epoch is outside the range of dates (±${MAX_DATE_MS} ms, about ±275,000 years)`;
      else ev = read(entryFields(stream.labels, entry), entry.timestampMs);
      if (typeof ev === 'string') rejected.push({ index, reason: `${where}: ${ev}` });
      else events.push(ev);
      index++;
    });
  });
  return { events, rejected };
};

export {
  decodeLokiPush,
  entryFields,
  LokiPushDecodeError,
  lokiPushFormat,
  lokiStreamsToLogEvents,
  parseStreamLabels,
};
