/**
 * The S3 event store against moto's S3 server (real protocol: listing with delimiters and
 * `StartAfter`, object bodies): what one writer stores, another instance reads back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { S3EventStore } from '../../../../lambdas/adapters/events/s3-event-store';

const BUCKET = 'vigil-events';
const T = Date.parse('2026-11-25T23:59:59Z');

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

let moto: ChildProcess;
let endpoint = '';

const client = (): S3Client =>
  new S3Client({
    endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });

const ready = async (ms: number): Promise<void> => {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await fetch(`${endpoint}/moto-api/`);
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};

beforeAll(async () => {
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await ready(20_000);
  await client().send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 30_000);

afterAll(() => {
  moto.kill();
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
