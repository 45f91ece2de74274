/**
 * AMP remote-write benchmark: samples per second through `AmpRemoteWriteWriter` (quota checks,
 * sort, batching, protobuf encoding, snappy, SigV4 signing) with the network replaced by a stub
 * transport that answers 204, and the bytes per sample on the wire (compressed request bodies).
 * Also the same without signing, to show what SigV4 costs per request.
 *
 * Lambda figure: below 1,769 MB a function gets CPU in proportion to its memory (1,769 MB = one
 * vCPU), so one vCPU-second here ≈ 1.769 GB-seconds of Lambda, at any memory size under that,
 * assuming this machine's core and a Lambda vCPU (arm64) are alike — measure on Lambda to be sure.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 *
 * Run alone: `npx tsx bench/amp-write.ts`.
 */
import { createSigV4Fetch, type SignedFetch } from '../lambdas/adapters/aws/sigv4-fetch';
import { AmpRemoteWriteWriter } from '../lambdas/adapters/storage/amp/amp-remote-write-writer';
import type { Series } from '../lambdas/domain/series/sample';
import { fmt, fmtMs, median, type RepeatOptions, table, timeRuns } from './lib';

const SHAPES = [
  { series: 1, samples: 10_000 },
  { series: 100, samples: 100 },
  { series: 10_000, samples: 1 },
] as const;
const NOW_MS = 1_765_022_400_000;
const ENDPOINT =
  'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-bench/api/v1/remote_write';
/** Memory in GB-seconds per vCPU-second below 1,769 MB (Lambda's CPU scales with memory). */
const GB_SECONDS_PER_VCPU_SECOND = 1769 / 1024;

/** Series shaped like an inference service's `http_requests_total` (6 labels, `__name__` included), counters every 15 s. */
const payload = (seriesCount: number, samplesPerSeries: number): Series[] =>
  Array.from({ length: seriesCount }, (_, j) => ({
    labels: {
      __name__: 'http_requests_total',
      job: 'inference-api',
      instance: `10.0.${(j >> 8) & 255}.${j & 255}:8000`,
      method: j % 2 === 0 ? 'GET' : 'POST',
      endpoint: ['/predict', '/batch_predict', '/health', '/metrics', '/feedback'][j % 5] as string,
      status: ['200', '400', '404', '500', '503'][(j >> 1) % 5] as string,
    },
    samples: Array.from({ length: samplesPerSeries }, (_, k) => ({
      t: NOW_MS - (samplesPerSeries - 1 - k) * 15_000,
      v: Math.round(40 * (k + 1) * (1 + (j % 7) / 10)),
    })),
  }));

/** A transport that keeps the body sizes and answers 204. */
const recorder = () => {
  const bodies: number[] = [];
  const transport = (async (_url: string, init: RequestInit) => {
    bodies.push((init.body as Uint8Array).length);
    return new Response(null, { status: 204 });
  }) as typeof fetch;
  return { transport, bodies };
};

export interface AmpWriteFigure {
  readonly shape: string;
  readonly signedMs: number;
  readonly unsignedMs: number;
  readonly requests: number;
  readonly bytesPerSample: number;
}

export const runAmpWriteBench = async (opts: RepeatOptions): Promise<AmpWriteFigure[]> => {
  const figures: AmpWriteFigure[] = [];
  for (const shape of SHAPES) {
    const series = payload(shape.series, shape.samples);
    const total = shape.series * shape.samples;
    const signedRec = recorder();
    const signed = new AmpRemoteWriteWriter({
      endpoint: ENDPOINT,
      fetch: createSigV4Fetch({
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
        fetch: signedRec.transport,
      }),
    });
    const unsignedRec = recorder();
    const plain: SignedFetch = (url, init) =>
      unsignedRec.transport(url, {
        method: init.method,
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
    const unsigned = new AmpRemoteWriteWriter({ endpoint: ENDPOINT, fetch: plain });
    const signedMs = median(await timeRuns(() => signed.write(series), opts));
    const unsignedMs = median(await timeRuns(() => unsigned.write(series), opts));
    const perWrite = signedRec.bodies.length / (opts.warmup + opts.repeats);
    const bytes = signedRec.bodies.reduce((a, b) => a + b, 0) / (opts.warmup + opts.repeats);
    figures.push({
      shape: `${fmt(shape.series)} series × ${fmt(shape.samples)}`,
      signedMs,
      unsignedMs,
      requests: perWrite,
      bytesPerSample: bytes / total,
    });
  }
  return figures;
};

export const formatAmpWriteFigures = (figures: readonly AmpWriteFigure[]): string => {
  const perSecond = (ms: number) => 10_000 / (ms / 1000);
  return table([
    [
      'shape (10,000 samples)',
      'write, signed',
      'samples/s',
      'samples per Lambda GB-s',
      'unsigned',
      'requests',
      'bytes/sample',
    ],
    ...figures.map((f) => [
      f.shape,
      fmtMs(f.signedMs),
      fmt(perSecond(f.signedMs)),
      fmt(perSecond(f.signedMs) / GB_SECONDS_PER_VCPU_SECOND),
      fmtMs(f.unsignedMs),
      fmt(f.requests),
      fmt(f.bytesPerSample, 2),
    ]),
  ]);
};

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatAmpWriteFigures(await runAmpWriteBench({ warmup: 5, repeats: 21 })));
}
