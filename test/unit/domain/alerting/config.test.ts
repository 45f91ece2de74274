import {
  DEFAULT_ALERTING_CONFIG,
  validateAlertingConfig,
} from '../../../../lambdas/domain/alerting/config';

describe('Function: validateAlertingConfig', () => {
  it("fills Alertmanager's defaults", () => {
    // Act
    const { config, issues } = validateAlertingConfig(undefined);

    // Assess
    expect(issues).toEqual([]);
    expect(config).toEqual(DEFAULT_ALERTING_CONFIG);
    expect(config).toMatchObject({
      groupBy: ['alertname'],
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 14_400_000,
    });
  });

  it('reads durations, group_by and inhibit rules', () => {
    // Act
    const { config, issues } = validateAlertingConfig({
      group_by: ['alertname', 'cluster'],
      group_wait: '10s',
      group_interval: '1m',
      repeat_interval: '1h30m',
      inhibit_rules: [
        {
          source_matchers: ['severity="critical"'],
          target_matchers: ['severity=~"warning|info"'],
          equal: ['alertname'],
        },
      ],
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config.groupWaitMs).toBe(10_000);
    expect(config.repeatIntervalMs).toBe(5_400_000);
    expect(config.inhibitRules).toEqual([
      {
        sourceMatchers: [{ name: 'severity', op: '=', value: 'critical' }],
        targetMatchers: [{ name: 'severity', op: '=~', value: 'warning|info' }],
        equal: ['alertname'],
      },
    ]);
  });

  it('returns every issue with its path', () => {
    // Act
    const { issues } = validateAlertingConfig({
      group_by: ['...', 'job', 'job', '1bad'],
      group_wait: 30,
      group_interval: '0s',
      repeat_interval: '4 hours',
      inhibit_rules: [
        { source_matchers: ['severity'], target_matchers: 'x', equal: ['a-b'], foo: 1 },
      ],
      extra: true,
    });

    // Assess
    expect(issues).toEqual([
      { path: 'alerting.extra', message: expect.stringContaining('unknown key') },
      { path: 'alerting.group_by[2]', message: 'duplicated label "job"' },
      { path: 'alerting.group_by[3]', message: 'invalid label name "1bad"' },
      {
        path: 'alerting.group_by',
        message: 'cannot have wildcard group_by (`...`) and other labels at the same time',
      },
      { path: 'alerting.inhibit_rules[0].foo', message: expect.stringContaining('unknown key') },
      {
        path: 'alerting.inhibit_rules[0].source_matchers[0]',
        message: 'bad matcher format: severity',
      },
      {
        path: 'alerting.inhibit_rules[0].target_matchers',
        message: 'must be a list of matchers like severity="critical"',
      },
      { path: 'alerting.inhibit_rules[0].equal[0]', message: 'invalid label name "a-b"' },
      { path: 'alerting.group_wait', message: 'not a valid duration: 30 (e.g. 30s, 5m, 4h)' },
      { path: 'alerting.group_interval', message: 'group_interval cannot be zero' },
      {
        path: 'alerting.repeat_interval',
        message: 'not a valid duration: "4 hours" (e.g. 30s, 5m, 4h)',
      },
    ]);
  });

  it('rejects a section that is not a mapping', () => {
    // Act & Assess
    expect(validateAlertingConfig(['x']).issues).toEqual([
      { path: 'alerting', message: 'must be a mapping' },
    ]);
  });
});
