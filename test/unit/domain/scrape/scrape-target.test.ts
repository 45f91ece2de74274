import { validateScrapeConfig } from '../../../../lambdas/domain/scrape/scrape-config';
import { targetsOfJob } from '../../../../lambdas/domain/scrape/scrape-target';

const jobOf = (raw: Record<string, unknown>) => {
  const { config, issues } = validateScrapeConfig([{ job_name: 'api', ...raw }], undefined);
  expect(issues).toEqual([]);
  const [job] = config.jobs;
  if (!job) throw new Error('no job');
  return job;
};

describe('Scrape targets: labels and URL', () => {
  it('labels a target with job and instance = address, and scrapes scheme://address/metrics_path', () => {
    // Prepare
    const job = jobOf({ static_configs: [{ targets: ['api:8000'], labels: { env: 'prod' } }] });

    // Act
    const [target] = targetsOfJob(job);

    // Assess
    expect(target?.labels).toEqual({ env: 'prod', instance: 'api:8000', job: 'api' });
    expect(target?.url).toBe('http://api:8000/metrics');
    expect(target?.discoveredLabels).toEqual({
      __address__: 'api:8000',
      __metrics_path__: '/metrics',
      __scheme__: 'http',
      __scrape_interval__: '1m',
      __scrape_timeout__: '10s',
      env: 'prod',
      job: 'api',
    });
  });

  it('encodes params as __param_ labels (which win, as PopulateLabels sets them) and a sorted query', () => {
    // Prepare
    const job = jobOf({
      scheme: 'https',
      metrics_path: '/probe',
      params: { target: ['a b'], module: ['http_2xx', 'x'] },
      static_configs: [
        { targets: ['blackbox:9115'] },
        {
          targets: ['blackbox:9116'],
          labels: {
            __param_target: 'c',
            __param_extra: 'd',
            __metrics_path__: '/p',
            instance: 'bb',
            job: 'other',
          },
        },
      ],
    });

    // Act
    const targets = targetsOfJob(job);

    // Assess
    expect(targets.map((t) => t.url)).toEqual([
      'https://blackbox:9115/probe?module=http_2xx&module=x&target=a+b',
      'https://blackbox:9116/p?extra=d&module=http_2xx&module=x&target=a+b',
    ]);
    expect(targets.map((t) => t.labels)).toEqual([
      { instance: 'blackbox:9115', job: 'api' },
      { instance: 'bb', job: 'other' },
    ]);
  });

  it('scrapes a target listed twice once', () => {
    // Prepare
    const job = jobOf({ static_configs: [{ targets: ['a:1', 'a:1'] }, { targets: ['a:1'] }] });

    // Act
    const targets = targetsOfJob(job);

    // Assess
    expect(targets).toHaveLength(1);
  });
});
