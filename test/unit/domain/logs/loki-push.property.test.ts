import fc from 'fast-check';
import { PayloadTooLargeError } from '../../../../lambdas/domain/errors';
import { decodeLokiPush, LokiPushDecodeError } from '../../../../lambdas/domain/logs/loki-push';
import { snappyCompress } from '../../../../lambdas/domain/remote-write/encode';
import { lokiJsonBody, lokiProtobufBody } from '../../../helpers/loki-push-client';

const LIMITS = { maxDecompressedBytes: 1 << 20 };

/** Label names Loki accepts, values of any text (escaped into the labels string). */
const labelsArb = fc.dictionary(
  fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  { minKeys: 1, maxKeys: 4 },
);
const entryArb = fc.record({
  ms: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  line: fc.string({ unit: 'grapheme', maxLength: 40 }),
});
const streamsArb = fc.array(
  fc.record({ labels: labelsArb, entries: fc.array(entryArb, { maxLength: 4 }) }),
  { maxLength: 4 },
);

/** A labels string as Promtail writes it: `{a="x", b="y\\"z"}` (Go's %q quoting). */
const labelsText = (labels: Record<string, string>): string =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;

describe('Loki push decoding (properties)', () => {
  it('decodes every protobuf push back to its labels, lines and millisecond times', () => {
    fc.assert(
      fc.property(streamsArb, (streams) => {
        // Prepare
        const body = lokiProtobufBody(
          streams.map((s) => ({ labels: labelsText(s.labels), entries: s.entries })),
        );

        // Act
        const decoded = decodeLokiPush(body, { contentType: 'application/x-protobuf', ...LIMITS });

        // Assess
        expect(decoded).toEqual(
          streams.map((s) => ({
            labels: s.labels,
            entries: s.entries.map((e) => ({ timestampMs: e.ms, line: e.line, metadata: {} })),
          })),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('decodes a JSON push exactly like the same protobuf push', () => {
    fc.assert(
      fc.property(streamsArb, (streams) => {
        // Act
        const json = decodeLokiPush(
          new TextEncoder().encode(
            lokiJsonBody(streams.map((s) => ({ stream: s.labels, entries: s.entries }))),
          ),
          { contentType: 'application/json', ...LIMITS },
        );
        const proto = decodeLokiPush(
          lokiProtobufBody(
            streams.map((s) => ({ labels: labelsText(s.labels), entries: s.entries })),
          ),
          LIMITS,
        );

        // Assess
        expect(json).toEqual(proto);
      }),
      { numRuns: 100 },
    );
  });

  it('refuses any other bytes with a 400 or 413 error, never a crash', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, compress) => {
        // Prepare
        const body = compress ? snappyCompress(bytes) : bytes;

        // Act / Assess
        try {
          decodeLokiPush(body, {
            contentType: 'application/x-protobuf',
            maxDecompressedBytes: 4096,
          });
        } catch (e) {
          if (!(e instanceof LokiPushDecodeError) && !(e instanceof PayloadTooLargeError)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});
