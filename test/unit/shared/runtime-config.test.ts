import { runtimeConfigOf, validateConfig } from '../../../lambdas/domain/config/validate';
import { loadRuntimeConfig } from '../../../lambdas/shared/config';
import { ENV } from '../../../lambdas/shared/env';

describe('Function: loadRuntimeConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('returns the runtime config the construct deployed, as written', () => {
    const deployed = runtimeConfigOf(
      validateConfig({
        limits: { maxSamplesPerRequest: 500 },
        pushgateway: { scrapeIntervalSeconds: 30 },
      }).config,
    );
    process.env[ENV.RUNTIME_CONFIG] = JSON.stringify(deployed);
    const loaded = loadRuntimeConfig();
    expect(loaded).toEqual(deployed);
    expect(loaded.limits.maxSamplesPerRequest).toBe(500);
    expect(loaded.pushgateway.scrapeIntervalSeconds).toBe(30);
  });

  it('names the variable when a function was deployed without it', () => {
    delete process.env[ENV.RUNTIME_CONFIG];
    expect(() => loadRuntimeConfig()).toThrow(
      'VIGIL_RUNTIME_CONFIG (runtime config) is not set: deploy Vigil with its CDK construct',
    );
  });
});
