import fc from 'fast-check';
import { PayloadTooLargeError } from '../../../../lambdas/domain/errors';
import { LogParseError, parseLogEvents } from '../../../../lambdas/domain/logs';

/** Parses, and lets only LogParseError and PayloadTooLargeError through. */
const parseOrOurError = (body: string, contentType?: string): void => {
  try {
    const { events, rejected } = parseLogEvents(body, {
      ...(contentType !== undefined && { contentType }),
      receivedAtMs: 0,
      headers: { traceparent: body.slice(0, 60) },
      maxEvents: 20,
      maxEventBytes: 200,
    });
    for (const e of events) {
      expect(Number.isFinite(e.timestampMs)).toBe(true);
      expect(typeof e.level).toBe('string');
    }
    for (const r of rejected) expect(r.index).toBeGreaterThanOrEqual(0);
  } catch (e) {
    if (!(e instanceof LogParseError) && !(e instanceof PayloadTooLargeError)) throw e;
  }
};

/** Pieces of JSON and of log fields, so random bodies reach deep states. */
const piece = fc.constantFrom(
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '"',
  '\n',
  ' ',
  '\\',
  '"timestamp"',
  '"level"',
  '"levelname"',
  '"message"',
  '"request_id"',
  '"trace_id"',
  '"event"',
  '"prediction"',
  '"2024-01-15 10:30:00,123"',
  '"2024-07-30T10:30:00+05:30"',
  '1722335400000',
  '-1e400',
  '1e308',
  'null',
  'true',
  '"__proto__"',
  '"toString"',
  '"\uD800"',
  'é',
  '50',
);

describe('Property: parseLogEvents', () => {
  it('throws only LogParseError or PayloadTooLargeError for random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.boolean(), (body, ndjson) => {
        parseOrOurError(body, ndjson ? 'application/x-ndjson' : undefined);
      }),
      { numRuns: 1000 },
    );
  });

  it('throws only our errors for JSON-like token soup', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.boolean(), (parts, ndjson) => {
        parseOrOurError(parts.join(''), ndjson ? 'application/x-ndjson' : undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it('throws only our errors for arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        parseOrOurError(JSON.stringify(v));
      }),
      { numRuns: 1000 },
    );
  });
});
