import { DEFAULT_CHANNELS_CONFIG } from '../../lambdas/domain/notifications/channels-config';
import { DEFAULT_GPU_CONFIG } from '../../lambdas/domain/gpu/gpu-config';
import { DEFAULT_DRIFT_CONFIG } from '../../lambdas/domain/drift/drift-config';
import { DEFAULT_ALERTING_CONFIG } from '../../lambdas/domain/alerting/config';
import { DEFAULT_LIMITS } from '../../lambdas/domain/config/defaults';
import type { VigilConfig } from '../../lambdas/domain/config/types';
import { DEFAULT_SCRAPE_CONFIG } from '../../lambdas/domain/scrape/scrape-config';
import { DEFAULT_LOGS_CONFIG } from '../../lambdas/domain/logs/logs-config';
import { DEFAULT_DASHBOARDS_CONFIG } from '../../lambdas/domain/dashboards/dashboards-config';

/** A complete config written out literally, so infra tests do not depend on the YAML loader. */
export const TEST_CONFIG: VigilConfig = {
  project: 'test',
  store: 'timestream',
  amp: { retentionDays: 150 },
  timestream: { database: 'vigil-test', memoryRetentionHours: 12, magneticRetentionDays: 90 },
  api: {
    clients: [
      { name: 'inference', rateLimit: 50, burstLimit: 100, quotaPerDay: 1_000_000 },
      { name: 'prometheus', rateLimit: 20, burstLimit: 40 },
    ],
  },
  logRetentionDays: 14,
  limits: DEFAULT_LIMITS,
  cloudwatch: {
    namespace: 'VigilTest',
    mirror: [{ metric: 'inference_latency_seconds', dimensions: ['model'] }],
  },
  pushgateway: { scrapeIntervalSeconds: 15 },
  maxSampleAgeMs: 90 * 24 * 3600 * 1000,
  rules: [],
  evaluation: { intervalMs: 60_000, externalLabels: {}, externalUrl: '' },
  alerting: DEFAULT_ALERTING_CONFIG,
  channels: DEFAULT_CHANNELS_CONFIG,
  drift: DEFAULT_DRIFT_CONFIG,
  scrape: DEFAULT_SCRAPE_CONFIG,
  gpu: DEFAULT_GPU_CONFIG,
  logs: {
    ...DEFAULT_LOGS_CONFIG,
    services: ['api', 'inference'],
    retentionDays: 90,
    measures: [{ field: 'context.confidence', name: 'confidence', type: 'DOUBLE' }],
  },
  logLevel: 'INFO',
  // Off here: dashboards bring the rule evaluator (their recording rules), which other features'
  // tests count; test/infra/dashboards.test.ts turns them on.
  dashboards: { ...DEFAULT_DASHBOARDS_CONFIG, enabled: false },
  // On here (off by default): the features' tests assert the reservations they ask for.
  reservedConcurrency: true,
};
