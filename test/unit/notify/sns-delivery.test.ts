import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import { PagerDutyNotifier } from '../../../lambdas/adapters/notifiers/pagerduty-notifier';
import { SlackNotifier } from '../../../lambdas/adapters/notifiers/slack-notifier';
import type { Notification } from '../../../lambdas/domain/alerting/types';
import type { Notifier } from '../../../lambdas/domain/alerting/notifier';
import {
  makeSnsNotifyHandler,
  NotifyDeliveryError,
  type NotifyLog,
  type SnsNotifyDeps,
} from '../../../lambdas/notify/sns-delivery';
import { startCaptureServer } from '../adapters/notifiers/capture-server';
import {
  firingNotification,
  resolvedNotification,
} from '../adapters/notifiers/notification-fixture';
import { MemoryAlertStateStore } from '../../helpers/alert-ports';

/** An in-memory AlertStateStore with the same versioning rule as the real ones. */

/** Records what it receives; fails the first `failures` calls. */
class FlakyNotifier implements Notifier {
  readonly received: Notification[] = [];
  #failures: number;
  constructor(failures = 0) {
    this.#failures = failures;
  }
  async send(notifications: readonly Notification[]): Promise<void> {
    if (this.#failures-- > 0) throw new Error('HTTP 503');
    this.received.push(...notifications);
  }
}

const silentLog = (): NotifyLog & { lines: string[] } => {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    error: (m, extra) => lines.push(`error ${m} ${JSON.stringify(extra)}`),
  };
};

const recordOf = (messageId: string, n: Notification): SNSEventRecord => ({
  EventSource: 'aws:sns',
  EventVersion: '1.0',
  EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:vigil-critical:6f1e',
  Sns: {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: 'arn:aws:sns:eu-west-1:123456789012:vigil-critical',
    Subject: '[FIRING:1] HighErrorRate (critical)',
    Message: JSON.stringify(n.payload),
    Timestamp: '2024-05-01T12:00:00.000Z',
    SignatureVersion: '1',
    Signature: 'EXAMPLE',
    SigningCertUrl: 'https://sns.eu-west-1.amazonaws.com/cert.pem',
    UnsubscribeUrl: 'https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe',
    MessageAttributes: { severity: { Type: 'String', Value: n.severity } },
  },
});

const eventOf = (...records: SNSEventRecord[]): SNSEvent => ({ Records: records });

const depsOf = (notifier: Notifier, state = new MemoryAlertStateStore()): SnsNotifyDeps => ({
  channel: 'slack',
  notifier: async () => notifier,
  state,
  clock: { now: () => Date.UTC(2024, 4, 1, 12, 0, 1) },
  log: silentLog(),
});

describe('Function: makeSnsNotifyHandler', () => {
  it('delivers each record and then records its message id', async () => {
    // Prepare
    const notifier = new FlakyNotifier();
    const deps = depsOf(notifier);
    const handler = makeSnsNotifyHandler(deps);

    // Act
    const summary = await handler(eventOf(recordOf('m-1', firingNotification(1))));

    // Assess
    expect(summary).toEqual({ delivered: 1, duplicates: 0 });
    expect(notifier.received.map((n) => n.groupKey)).toEqual(['{}:{alertname="HighErrorRate"}']);
    expect(notifier.received[0]?.severity).toBe('critical');
    expect(await deps.state.load('sns/slack/m-1')).toEqual({
      state: { at: Date.UTC(2024, 4, 1, 12, 0, 1) },
      version: 1,
    });
  });

  it('skips a message id already delivered (SNS at-least-once redelivery)', async () => {
    // Prepare
    const notifier = new FlakyNotifier();
    const handler = makeSnsNotifyHandler(depsOf(notifier));
    const event = eventOf(recordOf('m-1', firingNotification(1)));
    await handler(event);

    // Act
    const summary = await handler(event);

    // Assess
    expect(summary).toEqual({ delivered: 0, duplicates: 1 });
    expect(notifier.received).toHaveLength(1);
  });

  it('keys idempotency per channel so Slack and PagerDuty both get the same message', async () => {
    // Prepare
    const state = new MemoryAlertStateStore();
    const slack = new FlakyNotifier();
    const pagerduty = new FlakyNotifier();
    const event = eventOf(recordOf('m-1', firingNotification(1)));

    // Act
    await makeSnsNotifyHandler(depsOf(slack, state))(event);
    await makeSnsNotifyHandler({ ...depsOf(pagerduty, state), channel: 'pagerduty' })(event);

    // Assess
    expect(slack.received).toHaveLength(1);
    expect(pagerduty.received).toHaveLength(1);
    expect([...state.docs.keys()].sort()).toEqual(['sns/pagerduty/m-1', 'sns/slack/m-1']);
  });

  it('throws on a failed delivery, records nothing, and delivers on the retry', async () => {
    // Prepare
    const notifier = new FlakyNotifier(1);
    const deps = depsOf(notifier);
    const handler = makeSnsNotifyHandler(deps);
    const event = eventOf(recordOf('m-1', firingNotification(1)));

    // Act
    const first = handler(event);

    // Assess
    await expect(first).rejects.toThrow(NotifyDeliveryError);
    await expect(first).rejects.toMatchObject({ messageIds: ['m-1'] });
    expect(await deps.state.load('sns/slack/m-1')).toBeUndefined();
    await expect(handler(event)).resolves.toEqual({ delivered: 1, duplicates: 0 });
    expect(notifier.received).toHaveLength(1);
  });

  it('still delivers the other records when one cannot be decoded, then throws', async () => {
    // Prepare
    const notifier = new FlakyNotifier();
    const log = silentLog();
    const handler = makeSnsNotifyHandler({ ...depsOf(notifier), log });
    const bad = recordOf('m-bad', firingNotification(1));
    const event = eventOf(
      { ...bad, Sns: { ...bad.Sns, Message: 'not json' } },
      recordOf('m-2', resolvedNotification()),
    );

    // Act
    const delivering = handler(event);

    // Assess
    await expect(delivering).rejects.toThrow('slack: 1 of 2 SNS message(s) not delivered: m-bad');
    expect(notifier.received.map((n) => n.status)).toEqual(['resolved']);
    expect(log.lines.some((l) => l.includes('NotifyPayloadError: SNS message is not JSON'))).toBe(
      true,
    );
  });

  it('posts through the real Slack and PagerDuty notifiers to servers answering like them', async () => {
    // Prepare
    const slackServer = await startCaptureServer([{ status: 200, body: 'ok' }], '/services/T/B/X');
    const pdServer = await startCaptureServer(
      [{ status: 202, body: '{"status":"success","message":"Event processed","dedup_key":"k"}' }],
      '/v2/enqueue',
    );
    const state = new MemoryAlertStateStore();
    const slack = makeSnsNotifyHandler(
      depsOf(new SlackNotifier({ webhookUrl: slackServer.url, minIntervalMs: 0 }), state),
    );
    const pagerduty = makeSnsNotifyHandler({
      ...depsOf(new PagerDutyNotifier({ routingKey: 'R0UT1NGKEY', url: pdServer.url }), state),
      channel: 'pagerduty',
    });
    const event = eventOf(
      recordOf('m-1', firingNotification(1)),
      recordOf('m-2', resolvedNotification()),
    );

    try {
      // Act
      await slack(event);
      await pagerduty(event);

      // Assess
      expect(slackServer.requests).toHaveLength(2);
      expect(slackServer.requests[0]?.body).toContain('HighErrorRate');
      const events = pdServer.requests.map(
        (r) => JSON.parse(r.body) as { event_action: string; dedup_key: string },
      );
      expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
      expect(events[0]?.dedup_key).toBe(events[1]?.dedup_key);
    } finally {
      await slackServer.close();
      await pdServer.close();
    }
  });
});
