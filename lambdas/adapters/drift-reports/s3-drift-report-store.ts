/**
 * `DriftReportStore` on an S3 bucket (key layout in `report-keys.ts`). The bucket's default
 * encryption (SSE-KMS) applies; objects are JSON, `Content-Type: application/json`.
 *
 * - `put`: PutObject of the HTML page (`text/html; charset=utf-8`), of the report, then of an
 *   empty index marker (a retried run overwrites all three).
 * - `list`: ListObjectsV2 over one monitor's prefix, or over the index for every monitor, paging
 *   with `ContinuationToken` until `limit` keys (at most 1,000 keys per page).
 * - `get`, `getHtml`: GetObject; `NoSuchKey` is "no such report".
 *
 * Failures: S3's `SlowDown` / 503 become `StorageThrottledError`, other 5xx
 * `StorageUnavailableError`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { DriftReport, DriftReportSummary } from '../../domain/drift/report';
import { storageErrorOfS3 } from '../aws/s3-errors';
import type { DriftReportStore } from '../../domain/drift/report-store';
import {
  htmlKey,
  htmlKeyOfId,
  INDEX_PREFIX,
  indexKey,
  monitorPrefix,
  reportKey,
  reportKeyOfId,
  summaryOfKey,
} from './report-keys';

/** ListObjectsV2 returns at most this many keys per page. */
const MAX_KEYS_PER_PAGE = 1000;

interface S3DriftReportStoreOptions {
  /** @default a new `S3Client(clientConfig)` */
  readonly client?: S3Client;
  /** Used only when `client` is not given. */
  readonly clientConfig?: S3ClientConfig;
  readonly bucket: string;
}

/** Drift reports as JSON and HTML objects in an S3 bucket. */
class S3DriftReportStore implements DriftReportStore {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: S3DriftReportStoreOptions) {
    this.#client = options.client ?? new S3Client(options.clientConfig ?? {});
    this.#bucket = options.bucket;
  }

  async put(report: DriftReport, html: string): Promise<void> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: htmlKey(report.monitor, report.runAtMs),
          Body: html,
          ContentType: 'text/html; charset=utf-8',
        }),
      );
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: reportKey(report.monitor, report.runAtMs),
          Body: JSON.stringify(report),
          ContentType: 'application/json',
        }),
      );
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: indexKey(report.monitor, report.runAtMs),
          Body: '',
        }),
      );
    } catch (error) {
      throw storageErrorOfS3(error, `storing drift report ${report.id}`);
    }
  }

  async list(query: { monitor?: string; limit: number }): Promise<DriftReportSummary[]> {
    const prefix = query.monitor === undefined ? INDEX_PREFIX : monitorPrefix(query.monitor);
    const out: DriftReportSummary[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            MaxKeys: Math.min(MAX_KEYS_PER_PAGE, query.limit - out.length),
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
        for (const o of page.Contents ?? []) {
          const s = o.Key === undefined ? undefined : summaryOfKey(o.Key);
          if (s && out.length < query.limit) out.push(s);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined && out.length < query.limit);
    } catch (error) {
      throw storageErrorOfS3(error, 'listing drift reports');
    }
    return out;
  }

  async get(id: string): Promise<DriftReport | undefined> {
    const text = await this.#read(reportKeyOfId(id), id);
    return text === undefined ? undefined : (JSON.parse(text) as DriftReport);
  }

  async getHtml(id: string): Promise<string | undefined> {
    return this.#read(htmlKeyOfId(id), id);
  }

  async #read(key: string, id: string): Promise<string | undefined> {
    try {
      const res = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return (await res.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw storageErrorOfS3(error, `reading drift report ${id}`);
    }
  }
}

export type { S3DriftReportStoreOptions };
export { S3DriftReportStore };
