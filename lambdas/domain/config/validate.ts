import { DEFAULT_OTLP_CONFIG } from '../otlp/otlp-settings';
import { withDashboardMirrorRules } from '../dashboards/mirror-rules';
import { type ConfigIssue, ConfigError } from './issues';
import { configSchema } from './schema';
import { runSchema } from './schema-kit';
import type { RuntimeConfig, VigilConfig } from './types';

export type { ConfigIssue };
export { ConfigError };

const DEFAULT_CONFIG: VigilConfig = configSchema.parse(undefined);

/**
 * Validates parsed `vigil.config.yaml` content and fills in defaults.
 * Returns every problem found, each with its path, so a user fixes them in one go.
 * @example
 * const { config, issues } = validateConfig(YAML.parse(text));
 */
const validateConfig = (raw: unknown): { config: VigilConfig; issues: ConfigIssue[] } =>
  runSchema(configSchema, raw, '', () => DEFAULT_CONFIG as never);

/** The part of the config functions need at run time (handed over in `ENV.RUNTIME_CONFIG`). */
const runtimeConfigOf = (c: VigilConfig): RuntimeConfig => ({
  limits: c.limits,
  writeRelabelConfigs: c.writeRelabelConfigs ?? [],
  otlp: c.otlp ?? DEFAULT_OTLP_CONFIG,
  // Every metric a dashboard charts is mirrored (dashboards/mirror-rules.ts).
  cloudwatch: withDashboardMirrorRules(c.cloudwatch, c.dashboards, c.channels),
  pushgateway: c.pushgateway,
  maxSampleAgeMs: c.maxSampleAgeMs,
});

export { runtimeConfigOf, validateConfig };
