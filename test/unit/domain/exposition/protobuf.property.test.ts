import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import fc from 'fast-check';
import { makePushgatewayHandler } from '../../../../lambdas/api/ingest-pushgateway';
import { validateConfig } from '../../../../lambdas/domain/config/validate';
import { ProtobufParseError, parseDelimitedProtobuf } from '../../../../lambdas/domain/exposition';
import { localApiDeps } from '../../../../lambdas/wiring/local-deps';
import {
  encodeDelimited,
  GO_PUSH_CONTENT_TYPE,
  goBatchJobFamilies,
} from '../../../helpers/go-push-client';

const VALID = encodeDelimited(goBatchJobFamilies());

/** Decodes, and lets only ProtobufParseError through; any other throw fails the property. */
const decodeOrParseError = (bytes: Uint8Array): void => {
  try {
    for (const f of parseDelimitedProtobuf(bytes)) {
      expect(f.samples.length).toBeGreaterThan(0);
      for (const s of f.samples) expect(typeof s.value).toBe('number');
    }
  } catch (e) {
    if (!(e instanceof ProtobufParseError)) throw e;
    expect(e.message).toMatch(/^delimited protobuf push: /);
  }
};

const mutation = fc.record({
  at: fc.nat(),
  drop: fc.nat({ max: 6 }),
  insert: fc.uint8Array({ maxLength: 6 }),
});

type Mutation = { at: number; drop: number; insert: Uint8Array };

const mutate = (base: Uint8Array, mutations: readonly Mutation[]) => {
  let bytes = Buffer.from(base);
  for (const m of mutations) {
    const at = m.at % (bytes.length + 1);
    bytes = Buffer.concat([bytes.subarray(0, at), m.insert, bytes.subarray(at + m.drop)]);
  }
  return bytes;
};

describe('Property: parseDelimitedProtobuf throws only ProtobufParseError', () => {
  it('on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), decodeOrParseError), {
      numRuns: 2000,
    });
  });

  it('on random mutations of a Go client push', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) =>
        decodeOrParseError(mutate(VALID, mutations)),
      ),
      { numRuns: 2000 },
    );
  });

  it('on random family objects encoded with protobufjs', () => {
    const label = fc.record({
      name: fc.string({ maxLength: 4 }),
      value: fc.string({ maxLength: 4 }),
    });
    const value = fc.record({ value: fc.double() });
    const metric = fc.record(
      {
        label: fc.array(label, { maxLength: 3 }),
        gauge: value,
        counter: value,
        untyped: value,
        summary: fc.record({
          sampleCount: fc.nat(),
          sampleSum: fc.double(),
          quantile: fc.array(fc.record({ quantile: fc.double(), value: fc.double() }), {
            maxLength: 2,
          }),
        }),
        histogram: fc.record(
          {
            sampleCount: fc.nat(),
            sampleSum: fc.double(),
            bucket: fc.array(fc.record({ cumulativeCount: fc.nat(), upperBound: fc.double() }), {
              maxLength: 3,
            }),
            schema: fc.integer({ min: -4, max: 8 }),
            positiveSpan: fc.array(fc.record({ offset: fc.integer(), length: fc.nat() }), {
              maxLength: 2,
            }),
          },
          { requiredKeys: [] },
        ),
        timestampMs: fc.integer(),
      },
      { requiredKeys: [] },
    );
    const family = fc.record(
      {
        name: fc.constantFrom('x', 'x_total', 'bad-name', '', 'é'),
        type: fc.integer({ min: 0, max: 7 }),
        metric: fc.array(metric, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(family, { maxLength: 3 }), (families) =>
        decodeOrParseError(encodeDelimited(families)),
      ),
      { numRuns: 1000 },
    );
  });
});

describe('Property: a protobuf push through the Pushgateway function answers 200 or 400', () => {
  const context = { getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
  let dir: string;
  let deps: ReturnType<typeof localApiDeps>;
  let push: (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-pg-prop-'));
    deps = localApiDeps(validateConfig({}).config, dir, { now: () => 1_764_086_400_000 });
    push = makePushgatewayHandler(deps) as typeof push;
  });
  afterAll(() => {
    deps.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('for any body, never a 5xx', async () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      fc.array(mutation, { minLength: 1, maxLength: 3 }).map((m) => mutate(VALID, m)),
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('PUT', 'POST'), async (bytes, method) => {
        const res = await push(
          {
            resource: '/metrics/{proxy+}',
            path: '/metrics/job/prop',
            httpMethod: method,
            headers: { 'Content-Type': GO_PUSH_CONTENT_TYPE },
            multiValueHeaders: {},
            queryStringParameters: null,
            multiValueQueryStringParameters: null,
            pathParameters: { proxy: 'job/prop' },
            stageVariables: null,
            body: Buffer.from(bytes).toString('base64'),
            isBase64Encoded: true,
            requestContext: {} as APIGatewayProxyEvent['requestContext'],
          },
          context,
        );
        expect([200, 400]).toContain(res.statusCode);
      }),
      { numRuns: 300 },
    );
  });
});
