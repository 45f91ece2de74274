import {
  DEFAULT_CHANNELS_CONFIG,
  topicSeverityOf,
  validateChannelsConfig,
} from '../../../../lambdas/domain/notifications/channels-config';

describe('Function: validateChannelsConfig', () => {
  it('reads the issue example: email, Slack and PagerDuty per severity', () => {
    // Act
    const { config, issues } = validateChannelsConfig({
      critical: { email: ['oncall@example.com'], slack: true, pagerduty: true },
      warning: { email: ['ml-team@example.com'], slack: true },
      info: { slack: true },
      default: 'info',
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.severities.critical).toEqual({
      email: ['oncall@example.com'],
      slack: true,
      pagerduty: true,
    });
    expect(config.severities.info).toEqual({ email: [], slack: true, pagerduty: false });
    expect(config.default).toBe('info');
    expect(config.pagerduty.eventsUrl).toBe('https://events.pagerduty.com/v2/enqueue');
  });

  it('names every problem with its path', () => {
    // Act
    const { issues } = validateChannelsConfig({
      critical: { email: ['not-an-address'], slack: 'yes' },
      aliases: { sev1: 'urgent' },
      default: 'page',
      slack: { webhookUrl: 'ftp://x' },
      teams: {},
    });

    // Assess
    expect(issues.map((i) => i.path)).toEqual([
      'channels.teams',
      'channels.critical.email[0]',
      'channels.critical.slack',
      'channels.aliases.sev1',
      'channels.default',
      'channels.slack.webhookUrl',
    ]);
  });
});

describe('Function: topicSeverityOf', () => {
  it.each([
    ['critical', 'critical'],
    ['high', 'critical'],
    ['page', 'critical'],
    ['medium', 'warning'],
    ['low', 'info'],
    ['unknown', 'warning'],
    [undefined, 'warning'],
  ])('sends severity %s to the %s topic', (label, topic) => {
    expect(topicSeverityOf(label, DEFAULT_CHANNELS_CONFIG)).toBe(topic);
  });
});
