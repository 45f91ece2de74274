import { DEFAULT_GPU_CONFIG, validateGpuConfig } from '../../../../lambdas/domain/gpu/gpu-config';
import { validateConfig } from '../../../../lambdas/domain/config/validate';

describe('Feature: gpu: config section', () => {
  it('is disabled with documented defaults when absent', () => {
    // Act
    const { config, issues } = validateGpuConfig(undefined);

    // Assess
    expect(issues).toEqual([]);
    expect(config).toBe(DEFAULT_GPU_CONFIG);
    expect(config.enabled).toBe(false);
    expect(config.alarms.temperature).toEqual({
      enabled: true,
      threshold: 85,
      minutes: 5,
      severity: 'critical',
    });
  });

  it('reads a full section', () => {
    // Act
    const { config, issues } = validateGpuConfig({
      enabled: true,
      instanceTag: { key: 'team', value: 'ml' },
      collectionIntervalSeconds: 30,
      createInstanceRole: false,
      import: { enabled: false, scheduleMinutes: 10 },
      alarms: { temperature: { threshold: 80, severity: 'warning' }, idle: { minutes: 120 } },
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config).toMatchObject({
      enabled: true,
      instanceTag: { key: 'team', value: 'ml' },
      collectionIntervalSeconds: 30,
      createInstanceRole: false,
      import: { enabled: false, scheduleMinutes: 10 },
    });
    expect(config.alarms.temperature).toMatchObject({
      threshold: 80,
      severity: 'warning',
      minutes: 5,
    });
    expect(config.alarms.idle.minutes).toBe(120);
  });

  it('reports every problem with its path', () => {
    // Act
    const { issues } = validateGpuConfig({
      enabled: 'yes',
      instanceTag: { key: 'aws:reserved', value: '' },
      collectionIntervalSeconds: 45,
      import: { scheduleMinutes: 0 },
      alarms: {
        temperature: { severity: 'page' },
        memoryUsed: { threshold: 120 },
        idle: { minutes: 7 },
        power: {},
      },
      extra: 1,
    });

    // Assess
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'gpu.alarms.idle.minutes',
        'gpu.alarms.memoryUsed.threshold',
        'gpu.alarms.power',
        'gpu.alarms.temperature.severity',
        'gpu.collectionIntervalSeconds',
        'gpu.enabled',
        'gpu.extra',
        'gpu.import.scheduleMinutes',
        'gpu.instanceTag.key',
        'gpu.instanceTag.value',
      ].sort(),
    );
  });

  it('refuses alarm durations beyond the 3 hours Metrics Insights alarms evaluate', () => {
    // Act
    const { issues } = validateGpuConfig({ alarms: { temperature: { minutes: 181 } } });

    // Assess
    expect(issues).toEqual([
      { path: 'gpu.alarms.temperature.minutes', message: 'must be between 1 and 180, got 181' },
    ]);
  });

  it('is part of vigil.config.yaml validation', () => {
    // Act
    const { config, issues } = validateConfig({ gpu: { enabled: true } });

    // Assess
    expect(issues).toEqual([]);
    expect(config.gpu.enabled).toBe(true);
  });
});
