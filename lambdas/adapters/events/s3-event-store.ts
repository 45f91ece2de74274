/**
 * `EventStore` on an S3 bucket, for deployments without Timestream (`store: amp`): prediction
 * records as NDJSON objects partitioned by UTC day and service, the S3 twin of the local day
 * files (`FileEventStore`, same line format: `prediction-lines.ts`).
 *
 * Key layout: `events/<YYYY-MM-DD>/<service>/<first timestamp ms>-<id>.ndjson` (`service` made
 * path-safe by `safeSegment`; readers filter by the exact name stored in each line).
 *
 * - `write`: one PutObject per (day, service) of the batch, each a new object — no
 *   read-modify-write, so concurrent writers never lose each other's records. A retried batch
 *   is stored twice (the log ingest pipeline's retries duplicate at most, never lose).
 * - `query`: ListObjectsV2 of the day prefixes in range (`Delimiter: '/'`, `StartAfter` the
 *   first day), then of each day's objects (under the service's prefix when the query names
 *   one), then GetObject of each; pages are followed with `ContinuationToken`.
 *
 * Failures: S3's `SlowDown` / 503 become `StorageThrottledError`, other 5xx
 * `StorageUnavailableError`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-prefixes.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import { randomUUID } from 'node:crypto';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { storageErrorOfS3 } from '../aws/s3-errors';
import type {
  BatchResult,
  EventStore,
  PredictionQuery,
  PredictionRecord,
} from '../../domain/ports';
import { safeSegment, utcDay } from '../files/ndjson-day-files';
import { lineOf, selectRecords, unstorableReason } from './prediction-lines';

/** Prefix of every event object in the bucket. */
const EVENTS_PREFIX = 'events/';
/** Earliest and latest instants a `YYYY-MM-DD` day name can hold. */
const MIN_MS = 0;
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

interface S3EventStoreOptions {
  /** @default a new `S3Client(clientConfig)` */
  readonly client?: S3Client;
  /** Used only when `client` is not given. */
  readonly clientConfig?: S3ClientConfig;
  readonly bucket: string;
  /** Unique part of a new object's key. @default `crypto.randomUUID` */
  readonly newId?: () => string;
}

/** The key of a new object holding records of `service` on the UTC day of `firstMs`. */
const eventObjectKey = (service: string, firstMs: number, id: string): string =>
  `${EVENTS_PREFIX}${utcDay(firstMs)}/${safeSegment(service)}/${firstMs}-${id}.ndjson`;

/** Prediction events as day- and service-partitioned NDJSON objects in S3. */
class S3EventStore implements EventStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #newId: () => string;

  constructor(options: S3EventStoreOptions) {
    this.#client = options.client ?? new S3Client(options.clientConfig ?? {});
    this.#bucket = options.bucket;
    this.#newId = options.newId ?? randomUUID;
  }

  /** Stores each (day, service) group as a new object; non-finite measures are refused by index. */
  async write(records: readonly PredictionRecord[]): Promise<BatchResult> {
    const groups = new Map<string, { service: string; firstMs: number; lines: string[] }>();
    const rejected: { index: number; reason: string }[] = [];
    records.forEach((r, index) => {
      const reason =
        unstorableReason(r) ??
        (r.timestampMs >= MIN_MS && r.timestampMs <= MAX_MS
          ? undefined
          : `timestamp ${r.timestampMs} is outside years 1970..9999`);
      if (reason) {
        rejected.push({ index, reason });
        return;
      }
      const group = `${utcDay(r.timestampMs)}/${r.service}`;
      let g = groups.get(group);
      if (!g) {
        g = { service: r.service, firstMs: r.timestampMs, lines: [] };
        groups.set(group, g);
      }
      g.firstMs = Math.min(g.firstMs, r.timestampMs);
      g.lines.push(lineOf(r));
    });
    for (const g of groups.values()) {
      const key = eventObjectKey(g.service, g.firstMs, this.#newId());
      try {
        await this.#client.send(
          new PutObjectCommand({
            Bucket: this.#bucket,
            Key: key,
            Body: `${g.lines.join('\n')}\n`,
            ContentType: 'application/x-ndjson',
          }),
        );
      } catch (error) {
        throw storageErrorOfS3(error, `writing prediction events (${key})`);
      }
    }
    return { accepted: records.length - rejected.length, rejected };
  }

  /** Records in the range matching the given dimensions, with only the asked fields, by time. */
  async query(query: PredictionQuery): Promise<PredictionRecord[]> {
    const start = Math.max(query.range.startMs, MIN_MS);
    const end = Math.min(query.range.endMs, MAX_MS);
    if (!(end >= start)) return [];
    const first = utcDay(start);
    const last = utcDay(end);
    const lines: unknown[] = [];
    for (const day of await this.#days(first, last)) {
      const prefix =
        query.service === undefined
          ? `${EVENTS_PREFIX}${day}/`
          : `${EVENTS_PREFIX}${day}/${safeSegment(query.service)}/`;
      for (const key of await this.#keys(prefix)) {
        for (const line of await this.#lines(key)) lines.push(line);
      }
    }
    return selectRecords(lines, query);
  }

  /** The day names (`YYYY-MM-DD`) with objects, from `first` to `last`, ascending. */
  async #days(first: string, last: string): Promise<string[]> {
    const days: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#list({
        Prefix: EVENTS_PREFIX,
        Delimiter: '/',
        // Keys sort lexically, as day names do: start just before the first day's prefix.
        StartAfter: `${EVENTS_PREFIX}${first}`,
        ContinuationToken: token,
      });
      for (const p of page.CommonPrefixes ?? []) {
        const day = p.Prefix?.slice(EVENTS_PREFIX.length, -1);
        if (day === undefined) continue;
        if (day > last) return days;
        if (day >= first) days.push(day);
      }
      token = page.NextContinuationToken;
    } while (token);
    return days;
  }

  /** Every object key under `prefix`. */
  async #keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#list({ Prefix: prefix, ContinuationToken: token });
      for (const o of page.Contents ?? []) if (o.Key?.endsWith('.ndjson')) keys.push(o.Key);
      token = page.NextContinuationToken;
    } while (token);
    return keys;
  }

  async #list(input: {
    Prefix: string;
    Delimiter?: string;
    StartAfter?: string;
    ContinuationToken?: string;
  }) {
    try {
      return await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, ...input }));
    } catch (error) {
      throw storageErrorOfS3(error, `listing prediction events (${input.Prefix})`);
    }
  }

  /** The parsed lines of one object; a line that is not JSON is skipped. */
  async #lines(key: string): Promise<unknown[]> {
    let text: string;
    try {
      const object = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: key }),
      );
      text = (await object.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      throw storageErrorOfS3(error, `reading prediction events (${key})`);
    }
    const out: unknown[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // Objects are written whole by PutObject; a foreign or damaged line is not a record.
      }
    }
    return out;
  }
}

export type { S3EventStoreOptions };
export { EVENTS_PREFIX, eventObjectKey, S3EventStore };
