import { PagerDutyNotifier } from '../../../../lambdas/adapters/notifiers/pagerduty-notifier';
import { NotifierError } from '../../../../lambdas/domain/errors';
import { pagerDutyDedupKey } from '../../../../lambdas/domain/notifications/pagerduty-event';
import { type CaptureServer, type Reply, startCaptureServer } from './capture-server';
import { firingNotification, resolvedNotification } from './notification-fixture';

const ROUTING_KEY = 'R0123456789abcdef0123456789abcde';
const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** A 202 as PagerDuty answers it. */
const accepted = (dedupKey: string): Reply => ({
  status: 202,
  headers: JSON_HEADERS,
  body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey }),
});

describe('Class: PagerDutyNotifier', () => {
  let server: CaptureServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const notifier = (url: string, sleeps: number[]): PagerDutyNotifier =>
    new PagerDutyNotifier({
      routingKey: ROUTING_KEY,
      url,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      now: () => 1_000_000,
      baseDelayMs: 5,
      maxAttempts: 3,
    });

  describe('Method: send', () => {
    it('sends a trigger then a resolve with the same dedup_key', async () => {
      // Prepare
      const firing = firingNotification(1);
      const key = pagerDutyDedupKey(firing.groupKey);
      server = await startCaptureServer([accepted(key)], '/v2/enqueue');
      const sleeps: number[] = [];
      const pd = notifier(server.url, sleeps);

      // Act
      await pd.send([firing]);
      await pd.send([resolvedNotification()]);

      // Assess
      expect(server.requests.map((r) => r.path)).toEqual(['/v2/enqueue', '/v2/enqueue']);
      const [t, r] = server.requests.map(
        (req) => JSON.parse(req.body) as { event_action: string; dedup_key: string },
      );
      expect(t).toMatchObject({
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: key,
        payload: { severity: 'critical', class: 'HighErrorRate', source: 'vigil' },
      });
      expect(r).toEqual({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: key });
      expect(server.requests[0]?.contentType).toBe('application/json');
      expect(sleeps).toEqual([]);
    });

    it('retries 429 (Retry-After) and 500, then succeeds', async () => {
      // Prepare
      server = await startCaptureServer([
        { status: 429, headers: { 'Retry-After': '3' }, body: '{"status":"throttle"}' },
        { status: 500, body: 'internal' },
        accepted('k'),
      ]);
      const sleeps: number[] = [];

      // Act
      await notifier(server.url, sleeps).send([firingNotification(1)]);

      // Assess
      expect(server.requests).toHaveLength(3);
      expect(sleeps).toEqual([3_000, 10]);
    });

    it('retries 429 without Retry-After with backoff', async () => {
      // Prepare
      server = await startCaptureServer([{ status: 429 }, accepted('k')]);
      const sleeps: number[] = [];

      // Act
      await notifier(server.url, sleeps).send([firingNotification(1)]);

      // Assess
      expect(server.requests).toHaveLength(2);
      expect(sleeps).toEqual([5]);
    });

    it('does not retry a 400 and reports its errors array', async () => {
      // Prepare
      server = await startCaptureServer([
        {
          status: 400,
          headers: JSON_HEADERS,
          body: JSON.stringify({
            status: 'invalid event',
            message: 'Event object is invalid',
            errors: ["'routing_key' is invalid"],
          }),
        },
      ]);
      const sleeps: number[] = [];
      const n = firingNotification(1);

      // Act
      const error = await notifier(server.url, sleeps)
        .send([n])
        .catch((e: unknown) => e);

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect(error).toBeInstanceOf(NotifierError);
      expect((error as NotifierError).failed).toEqual([n.groupKey]);
      expect((error as NotifierError).message).toContain(
        `Event object is invalid; errors: ["'routing_key' is invalid"]`,
      );
    });

    it('throws NotifierError after the last attempt on repeated 500s', async () => {
      // Prepare
      server = await startCaptureServer([{ status: 500, body: 'internal' }]);
      const sleeps: number[] = [];
      const n = firingNotification(1);

      // Act
      const error = await notifier(server.url, sleeps)
        .send([n])
        .catch((e: unknown) => e);

      // Assess
      expect(server.requests).toHaveLength(3);
      expect(sleeps).toEqual([5, 10]);
      expect(error).toBeInstanceOf(NotifierError);
      expect((error as NotifierError).message).toContain('HTTP 500: internal');
    });

    it('sends nothing for an empty batch', async () => {
      // Prepare
      server = await startCaptureServer([accepted('k')]);

      // Act
      await notifier(server.url, []).send([]);

      // Assess
      expect(server.requests).toHaveLength(0);
    });
  });
});
