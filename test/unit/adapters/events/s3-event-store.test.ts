import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3EventStore } from '../../../../lambdas/adapters/events/s3-event-store';
import { StorageThrottledError, StorageUnavailableError } from '../../../../lambdas/domain/errors';
import type { PredictionRecord } from '../../../../lambdas/domain/ports';

const BUCKET = 'vigil-events';
const s3 = mockClient(S3Client);
const store = () =>
  new S3EventStore({ client: s3 as unknown as S3Client, bucket: BUCKET, newId: () => 'id1' });
const T = Date.parse('2026-11-25T12:00:00Z');
const DAY = 86_400_000;

const body = (text: string) =>
  ({ transformToString: async () => text }) as unknown as GetObjectCommandOutput['Body'];

const record = (timestampMs: number, service = 'faces', confidence = 0.9): PredictionRecord => ({
  timestampMs,
  service,
  model: 'resnet',
  modelVersion: 'v1',
  measures: { confidence, label: 'cat' },
});

describe('Class: S3EventStore', () => {
  afterEach(() => {
    s3.reset();
  });

  it('writes one new NDJSON object per day and service, and refuses non-finite measures by index', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});
    const records = [
      record(T + 5),
      record(T, 'faces', Number.NaN),
      record(T + 1),
      record(T + DAY, 'faces'),
      record(T + 2, 'a/b'),
    ];

    // Act
    const result = await store().write(records);

    // Assess
    expect(result).toEqual({
      accepted: 4,
      rejected: [{ index: 1, reason: "measure 'confidence' is NaN: not a finite number" }],
    });
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 3);
    expect(s3).toHaveReceivedNthCommandWith(1, PutObjectCommand, {
      Bucket: BUCKET,
      Key: `events/2026-11-25/faces/${T + 1}-id1.ndjson`,
      Body: `${JSON.stringify(record(T + 5))}\n${JSON.stringify(record(T + 1))}\n`,
      ContentType: 'application/x-ndjson',
    });
    expect(s3).toHaveReceivedNthCommandWith(2, PutObjectCommand, {
      Key: `events/2026-11-26/faces/${T + DAY}-id1.ndjson`,
    });
    expect(s3).toHaveReceivedNthCommandWith(3, PutObjectCommand, {
      Key: `events/2026-11-25/a_b/${T + 2}-id1.ndjson`,
    });
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 0);
  });

  it('lists the days in range, then the service prefix of each, and reads the objects', async () => {
    // Prepare
    s3.on(ListObjectsV2Command, { Prefix: 'events/', Delimiter: '/' })
      .resolvesOnce({
        CommonPrefixes: [{ Prefix: 'events/2026-11-25/' }],
        NextContinuationToken: 'next',
      })
      .resolvesOnce({
        CommonPrefixes: [{ Prefix: 'events/2026-11-26/' }, { Prefix: 'events/2026-11-28/' }],
      });
    s3.on(ListObjectsV2Command, { Prefix: 'events/2026-11-25/faces/' }).resolves({
      Contents: [{ Key: 'events/2026-11-25/faces/1-a.ndjson' }],
    });
    s3.on(ListObjectsV2Command, { Prefix: 'events/2026-11-26/faces/' }).resolves({
      Contents: [{ Key: 'events/2026-11-26/faces/2-b.ndjson' }],
    });
    s3.on(GetObjectCommand, { Key: 'events/2026-11-25/faces/1-a.ndjson' }).resolves({
      Body: body(`${JSON.stringify(record(T + 10))}\nnot json\n${JSON.stringify(record(T - 1))}\n`),
    });
    s3.on(GetObjectCommand, { Key: 'events/2026-11-26/faces/2-b.ndjson' }).resolves({
      Body: body(`${JSON.stringify(record(T + DAY, 'faces', 0.5))}\n`),
    });

    // Act
    const out = await store().query({
      service: 'faces',
      range: { startMs: T, endMs: T + DAY },
      fields: ['confidence'],
    });

    // Assess
    expect(out).toEqual([
      { ...record(T + 10), measures: { confidence: 0.9 } },
      { ...record(T + DAY), measures: { confidence: 0.5 } },
    ]);
    expect(s3).toHaveReceivedNthCommandWith(1, ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: 'events/',
      Delimiter: '/',
      StartAfter: 'events/2026-11-25',
      ContinuationToken: undefined,
    });
    expect(s3).toHaveReceivedNthCommandWith(2, ListObjectsV2Command, {
      Prefix: 'events/',
      ContinuationToken: 'next',
    });
    // The 2026-11-28 prefix is past the range: never listed.
    expect(s3).toHaveReceivedCommandTimes(ListObjectsV2Command, 4);
    expect(s3).toHaveReceivedCommandTimes(GetObjectCommand, 2);
  });

  it('lists the whole day when the query names no service', async () => {
    // Prepare
    s3.on(ListObjectsV2Command, { Delimiter: '/' }).resolves({
      CommonPrefixes: [{ Prefix: 'events/2026-11-25/' }],
    });
    s3.on(ListObjectsV2Command, { Prefix: 'events/2026-11-25/' }).resolves({ Contents: [] });

    // Act
    const out = await store().query({ range: { startMs: T, endMs: T + 1 }, fields: [] });

    // Assess
    expect(out).toEqual([]);
    expect(s3).toHaveReceivedNthCommandWith(2, ListObjectsV2Command, {
      Bucket: BUCKET,
      Prefix: 'events/2026-11-25/',
      ContinuationToken: undefined,
    });
  });

  it('translates S3 throttling and server errors into storage errors', async () => {
    // Prepare
    const error = (name: string, status: number) =>
      new S3ServiceException({
        name,
        $fault: 'server',
        $metadata: { httpStatusCode: status },
        message: name,
      });
    s3.on(PutObjectCommand)
      .rejectsOnce(error('SlowDown', 503))
      .rejectsOnce(error('InternalError', 500));

    // Act & Assess
    await expect(store().write([record(T)])).rejects.toBeInstanceOf(StorageThrottledError);
    await expect(store().write([record(T)])).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});
