import {
  AuthorizationErrorException,
  InternalErrorException,
  PublishCommand,
  type PublishCommandInput,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  MAX_MESSAGE_BYTES,
  publishInputOf,
  SnsNotifier,
  subjectOf,
  toPrintableAscii,
} from '../../../../lambdas/adapters/notifiers/sns-notifier';
import type { Notification, WebhookPayload } from '../../../../lambdas/domain/alerting/types';
import { NotifierError } from '../../../../lambdas/domain/errors';
import { firingNotification, resolvedNotification } from './notification-fixture';

const CRITICAL = 'arn:aws:sns:eu-west-1:123456789012:vigil-critical';
const WARNING = 'arn:aws:sns:eu-west-1:123456789012:vigil-warning';
const DEFAULT = 'arn:aws:sns:eu-west-1:123456789012:vigil-default';
const sns = mockClient(SNSClient);

const notifier = (sleeps: number[] = []): SnsNotifier =>
  new SnsNotifier({
    client: new SNSClient({ region: 'eu-west-1' }),
    topicArnBySeverity: { critical: CRITICAL, warning: WARNING },
    defaultTopicArn: DEFAULT,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

const EXPECTED_EMAIL = [
  '[FIRING:2] HighErrorRate (critical)',
  '',
  'Status: firing',
  'Severity: critical',
  'Alerts: 2 firing, 0 resolved',
  'Group: alertname="HighErrorRate"',
  'Receiver: sns',
  'Alertmanager: http://localhost:9093',
  '',
  'Alert 1 of 2: HighErrorRate [FIRING]',
  '  Labels: alertname="HighErrorRate", instance="model-server-0.ml.internal:8080", job="model-server", severity="critical"',
  '  Summary: Error rate above 5% on model-server-0.ml.internal:8080',
  '  Description: 5xx ratio is 0.07 over the last 5m.',
  '  Runbook: https://runbooks.example.com/high-error-rate',
  '  Started: 2024-05-01T11:58:00.000Z',
  '  Source: http://localhost:9090/graph?g0.expr=job%3Aerrors%3Aratio5m+%3E+0.05',
  '',
  'Alert 2 of 2: HighErrorRate [FIRING]',
  '  Labels: alertname="HighErrorRate", instance="model-server-1.ml.internal:8080", job="model-server", severity="critical"',
  '  Summary: Error rate above 5% on model-server-1.ml.internal:8080',
  '  Description: 5xx ratio is 0.08 over the last 5m.',
  '  Runbook: https://runbooks.example.com/high-error-rate',
  '  Started: 2024-05-01T11:58:01.000Z',
  '  Source: http://localhost:9090/graph?g0.expr=job%3Aerrors%3Aratio5m+%3E+0.05',
  '',
].join('\n');

/** Total size SNS counts: message, subject and attributes. */
const sizeOf = (input: Omit<PublishCommandInput, 'TopicArn'>): number =>
  Buffer.byteLength(input.Message ?? '') +
  Buffer.byteLength(input.Subject ?? '') +
  Object.entries(input.MessageAttributes ?? {}).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(`${v.DataType}${v.StringValue}`),
    0,
  );

const parsed = (
  input: Omit<PublishCommandInput, 'TopicArn'>,
): { payload: WebhookPayload; email: string } => {
  const message = JSON.parse(input.Message ?? '') as { default: string; email: string };
  return { payload: JSON.parse(message.default) as WebhookPayload, email: message.email };
};

describe('Class: SnsNotifier', () => {
  afterEach(() => {
    sns.reset();
  });

  describe('Method: send', () => {
    it('publishes one JSON-structured message to the topic of the severity', async () => {
      // Prepare
      const n = firingNotification(2);
      sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

      // Act
      await notifier().send([n]);

      // Assess
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
        TopicArn: CRITICAL,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: JSON.stringify(n.payload), email: EXPECTED_EMAIL }),
        Subject: '[FIRING:2] HighErrorRate (critical)',
        MessageAttributes: {
          severity: { DataType: 'String', StringValue: 'critical' },
          alertname: { DataType: 'String', StringValue: 'HighErrorRate' },
          status: { DataType: 'String', StringValue: 'firing' },
        },
      } satisfies PublishCommandInput);
    });

    it('falls back to the default topic for a severity without one', async () => {
      // Prepare
      sns.on(PublishCommand).resolves({});

      // Act
      await notifier().send([
        firingNotification(1, { severity: 'page', groupKey: 'g-page' }),
        firingNotification(1, { severity: 'warning', groupKey: 'g-warning' }),
        firingNotification(1, { severity: '', groupKey: 'g-none' }),
      ]);

      // Assess
      const topics = sns.commandCalls(PublishCommand).map((c) => c.args[0].input.TopicArn);
      expect(topics).toEqual([DEFAULT, WARNING, DEFAULT]);
    });

    it('leaves out an attribute whose value would be empty', async () => {
      // Prepare
      sns.on(PublishCommand).resolves({});

      // Act
      await notifier().send([firingNotification(1, { severity: '' })]);

      // Assess
      const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
      expect(Object.keys(input?.MessageAttributes ?? {})).toEqual(['alertname', 'status']);
      expect(input?.Subject).toBe('[FIRING:1] HighErrorRate');
    });

    it('marks a resolved group in subject, attributes and email', async () => {
      // Prepare
      sns.on(PublishCommand).resolves({});

      // Act
      await notifier().send([resolvedNotification()]);

      // Assess
      const input = sns.commandCalls(PublishCommand)[0]?.args[0].input ?? { Message: '' };
      expect(input.Subject).toBe('[RESOLVED] HighErrorRate (critical)');
      expect(input.MessageAttributes?.status).toEqual({
        DataType: 'String',
        StringValue: 'resolved',
      });
      const { email } = parsed(input);
      expect(email).toContain('Alert 1 of 1: HighErrorRate [RESOLVED]');
      expect(email).toContain('  Ended: 2024-05-01T12:10:00.000Z');
    });

    it('retries throttling and server errors with doubling backoff', async () => {
      // Prepare
      const sleeps: number[] = [];
      sns
        .on(PublishCommand)
        .rejectsOnce(new ThrottledException({ $metadata: {}, message: 'Rate exceeded' }))
        .rejectsOnce(new InternalErrorException({ $metadata: {}, message: 'Internal error' }))
        .resolves({ MessageId: 'm-1' });

      // Act
      await notifier(sleeps).send([firingNotification(1)]);

      // Assess
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 3);
      expect(sleeps).toEqual([200, 400]);
    });

    it('gives up after the last attempt with NotifierError naming the group', async () => {
      // Prepare
      sns
        .on(PublishCommand)
        .rejects(new ThrottledException({ $metadata: {}, message: 'Rate exceeded' }));

      // Act
      const error = await notifier()
        .send([firingNotification(1, { groupKey: 'g-1' })])
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(NotifierError);
      expect((error as NotifierError).failed).toEqual(['g-1']);
      expect((error as Error).message).toBe(
        'SNS publish failed for 1 of 1 notification(s): g-1: ThrottledException: Rate exceeded',
      );
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 4);
    });

    it('does not retry a client error and still publishes the other notifications', async () => {
      // Prepare
      sns
        .on(PublishCommand, { TopicArn: WARNING })
        .rejects(
          new AuthorizationErrorException({ $metadata: {}, message: 'not authorized to publish' }),
        )
        .on(PublishCommand, { TopicArn: CRITICAL })
        .resolves({ MessageId: 'm-1' });

      // Act
      const error = await notifier()
        .send([
          firingNotification(1, { severity: 'warning', groupKey: 'g-warning' }),
          firingNotification(1, { severity: 'critical', groupKey: 'g-critical' }),
        ])
        .catch((e: unknown) => e);

      // Assess
      expect((error as NotifierError).failed).toEqual(['g-warning']);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
      expect(sns).toHaveReceivedCommandWith(PublishCommand, { TopicArn: CRITICAL });
    });
  });
});

describe('Function: subjectOf', () => {
  it('is printable ASCII under 100 characters, whatever the alert names', () => {
    // Prepare
    const n = firingNotification(1);
    const names = ['Überlast', 'GPU温度过高', 'line\nbreak', 'x'.repeat(200)];
    const withNames: Notification = {
      ...n,
      payload: {
        ...n.payload,
        alerts: names.map((alertname) => ({
          ...(n.payload.alerts[0] as WebhookPayload['alerts'][number]),
          labels: { alertname },
        })),
      },
    };

    // Act
    const subject = subjectOf(withNames);

    // Assess
    expect(subject).toMatch(/^\[FIRING:4\] Uberlast, GPU\?\?\?\?, line break, x+\.\.\.$/);
    expect(subject).toHaveLength(99);
  });

  it('folds accents and replaces other characters', () => {
    // Act & Assess
    expect(toPrintableAscii('Café\tlatency ✓')).toBe('Cafe latency ?');
  });
});

describe('Function: publishInputOf', () => {
  it('cuts the email text, not the payload, when the message is too large', () => {
    // Prepare: annotations long enough that payload plus email exceed 256 KB
    const n = firingNotification(60);
    const alerts = n.payload.alerts.map((a) => ({
      ...a,
      annotations: { ...a.annotations, description: 'd'.repeat(2500) },
    }));
    const big: Notification = { ...n, payload: { ...n.payload, alerts } };

    // Act
    const input = publishInputOf(big);

    // Assess
    const { payload, email } = parsed(input);
    expect(payload).toEqual(big.payload);
    expect(email.endsWith('\n\n[message truncated: SNS size limit]')).toBe(true);
    expect(sizeOf(input)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(sizeOf(input)).toBeGreaterThan(MAX_MESSAGE_BYTES - 64);
  });

  it('drops alerts from the end and counts them in truncatedAlerts when the payload alone is too large', () => {
    // Prepare
    const n = firingNotification(400);
    const alerts = n.payload.alerts.map((a) => ({
      ...a,
      annotations: { ...a.annotations, description: '"quoted" é'.repeat(100) },
    }));
    const big: Notification = { ...n, payload: { ...n.payload, truncatedAlerts: 3, alerts } };

    // Act
    const input = publishInputOf(big);

    // Assess
    const { payload, email } = parsed(input);
    const kept = payload.alerts.length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(400);
    expect(payload.alerts).toEqual(alerts.slice(0, kept));
    expect(payload.truncatedAlerts).toBe(3 + 400 - kept);
    expect({ ...payload, alerts: [], truncatedAlerts: 0 }).toEqual({
      ...big.payload,
      alerts: [],
      truncatedAlerts: 0,
    });
    expect(email).toContain(
      `Alerts: ${kept} firing, 0 resolved (${3 + 400 - kept} more not included: message size limit)`,
    );
    expect(sizeOf(input)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it('never ends the email on half a surrogate pair', () => {
    // Prepare
    const n = firingNotification(30);
    const alerts = n.payload.alerts.map((a) => ({
      ...a,
      annotations: { ...a.annotations, description: '🔥'.repeat(3000) },
    }));

    // Act
    const input = publishInputOf({ ...n, payload: { ...n.payload, alerts } });

    // Assess
    expect(input.Message).not.toMatch(/\\ud83d(?!\\ud)/i);
    expect(parsed(input).email).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(sizeOf(input)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });
});
