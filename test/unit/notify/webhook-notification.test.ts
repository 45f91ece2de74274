import fc from 'fast-check';
import {
  NotifyPayloadError,
  notificationFromSnsMessage,
  notificationFromWebhookPayload,
} from '../../../lambdas/notify/webhook-notification';
import {
  firingNotification,
  resolvedNotification,
} from '../adapters/notifiers/notification-fixture';

describe('Function: notificationFromWebhookPayload', () => {
  it('rebuilds the notification the dispatcher published from its webhook payload', () => {
    // Prepare
    const published = firingNotification(2);
    const message = JSON.stringify(published.payload);

    // Act
    const decoded = notificationFromSnsMessage(message, 'critical');

    // Assess: everything but `updatedAtMs`, which the payload does not carry (startsAt stands in)
    expect(decoded).toEqual({
      ...published,
      alerts: published.alerts.map((a) => ({ ...a, updatedAtMs: a.startsAtMs })),
    });
  });

  it('reads resolved alerts with their end time', () => {
    // Prepare
    const published = resolvedNotification();

    // Act
    const decoded = notificationFromWebhookPayload(
      JSON.parse(JSON.stringify(published.payload)),
      'critical',
    );

    // Assess
    expect(decoded.status).toBe('resolved');
    expect(decoded.payload).toEqual(published.payload);
    expect(decoded.alerts[0]?.endsAtMs).toBe(Date.UTC(2024, 4, 1, 12, 10, 0));
  });

  it('falls back to the severity common label when the message attribute is absent', () => {
    // Prepare
    const payload = firingNotification(1, { severity: 'page' }).payload;

    // Act
    const decoded = notificationFromWebhookPayload(payload, '');

    // Assess
    expect(decoded.severity).toBe('page');
  });

  it.each([
    ['not an object', [], 'payload must be a JSON object'],
    ['another version', { version: '3' }, 'payload.version must be "4"'],
    ['no alerts', { version: '4' }, 'payload.alerts must be a list'],
    [
      'a bad alert status',
      { ...firingNotification(1).payload, alerts: [{ status: 'pending' }] },
      'payload.alerts[0].status must be "firing" or "resolved"',
    ],
    [
      'a non-string label',
      { ...firingNotification(1).payload, groupLabels: { alertname: 1 } },
      'payload.groupLabels must be an object of strings',
    ],
    [
      'a negative truncatedAlerts',
      { ...firingNotification(1).payload, truncatedAlerts: -1 },
      'payload.truncatedAlerts must be a non-negative integer',
    ],
  ])('refuses %s', (_case, payload, message) => {
    // Act
    const decode = () => notificationFromWebhookPayload(payload, 'critical');

    // Assess
    expect(decode).toThrow(NotifyPayloadError);
    expect(decode).toThrow(message);
  });

  it('refuses a message that is not JSON', () => {
    // Act
    const decode = () => notificationFromSnsMessage('{"default":', 'critical');

    // Assess
    expect(decode).toThrow(NotifyPayloadError);
    expect(decode).toThrow('SNS message is not JSON');
  });

  it('throws only NotifyPayloadError on any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          notificationFromSnsMessage(text, 'warning');
        } catch (error) {
          expect(error).toBeInstanceOf(NotifyPayloadError);
        }
      }),
    );
  });
});
