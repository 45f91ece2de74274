import fc from 'fast-check';
import {
  EVENT_OVERHEAD_BYTES,
  logMessageOf,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_EVENT_MESSAGE_BYTES,
  planLogBatches,
} from '../../../../lambdas/adapters/logs/log-batches';
import { logEvent, NOW_MS } from './log-event-fixture';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

describe('Function: planLogBatches', () => {
  it('sorts the events of a service by timestamp and keeps input indices', () => {
    // Prepare
    const events = [
      logEvent(NOW_MS - 1000, { message: 'third' }),
      logEvent(NOW_MS - 3000, { message: 'first' }),
      logEvent(NOW_MS - 2000, { message: 'second' }),
    ];

    // Act
    const plan = planLogBatches(events, NOW_MS);

    // Assess
    expect(plan.rejected).toEqual([]);
    expect(plan.batches).toHaveLength(1);
    expect(plan.batches[0]?.events.map((e) => [e.index, e.timestamp])).toEqual([
      [1, NOW_MS - 3000],
      [2, NOW_MS - 2000],
      [0, NOW_MS - 1000],
    ]);
  });

  it('writes one batch per service', () => {
    // Prepare
    const events = [
      logEvent(NOW_MS, { service: 'fraud-api' }),
      logEvent(NOW_MS, { service: 'ranker' }),
      logEvent(NOW_MS, { service: 'fraud-api' }),
    ];

    // Act
    const plan = planLogBatches(events, NOW_MS);

    // Assess
    expect(plan.batches.map((b) => [b.service, b.events.map((e) => e.index)])).toEqual([
      ['fraud-api', [0, 2]],
      ['ranker', [1]],
    ]);
  });

  it('stores the original JSON as the message', () => {
    // Prepare
    const fields = {
      timestamp: '2026-11-25T11:59:00Z',
      level: 'ERROR',
      service: 'fraud-api',
      request_id: 'req-1',
      context: { confidence: 0.93 },
    };

    // Act
    const plan = planLogBatches([logEvent(NOW_MS - 60_000, fields, { fields })], NOW_MS);

    // Assess
    expect(plan.batches[0]?.events[0]?.message).toBe(JSON.stringify(fields));
  });

  it('adds level, service and a header correlation id when the event lacks them', () => {
    // Prepare
    const event = logEvent(
      NOW_MS,
      {},
      {
        level: 'WARN',
        service: 'unknown',
        correlationId: 'hdr-7',
        fields: { levelname: 'WARNING', msg: 'slow' },
      },
    );

    // Act
    const message = logMessageOf(event);

    // Assess
    expect(JSON.parse(message)).toEqual({
      levelname: 'WARNING',
      msg: 'slow',
      level: 'WARN',
      service: 'unknown',
      correlation_id: 'hdr-7',
    });
  });

  it('splits at 10,000 events per batch', () => {
    // Prepare
    const events = Array.from({ length: MAX_BATCH_EVENTS + 1 }, (_, i) =>
      logEvent(NOW_MS - 20_000 + i, { message: 'x' }),
    );

    // Act
    const plan = planLogBatches(events, NOW_MS);

    // Assess
    expect(plan.batches.map((b) => b.events.length)).toEqual([10_000, 1]);
    expect(plan.batches[1]?.events[0]?.index).toBe(10_000);
  });

  it('splits when the next event would pass 1,048,576 bytes including 26 per event', () => {
    // Prepare: messages sized so that exactly 4 events fill a batch to the byte.
    const perEvent = MAX_BATCH_BYTES / 4;
    const pad = (n: number) => ({ message: 'a'.repeat(n) });
    const probe = logMessageOf(logEvent(NOW_MS, pad(0))).length;
    const fill = perEvent - EVENT_OVERHEAD_BYTES - probe;
    const events = Array.from({ length: 5 }, (_, i) => logEvent(NOW_MS - 10 + i, pad(fill)));

    // Act
    const plan = planLogBatches(events, NOW_MS);

    // Assess
    expect(plan.batches.map((b) => b.events.length)).toEqual([4, 1]);
    expect(plan.batches[0]?.bytes).toBe(MAX_BATCH_BYTES);
  });

  it('counts message bytes in UTF-8, not characters', () => {
    // Prepare: 'é' is 2 bytes; 2 events of ~600,000 bytes cannot share a batch.
    const events = [0, 1].map((i) => logEvent(NOW_MS + i, { message: 'é'.repeat(300_000) }));

    // Act
    const plan = planLogBatches(events, NOW_MS);

    // Assess
    expect(plan.batches).toHaveLength(2);
  });

  it('splits a batch that would span more than 24 hours (exactly 24 h stays in one)', () => {
    // Prepare
    const start = NOW_MS - 3 * DAY_MS;
    const events = [
      logEvent(start),
      logEvent(start + DAY_MS),
      logEvent(start + DAY_MS + 1),
      logEvent(start + 2 * DAY_MS + 1),
    ];

    // Act
    const plan = planLogBatches(events, NOW_MS);

    // Assess
    expect(plan.batches.map((b) => b.events.map((e) => e.index))).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('rejects events more than 14 days old or 2 hours ahead, with their index', () => {
    // Prepare
    const events = [
      logEvent(NOW_MS - 14 * DAY_MS - 1),
      logEvent(NOW_MS - 14 * DAY_MS),
      logEvent(NOW_MS + 2 * HOUR_MS),
      logEvent(NOW_MS + 2 * HOUR_MS + 1),
    ];

    // Act
    const plan = planLogBatches(events, NOW_MS);

    // Assess
    expect(plan.rejected).toEqual([
      {
        index: 0,
        reason:
          'timestamp 2026-11-11T11:59:59.999Z is more than 14 days old (CloudWatch Logs refuses it)',
      },
      {
        index: 3,
        reason:
          'timestamp 2026-11-25T14:00:00.001Z is more than 2 hours in the future (CloudWatch Logs refuses it)',
      },
    ]);
    expect(plan.batches.map((b) => b.events.map((e) => e.index))).toEqual([[1], [2]]);
  });

  it('rejects an event larger than a batch can hold', () => {
    // Prepare
    const big = logEvent(NOW_MS, { message: 'a'.repeat(MAX_EVENT_MESSAGE_BYTES) });

    // Act
    const plan = planLogBatches([logEvent(NOW_MS), big], NOW_MS);

    // Assess
    expect(plan.rejected).toHaveLength(1);
    expect(plan.rejected[0]?.index).toBe(1);
    expect(plan.rejected[0]?.reason).toMatch(/^event is \d+ bytes, more than the 1048550 bytes/);
    expect(plan.batches[0]?.events.map((e) => e.index)).toEqual([0]);
  });

  it('keeps every event exactly once, in limits and in order (property)', () => {
    // Prepare
    const arbEvent = fc.record({
      offsetMs: fc.integer({ min: -16 * DAY_MS, max: 3 * HOUR_MS }),
      service: fc.constantFrom('a', 'b', 'c'),
      size: fc.integer({ min: 0, max: 300_000 }),
    });

    // Act / Assess
    fc.assert(
      fc.property(fc.array(arbEvent, { maxLength: 40 }), (specs) => {
        const events = specs.map((e) =>
          logEvent(NOW_MS + e.offsetMs, { service: e.service, message: 'm'.repeat(e.size) }),
        );
        const plan = planLogBatches(events, NOW_MS);
        const seen = [
          ...plan.rejected.map((r) => r.index),
          ...plan.batches.flatMap((b) => b.events.map((e) => e.index)),
        ].sort((x, y) => x - y);
        expect(seen).toEqual(events.map((_, i) => i));
        for (const b of plan.batches) {
          const ts = b.events.map((e) => e.timestamp);
          expect(ts).toEqual([...ts].sort((x, y) => x - y));
          expect((ts.at(-1) as number) - (ts[0] as number)).toBeLessThanOrEqual(DAY_MS);
          expect(b.events.length).toBeLessThanOrEqual(MAX_BATCH_EVENTS);
          const bytes = b.events.reduce(
            (n, e) => n + Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES,
            0,
          );
          expect(bytes).toBe(b.bytes);
          expect(bytes).toBeLessThanOrEqual(MAX_BATCH_BYTES);
          expect(b.events.every((e) => events[e.index]?.service === b.service)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});
