import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3DriftReportStore } from '../../../../lambdas/adapters/drift-reports/s3-drift-report-store';
import { DriftReportIdError } from '../../../../lambdas/domain/drift/report';
import { StorageThrottledError, StorageUnavailableError } from '../../../../lambdas/domain/errors';
import { reportAt, withPage } from './report-fixture';

const BUCKET = 'vigil-drift-reports';
const s3 = mockClient(S3Client);
const store = () => new S3DriftReportStore({ client: s3 as unknown as S3Client, bucket: BUCKET });
const T = Date.parse('2026-11-25T12:00:00Z');

/** A GetObject body as the SDK's stream mixin exposes it. */
const body = (text: string) =>
  ({ transformToString: async () => text }) as unknown as GetObjectCommandOutput['Body'];

const serviceError = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: 'server',
    $metadata: { httpStatusCode: status },
    message: name,
  });

describe('Class: S3DriftReportStore', () => {
  afterEach(() => {
    s3.reset();
  });

  it('puts the page as HTML and the report as JSON under its monitor, newest-first key, and an index marker', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});
    const report = reportAt('faces', T);
    const key = `reports/faces/${String(9_999_999_999_999 - T).padStart(13, '0')}`;

    // Act
    await store().put(report, '<!DOCTYPE html><title>faces</title>');

    // Assess
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 3);
    expect(s3).toHaveReceivedNthCommandWith(1, PutObjectCommand, {
      Bucket: BUCKET,
      Key: `${key}.html`,
      Body: '<!DOCTYPE html><title>faces</title>',
      ContentType: 'text/html; charset=utf-8',
    });
    expect(s3).toHaveReceivedNthCommandWith(2, PutObjectCommand, {
      Bucket: BUCKET,
      Key: `${key}.json`,
      Body: JSON.stringify(report),
      ContentType: 'application/json',
    });
    expect(s3).toHaveReceivedNthCommandWith(3, PutObjectCommand, {
      Bucket: BUCKET,
      Key: `index/${9_999_999_999_999 - T}.faces`,
      Body: '',
    });
  });

  it('lists one monitor newest first, paging with the continuation token up to the limit', async () => {
    // Prepare
    const key = (t: number) => `reports/faces/${9_999_999_999_999 - t}.json`;
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined })
      .resolves({
        Contents: [{ Key: key(T) }, { Key: key(T - 1000) }, { Key: 'reports/faces/README' }],
        IsTruncated: true,
        NextContinuationToken: 'page-2',
      })
      .on(ListObjectsV2Command, { ContinuationToken: 'page-2' })
      .resolves({ Contents: [{ Key: key(T - 2000) }, { Key: key(T - 3000) }], IsTruncated: true });

    // Act
    const listed = await store().list({ monitor: 'faces', limit: 3 });

    // Assess
    expect(listed).toEqual([
      { id: 'faces.20261125T120000.000Z', monitor: 'faces', runAtMs: T },
      { id: 'faces.20261125T115959.000Z', monitor: 'faces', runAtMs: T - 1000 },
      { id: 'faces.20261125T115958.000Z', monitor: 'faces', runAtMs: T - 2000 },
    ]);
    expect(s3).toHaveReceivedNthCommandWith(1, ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: 'reports/faces/',
      MaxKeys: 3,
    });
    expect(s3).toHaveReceivedNthCommandWith(2, ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: 'reports/faces/',
      MaxKeys: 1,
      ContinuationToken: 'page-2',
    });
  });

  it('lists every monitor through the index', async () => {
    // Prepare
    s3.on(ListObjectsV2Command).resolves({
      Contents: [
        { Key: `index/${9_999_999_999_999 - T}.latency` },
        { Key: `index/${9_999_999_999_999 - T + 5}.faces` },
      ],
      IsTruncated: false,
    });

    // Act
    const listed = await store().list({ limit: 20 });

    // Assess
    expect(listed.map((s) => s.id)).toEqual([
      'latency.20261125T120000.000Z',
      'faces.20261125T115959.995Z',
    ]);
    expect(s3).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: 'index/',
      MaxKeys: 20,
    });
  });

  it('gets a report by id, and undefined for NoSuchKey', async () => {
    // Prepare
    const report = reportAt('faces', T);
    s3.on(GetObjectCommand, { Key: `reports/faces/${9_999_999_999_999 - T}.json` })
      .resolves({ Body: body(JSON.stringify(report)) })
      .on(GetObjectCommand, { Key: `reports/faces/${9_999_999_999_999 - T + 1}.json` })
      .rejects(
        new NoSuchKey({
          $metadata: { httpStatusCode: 404 },
          message: 'The specified key does not exist.',
        }),
      );

    // Act
    const found = await store().get(report.id);
    const missing = await store().get('faces.20261125T115959.999Z');

    // Assess
    expect(found).toEqual(report);
    expect(missing).toBeUndefined();
  });

  it('gets a page by id from the .html key beside the report, and undefined for NoSuchKey', async () => {
    // Prepare
    s3.on(GetObjectCommand, { Key: `reports/faces/${9_999_999_999_999 - T}.html` })
      .resolves({ Body: body('<!DOCTYPE html><h1>faces</h1>') })
      .on(GetObjectCommand, { Key: `reports/faces/${9_999_999_999_999 - T + 1}.html` })
      .rejects(
        new NoSuchKey({
          $metadata: { httpStatusCode: 404 },
          message: 'The specified key does not exist.',
        }),
      );

    // Act
    const found = await store().getHtml('faces.20261125T120000.000Z');
    const missing = await store().getHtml('faces.20261125T115959.999Z');

    // Assess
    expect(found).toBe('<!DOCTYPE html><h1>faces</h1>');
    expect(missing).toBeUndefined();
  });

  it('refuses a malformed id without calling S3', async () => {
    // Act
    const get = store().get('../../etc/passwd');

    // Assess
    await expect(get).rejects.toBeInstanceOf(DriftReportIdError);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 0);
  });

  it('translates SlowDown into StorageThrottledError and 500 into StorageUnavailableError', async () => {
    // Prepare
    s3.on(PutObjectCommand).rejects(serviceError('SlowDown', 503));
    s3.on(ListObjectsV2Command).rejects(serviceError('InternalError', 500));

    // Act
    const put = store().put(...withPage(reportAt('faces', T)));
    const list = store().list({ limit: 5 });

    // Assess
    await expect(put).rejects.toBeInstanceOf(StorageThrottledError);
    await expect(list).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('passes access errors through unchanged', async () => {
    // Prepare
    const denied = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'Access Denied',
    });
    s3.on(GetObjectCommand).rejects(denied);

    // Act
    const get = store().get('faces.20261125T120000.000Z');

    // Assess
    await expect(get).rejects.toBe(denied);
  });
});
