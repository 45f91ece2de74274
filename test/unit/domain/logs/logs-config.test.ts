import { validateConfig } from '../../../../lambdas/domain/config/validate';
import {
  DEFAULT_LOGS_CONFIG,
  validateLogLevel,
  validateLogsConfig,
} from '../../../../lambdas/domain/logs/logs-config';

describe('logs: config section', () => {
  it('reads services, retention, prediction markers, measures and limits', () => {
    // Act
    const { config, issues } = validateLogsConfig({
      services: ['api', 'inference'],
      retentionDays: 90,
      prediction: { field: 'kind', value: 'inference', modelVersion: 'context.model_version' },
      measures: [
        'context.confidence',
        { field: 'context.prediction', type: 'VARCHAR' },
        { field: 'context.inference_time_ms', name: 'latency_ms', type: 'DOUBLE' },
      ],
      limits: { maxEvents: 500, maxEventBytes: 65_536, maxBodyBytes: 1_000_000 },
    });

    // Assess
    expect(issues).toEqual([]);
    expect(config).toEqual({
      services: ['api', 'inference'],
      retentionDays: 90,
      prediction: {
        field: 'kind',
        value: 'inference',
        model: ['model', 'context.model'],
        modelVersion: ['context.model_version'],
      },
      measures: [
        { field: 'context.confidence', name: 'confidence', type: 'DOUBLE' },
        { field: 'context.prediction', name: 'prediction', type: 'VARCHAR' },
        { field: 'context.inference_time_ms', name: 'latency_ms', type: 'DOUBLE' },
      ],
      limits: { maxEvents: 500, maxEventBytes: 65_536, maxBodyBytes: 1_000_000 },
    });
  });

  it('defaults to no services, 30 days, event=prediction and CloudWatch-sized limits', () => {
    // Act
    const { config, issues } = validateLogsConfig(undefined);

    // Assess
    expect(issues).toEqual([]);
    expect(config).toBe(DEFAULT_LOGS_CONFIG);
    expect(config.limits).toEqual({
      maxEvents: 10_000,
      maxEventBytes: 1_048_550,
      maxBodyBytes: 4_194_304,
    });
    expect(config.prediction).toMatchObject({ field: 'event', value: 'prediction' });
  });

  it('names every problem with its path', () => {
    // Act
    const { issues } = validateLogsConfig({
      services: ['api', 'a/b', 'api', 'default'],
      retentionDays: 31,
      measures: [{ field: 'context.x', name: 'model' }, { field: 'a', type: 'INT' }, { name: 'n' }],
      limits: { maxEventBytes: 2_000_000, maxBodyBytes: 5_000_000 },
      extra: 1,
    });

    // Assess
    expect(issues.map((i) => i.path)).toEqual([
      'logs.extra',
      'logs.services[1]',
      'logs.services[2]',
      'logs.services[3]',
      'logs.retentionDays',
      'logs.measures[0].name',
      'logs.measures[1].type',
      'logs.measures[2].field',
      'logs.limits.maxEventBytes',
      'logs.limits.maxBodyBytes',
    ]);
    expect(issues[3]?.message).toContain('"default" is the group of unknown services');
    expect(issues[5]?.message).toBe('"model" is a column of the events table; set another name');
  });

  it('is read by validateConfig as logs: and logLevel:', () => {
    // Act
    const { config, issues } = validateConfig({ logs: { services: ['api'] }, logLevel: 'debug' });
    const bad = validateConfig({ logLevel: 'LOUD' });

    // Assess
    expect(issues).toEqual([]);
    expect(config.logs.services).toEqual(['api']);
    expect(config.logLevel).toBe('DEBUG');
    expect(bad.issues).toEqual([
      {
        path: 'logLevel',
        message: 'must be one of TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT, got "LOUD"',
      },
    ]);
  });

  it('reads WARNING as WARN and defaults to INFO', () => {
    // Act / Assess
    expect(validateLogLevel('warning').config).toBe('WARN');
    expect(validateLogLevel(undefined).config).toBe('INFO');
  });
});
