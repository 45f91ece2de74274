import { ChannelRouter } from '../../../../lambdas/adapters/notifiers/channel-router';
import type { Notification } from '../../../../lambdas/domain/alerting/types';
import { NotifierError } from '../../../../lambdas/domain/errors';
import {
  type ChannelsConfig,
  DEFAULT_CHANNELS_CONFIG,
} from '../../../../lambdas/domain/notifications/channels-config';
import type { Notifier } from '../../../../lambdas/domain/alerting/notifier';
import { firingNotification } from './notification-fixture';

/** Records the group keys of each batch it receives, then fails as told. */
class RecordingNotifier implements Notifier {
  readonly received: string[][] = [];
  readonly #failure: Error | undefined;
  constructor(failure?: Error) {
    this.#failure = failure;
  }
  async send(notifications: readonly Notification[]): Promise<void> {
    this.received.push(notifications.map((n) => n.groupKey));
    if (this.#failure) throw this.#failure;
  }
}

const channels: ChannelsConfig = {
  ...DEFAULT_CHANNELS_CONFIG,
  severities: {
    critical: { email: ['oncall@example.com'], slack: true, pagerduty: true },
    warning: { email: [], slack: true, pagerduty: false },
    info: { email: [], slack: false, pagerduty: false },
  },
  default: 'warning',
};

const batch = [
  firingNotification(1, { groupKey: 'crit', severity: 'critical' }),
  firingNotification(1, { groupKey: 'page', severity: 'page' }),
  firingNotification(1, { groupKey: 'warn', severity: 'warning' }),
  firingNotification(1, { groupKey: 'low', severity: 'low' }),
  firingNotification(1, { groupKey: 'none', severity: '' }),
];

describe('Class: ChannelRouter', () => {
  it('routes by topic severity (aliases and default included) and always sends to the base', async () => {
    // Prepare
    const base = new RecordingNotifier();
    const slack = new RecordingNotifier();
    const pagerduty = new RecordingNotifier();

    // Act
    await new ChannelRouter({ base, channels, slack, pagerduty }).send(batch);

    // Assess
    expect(base.received).toEqual([['crit', 'page', 'warn', 'low', 'none']]);
    expect(slack.received).toEqual([['crit', 'page', 'warn', 'none']]);
    expect(pagerduty.received).toEqual([['crit', 'page']]);
  });

  it('does not call a channel that has nothing to send, nor one that is not configured', async () => {
    // Prepare
    const base = new RecordingNotifier();
    const slack = new RecordingNotifier();

    // Act
    await new ChannelRouter({ base, channels, slack }).send([
      firingNotification(1, { groupKey: 'low', severity: 'info' }),
    ]);

    // Assess
    expect(base.received).toEqual([['low']]);
    expect(slack.received).toEqual([]);
  });

  it('still delivers to the other channels when one fails and merges the failed keys', async () => {
    // Prepare
    const base = new RecordingNotifier();
    const slack = new RecordingNotifier(new NotifierError('slack down', ['warn']));
    const pagerduty = new RecordingNotifier(new Error('socket hang up'));

    // Act
    const sending = new ChannelRouter({ base, channels, slack, pagerduty }).send(batch);

    // Assess
    await expect(sending).rejects.toThrow(NotifierError);
    await sending.catch((error: NotifierError) => {
      expect([...error.failed].sort()).toEqual(['crit', 'page', 'warn']);
      expect(error.message).toContain('2 of 3 channel(s) failed');
      expect(error.message).toContain('slack down');
      expect(error.message).toContain('socket hang up');
    });
    expect(base.received).toHaveLength(1);
  });

  it('reports a base notifier failure with its own cause', async () => {
    // Prepare
    const cause = new NotifierError('SNS down', ['crit']);
    const router = new ChannelRouter({ base: new RecordingNotifier(cause), channels });

    // Act
    const sending = router.send(batch.slice(0, 1));

    // Assess
    await expect(sending).rejects.toMatchObject({ failed: ['crit'], cause });
  });
});
