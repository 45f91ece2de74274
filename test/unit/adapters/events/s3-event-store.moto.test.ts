/**
 * The S3 event store against moto's S3 server (real protocol: listing with delimiters and
 * `StartAfter`, object bodies): what one writer stores, another instance reads back.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3EventStore } from '../../../../lambdas/adapters/events/s3-event-store';
import { type Moto, startMoto } from '../../../helpers/moto';

const BUCKET = 'vigil-events';
const T = Date.parse('2026-11-25T23:59:59Z');

let moto: Moto;
let endpoint = '';

const client = (): S3Client =>
  new S3Client({
    endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

beforeAll(async () => {
  moto = await startMoto();
  endpoint = moto.endpoint;
  await client().send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 30_000);

afterAll(() => {
  moto.stop();
});

describe('Class: S3EventStore (moto S3)', () => {
  it('reads back, across two instances and a day boundary, only the records in range', async () => {
    // Prepare
    const writer = new S3EventStore({ client: client(), bucket: BUCKET });
    const reader = new S3EventStore({ client: client(), bucket: BUCKET });
    const rec = (timestampMs: number, service: string, confidence: number) => ({
      timestampMs,
      service,
      model: 'm',
      modelVersion: '1',
      measures: { confidence },
    });
    await writer.write([rec(T, 'faces', 0.1), rec(T + 2000, 'faces', 0.2), rec(T, 'other', 0.3)]);
    await writer.write([rec(T + 1000, 'faces', 0.15), rec(T - 86_400_000, 'faces', 0.05)]);

    // Act
    const faces = await reader.query({
      service: 'faces',
      range: { startMs: T - 1000, endMs: T + 2000 },
      fields: ['confidence'],
    });
    const all = await reader.query({ range: { startMs: T, endMs: T }, fields: ['confidence'] });

    // Assess
    expect(faces.map((r) => r.measures.confidence)).toEqual([0.1, 0.15, 0.2]);
    expect(all.map((r) => r.service).sort()).toEqual(['faces', 'other']);
  });
});
