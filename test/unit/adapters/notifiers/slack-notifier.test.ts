import { NotifierRateLimitedError } from '../../../../lambdas/adapters/notifiers/http-retry';
import { SlackNotifier } from '../../../../lambdas/adapters/notifiers/slack-notifier';
import { NotifierError } from '../../../../lambdas/domain/errors';
import { type CaptureServer, type Reply, startCaptureServer } from './capture-server';
import { firingNotification, resolvedNotification } from './notification-fixture';

const WEBHOOK_PATH = '/services/T000/B000/XXXXXXXX';
const OK: Reply = { status: 200, body: 'ok' };

describe('Class: SlackNotifier', () => {
  let server: CaptureServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A notifier on the capture server with a recording, instant sleep and a fixed clock. */
  const notifier = (url: string, sleeps: number[]): SlackNotifier =>
    new SlackNotifier({
      webhookUrl: url,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      now: () => 1_000_000,
      baseDelayMs: 5,
      maxAttempts: 3,
      message: { dashboardUrl: 'https://dash.example.com/vigil' },
    });

  describe('Method: send', () => {
    it('posts one Block Kit message per notification to the webhook', async () => {
      // Prepare
      server = await startCaptureServer([OK], WEBHOOK_PATH);
      const sleeps: number[] = [];

      // Act
      await notifier(server.url, sleeps).send([firingNotification(2)]);

      // Assess
      expect(server.requests).toHaveLength(1);
      const req = server.requests[0];
      expect(req?.method).toBe('POST');
      expect(req?.path).toBe(WEBHOOK_PATH);
      expect(req?.contentType).toBe('application/json');
      const body = JSON.parse(req?.body ?? '{}') as { text: string; blocks: { type: string }[] };
      expect(body.text).toMatch(/^🔥 FIRING: 2 × HighErrorRate \(critical\)/);
      expect(body.blocks.map((b) => b.type)).toEqual([
        'header',
        'context',
        'section',
        'section',
        'actions',
      ]);
      expect(sleeps).toEqual([]);
    });

    it('links the newest drift report of a drift monitor alert, and nothing on other alerts', async () => {
      // Prepare
      server = await startCaptureServer([OK], WEBHOOK_PATH);
      const n = firingNotification(2);
      const [first, second] = n.payload.alerts;
      const drift = {
        ...(first as NonNullable<typeof first>),
        labels: { alertname: 'DriftDetected', job: 'vigil_drift', monitor: 'faces' },
      };
      const asked: string[] = [];
      const slack = new SlackNotifier({
        webhookUrl: server.url,
        now: () => 1_000_000,
        latestDriftReport: async (monitor) => {
          asked.push(monitor);
          return `${monitor}.20261125T190000.000Z`;
        },
      });

      // Act
      await slack.send([
        {
          ...n,
          payload: {
            ...n.payload,
            externalURL: 'https://vigil.example.com/prod/',
            alerts: [drift, second as NonNullable<typeof second>],
          },
        },
      ]);

      // Assess
      const body = JSON.parse(server.requests[0]?.body ?? '{}') as {
        blocks: { type: string; text?: { text: string } }[];
      };
      const sections = body.blocks.filter((b) => b.type === 'section').map((b) => b.text?.text);
      expect(sections[0]).toContain(
        '<https://vigil.example.com/prod/api/drift/reports/faces.20261125T190000.000Z.html|Drift report>',
      );
      expect(sections[1]).not.toContain('Drift report');
      expect(asked).toEqual(['faces']);
    });

    it('sends a drift alert without the link when the report look-up fails', async () => {
      // Prepare
      server = await startCaptureServer([OK], WEBHOOK_PATH);
      const n = firingNotification(1);
      const drift = {
        ...(n.payload.alerts[0] as NonNullable<(typeof n.payload.alerts)[0]>),
        labels: { alertname: 'DriftDetected', job: 'vigil_drift', monitor: 'faces' },
      };
      const slack = new SlackNotifier({
        webhookUrl: server.url,
        now: () => 1_000_000,
        latestDriftReport: async () => {
          throw new Error('AccessDenied');
        },
      });

      // Act
      await slack.send([{ ...n, payload: { ...n.payload, alerts: [drift] } }]);

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.body).toContain('DriftDetected');
      expect(server.requests[0]?.body).not.toContain('Drift report');
    });

    it('sends at most one message per second to the webhook', async () => {
      // Prepare: the injected sleep advances the injected clock.
      server = await startCaptureServer([OK], WEBHOOK_PATH);
      const sleeps: number[] = [];
      let now = 1_000_000;
      const sleeping = new SlackNotifier({
        webhookUrl: server.url,
        sleep: async (ms) => {
          sleeps.push(ms);
          now += ms;
        },
        now: () => now,
      });

      // Act
      await sleeping.send([firingNotification(1), resolvedNotification()]);
      now += 250;
      await sleeping.send([firingNotification(1)]);

      // Assess
      expect(server.requests).toHaveLength(3);
      expect(sleeps).toEqual([1_000, 750]);
    });

    it('waits for Retry-After on 429 and then delivers', async () => {
      // Prepare
      server = await startCaptureServer(
        [{ status: 429, body: 'rate_limited', headers: { 'Retry-After': '2' } }, OK],
        WEBHOOK_PATH,
      );
      const sleeps: number[] = [];

      // Act
      await notifier(server.url, sleeps).send([firingNotification(1)]);

      // Assess
      expect(server.requests).toHaveLength(2);
      expect(sleeps).toContain(2_000);
    });

    it('retries a 500 with backoff', async () => {
      // Prepare
      server = await startCaptureServer(
        [{ status: 500, body: 'internal_error' }, { status: 503, body: 'unavailable' }, OK],
        WEBHOOK_PATH,
      );
      const sleeps: number[] = [];

      // Act
      await notifier(server.url, sleeps).send([firingNotification(1)]);

      // Assess
      expect(server.requests).toHaveLength(3);
      expect(sleeps.filter((ms) => ms < 1_000)).toEqual([5, 10]);
    });

    it('does not retry invalid_payload and quotes the body in the error', async () => {
      // Prepare
      server = await startCaptureServer([{ status: 400, body: 'invalid_payload' }], WEBHOOK_PATH);
      const sleeps: number[] = [];
      const n = firingNotification(1);

      // Act
      const error = await notifier(server.url, sleeps)
        .send([n])
        .catch((e: unknown) => e);

      // Assess
      expect(server.requests).toHaveLength(1);
      expect(error).toBeInstanceOf(NotifierError);
      expect((error as NotifierError).failed).toEqual([n.groupKey]);
      expect((error as NotifierError).message).toContain('HTTP 400: invalid_payload');
    });

    it('does not retry channel_not_found (404)', async () => {
      // Prepare
      server = await startCaptureServer([{ status: 404, body: 'channel_not_found' }], WEBHOOK_PATH);

      // Act
      const error = await notifier(server.url, [])
        .send([firingNotification(1)])
        .catch((e: unknown) => e);

      // Assess
      expect(server.requests).toHaveLength(1);
      expect((error as NotifierError).message).toContain('HTTP 404: channel_not_found');
    });

    it('throws NotifierError after the last attempt, still sending the rest of the batch', async () => {
      // Prepare: the first notification meets three 500s, the second an ok.
      server = await startCaptureServer(
        [{ status: 500 }, { status: 500 }, { status: 500 }, OK],
        WEBHOOK_PATH,
      );
      const failing = firingNotification(1, { groupKey: '{}:{alertname="A"}' });
      const fine = firingNotification(1, { groupKey: '{}:{alertname="B"}' });

      // Act
      const error = await notifier(server.url, [])
        .send([failing, fine])
        .catch((e: unknown) => e);

      // Assess
      expect(server.requests).toHaveLength(4);
      expect(error).toBeInstanceOf(NotifierError);
      expect((error as NotifierError).failed).toEqual(['{}:{alertname="A"}']);
      expect((error as NotifierError).message).toContain('1 of 2');
    });

    it('reports a 429 that outlasts the retries as NotifierRateLimitedError with retryAfterMs', async () => {
      // Prepare
      server = await startCaptureServer(
        [{ status: 429, body: 'rate_limited', headers: { 'Retry-After': '30' } }],
        WEBHOOK_PATH,
      );

      // Act
      const error = await notifier(server.url, [])
        .send([firingNotification(1)])
        .catch((e: unknown) => e);

      // Assess
      expect(server.requests).toHaveLength(3);
      expect(error).toBeInstanceOf(NotifierError);
      const cause = (error as NotifierError).cause;
      expect(cause).toBeInstanceOf(NotifierRateLimitedError);
      expect((cause as NotifierRateLimitedError).retryAfterMs).toBe(30_000);
    });

    it('retries when the webhook cannot be reached', async () => {
      // Prepare: a port that was just released refuses connections.
      const closed = await startCaptureServer([OK], WEBHOOK_PATH);
      const url = closed.url;
      await closed.close();
      const sleeps: number[] = [];

      // Act
      const error = await notifier(url, sleeps)
        .send([firingNotification(1)])
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(NotifierError);
      expect((error as NotifierError).message).toContain('request failed');
      expect(sleeps.filter((ms) => ms < 1_000)).toEqual([5, 10]);
    });
  });
});
