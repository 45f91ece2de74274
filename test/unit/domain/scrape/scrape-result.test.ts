import fc from 'fast-check';
import { validateScrapeConfig } from '../../../../lambdas/domain/scrape/scrape-config';
import { applyTargetLabels, scrapeResult } from '../../../../lambdas/domain/scrape/scrape-result';
import { targetsOfJob } from '../../../../lambdas/domain/scrape/scrape-target';
import { isStaleNaN, type Series } from '../../../../lambdas/domain/series/sample';

const T0 = 1_764_086_400_000;

const targetOf = (raw: Record<string, unknown> = {}) => {
  const { config } = validateScrapeConfig(
    [{ job_name: 'api', static_configs: [{ targets: ['api:8000'] }], ...raw }],
    undefined,
  );
  const [job] = config.jobs;
  const [target] = job ? targetsOfJob(job) : [];
  if (!target) throw new Error('no target');
  return target;
};

/** `name{labels}` → value, for compact assertions (stale markers shown as 'stale'). */
const flat = (series: readonly Series[]): Record<string, number | string> =>
  Object.fromEntries(
    series.flatMap((s) =>
      s.samples.map((x) => {
        const { __name__, ...rest } = s.labels;
        const labels = Object.entries(rest)
          .map(([k, v]) => `${k}="${v}"`)
          .join(',');
        return [`${__name__}{${labels}}@${x.t - T0}`, isStaleNaN(x.v) ? 'stale' : x.v];
      }),
    ),
  );

const BODY = [
  '# TYPE http_requests_total counter',
  'http_requests_total{endpoint="/predict",status="200"} 1027',
  'http_requests_total{endpoint="/predict",status="500"} 3',
  '# TYPE model_build_info gauge',
  'model_build_info{job="trainer",instance="pod-1",version="v3"} 1',
  '',
].join('\n');

describe('Scrape result: samples and report series', () => {
  it('writes the samples with the target labels and the five report series, as Prometheus', () => {
    // Act
    const result = scrapeResult(
      targetOf(),
      { ok: true, body: BODY, contentType: 'text/plain; version=0.0.4' },
      { startMs: T0, durationMs: 25 },
    );

    // Assess
    expect(flat(result.series)).toEqual({
      'http_requests_total{endpoint="/predict",instance="api:8000",job="api",status="200"}@0': 1027,
      'http_requests_total{endpoint="/predict",instance="api:8000",job="api",status="500"}@0': 3,
      'model_build_info{exported_instance="pod-1",exported_job="trainer",instance="api:8000",job="api",version="v3"}@0': 1,
      'up{instance="api:8000",job="api"}@0': 1,
      'scrape_duration_seconds{instance="api:8000",job="api"}@0': 0.025,
      'scrape_samples_scraped{instance="api:8000",job="api"}@0': 3,
      'scrape_samples_post_metric_relabeling{instance="api:8000",job="api"}@0': 3,
      'scrape_series_added{instance="api:8000",job="api"}@0': 3,
    });
    expect(result.error).toBeUndefined();
    expect(result.state).toMatchObject({ health: 'up', lastError: '', lastScrapeMs: T0 });
    expect(result.state.series).toHaveLength(3);
  });

  it('keeps the scraped job and instance with honor_labels: true', () => {
    // Act
    const result = scrapeResult(
      targetOf({ honor_labels: true }),
      { ok: true, body: BODY, contentType: 'text/plain' },
      { startMs: T0, durationMs: 1 },
    );

    // Assess
    expect(flat(result.series)).toMatchObject({
      'model_build_info{instance="pod-1",job="trainer",version="v3"}@0': 1,
      'http_requests_total{endpoint="/predict",instance="api:8000",job="api",status="200"}@0': 1027,
    });
  });

  it('adds as many exported_ prefixes as it takes, shortest names first', () => {
    // Act
    const labels = applyTargetLabels(
      { __name__: 'x', job: 'a', exported_job: 'b', instance: 'c' },
      { job: 'api', instance: 'api:8000' },
      false,
    );

    // Assess
    expect(labels).toEqual({
      __name__: 'x',
      exported_exported_job: 'a',
      exported_instance: 'c',
      exported_job: 'b',
      instance: 'api:8000',
      job: 'api',
    });
  });

  it('uses the sample timestamps with honor_timestamps and the scrape time without', () => {
    // Prepare
    const body = 'a 1 1764086399000\nb 2\n';

    // Act
    const honored = scrapeResult(
      targetOf(),
      { ok: true, body, contentType: '' },
      { startMs: T0, durationMs: 1 },
    );
    const ignored = scrapeResult(
      targetOf({ honor_timestamps: false }),
      { ok: true, body, contentType: '' },
      { startMs: T0, durationMs: 1 },
    );

    // Assess
    expect(flat(honored.series)).toMatchObject({ 'a{instance="api:8000",job="api"}@-1000': 1 });
    expect(honored.state.series).toHaveLength(1);
    expect(flat(ignored.series)).toMatchObject({ 'a{instance="api:8000",job="api"}@0': 1 });
    expect(ignored.state.series).toHaveLength(2);
  });
});

describe('Scrape result: failures and staleness', () => {
  it('writes up 0 and stale markers for every previous series when the target is down', () => {
    // Prepare
    const target = targetOf();
    const first = scrapeResult(
      target,
      { ok: true, body: 'a 1\nb 2\n', contentType: '' },
      { startMs: T0, durationMs: 1 },
    );

    // Act
    const down = scrapeResult(
      target,
      { ok: false, error: 'Get "http://api:8000/metrics": connect ECONNREFUSED 127.0.0.1:8000' },
      { startMs: T0 + 15_000, durationMs: 2 },
      first.state,
    );

    // Assess
    expect(flat(down.series)).toEqual({
      'a{instance="api:8000",job="api"}@15000': 'stale',
      'b{instance="api:8000",job="api"}@15000': 'stale',
      'up{instance="api:8000",job="api"}@15000': 0,
      'scrape_duration_seconds{instance="api:8000",job="api"}@15000': 0.002,
      'scrape_samples_scraped{instance="api:8000",job="api"}@15000': 0,
      'scrape_samples_post_metric_relabeling{instance="api:8000",job="api"}@15000': 0,
      'scrape_series_added{instance="api:8000",job="api"}@15000': 0,
    });
    expect(down.error).toContain('ECONNREFUSED');
    expect(down.state).toMatchObject({ health: 'down', series: [] });
    expect(down.staleMarkers).toBe(2);
  });

  it('marks a series that disappeared stale and counts only new series as added', () => {
    // Prepare
    const target = targetOf();
    const first = scrapeResult(
      target,
      { ok: true, body: 'a 1\nb 2\n', contentType: '' },
      { startMs: T0, durationMs: 1 },
    );

    // Act
    const second = scrapeResult(
      target,
      { ok: true, body: 'a 3\nc 4\n', contentType: '' },
      { startMs: T0 + 15_000, durationMs: 1 },
      first.state,
    );

    // Assess
    expect(flat(second.series)).toMatchObject({
      'a{instance="api:8000",job="api"}@15000': 3,
      'b{instance="api:8000",job="api"}@15000': 'stale',
      'c{instance="api:8000",job="api"}@15000': 4,
      'scrape_series_added{instance="api:8000",job="api"}@15000': 1,
    });
  });

  it('counts series added against the last successful scrape after a failure', () => {
    // Prepare
    const target = targetOf();
    const first = scrapeResult(
      target,
      { ok: true, body: 'a 1\n', contentType: '' },
      { startMs: T0, durationMs: 1 },
    );
    const failed = scrapeResult(
      target,
      { ok: false, error: 'timeout' },
      { startMs: T0 + 1, durationMs: 1 },
      first.state,
    );

    // Act
    const back = scrapeResult(
      target,
      { ok: true, body: 'a 1\nb 1\n', contentType: '' },
      { startMs: T0 + 2, durationMs: 1 },
      failed.state,
    );

    // Assess
    expect(flat(back.series)).toMatchObject({
      'scrape_series_added{instance="api:8000",job="api"}@2': 1,
    });
    expect(back.staleMarkers).toBe(0);
  });

  it('fails on malformed exposition with the parser message, writing none of the body', () => {
    // Act
    const result = scrapeResult(
      targetOf(),
      { ok: true, body: 'good 1\nbad{ 2\n', contentType: 'text/plain' },
      { startMs: T0, durationMs: 1 },
    );

    // Assess
    expect(result.error).toMatch(/line 2/);
    expect(Object.keys(flat(result.series))).toEqual([
      'up{instance="api:8000",job="api"}@0',
      'scrape_duration_seconds{instance="api:8000",job="api"}@0',
      'scrape_samples_scraped{instance="api:8000",job="api"}@0',
      'scrape_samples_post_metric_relabeling{instance="api:8000",job="api"}@0',
      'scrape_series_added{instance="api:8000",job="api"}@0',
    ]);
    expect(flat(result.series)['up{instance="api:8000",job="api"}@0']).toBe(0);
  });

  it('fails a scrape over sample_limit', () => {
    // Act
    const limited = scrapeResult(
      targetOf({ sample_limit: 1 }),
      { ok: true, body: 'a 1\nb 2\n', contentType: '' },
      { startMs: T0, durationMs: 1 },
    );

    // Assess
    expect(limited.error).toBe('sample limit exceeded (2 samples, sample_limit 1)');
  });
});

describe('Scrape result: OpenMetrics bodies', () => {
  const OM = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
  const OM_BODY = [
    '# TYPE requests counter',
    '# UNIT requests requests',
    '# HELP requests Requests.',
    'requests_total{code="200"} 5.0 # {trace_id="a1"} 1.0 1764086399.5',
    'requests_created{code="200"} 1.7640864e+09',
    '# TYPE build info',
    'build_info{version="1.2"} 1.0',
    '# TYPE temp gauge',
    'temp 21.5 1764086390.1239',
    '# EOF',
    '',
  ].join('\n');

  it('stores what Prometheus stores: _created as a series, no exemplar, timestamps in seconds', () => {
    // Act
    const result = scrapeResult(
      targetOf(),
      { ok: true, body: OM_BODY, contentType: OM },
      { startMs: T0, durationMs: 1 },
    );

    // Assess
    expect(result.error).toBeUndefined();
    const samples = flat(result.series);
    expect(samples['requests_total{code="200",instance="api:8000",job="api"}@0']).toBe(5);
    expect(samples['build_info{instance="api:8000",job="api",version="1.2"}@0']).toBe(1);
    expect(samples['temp{instance="api:8000",job="api"}@-9877']).toBe(21.5);
    expect(samples['requests_created{code="200",instance="api:8000",job="api"}@0']).toBe(
      1764086400,
    );
    expect(Object.keys(samples).filter((k) => k.includes('trace_id'))).toEqual([]);
    expect(samples['scrape_samples_scraped{instance="api:8000",job="api"}@0']).toBe(4);
  });

  it('fails the scrape without # EOF, as Prometheus does', () => {
    // Act
    const result = scrapeResult(
      targetOf(),
      { ok: true, body: 'temp 1\n', contentType: OM },
      { startMs: T0, durationMs: 1 },
    );

    // Assess
    expect(result.error).toMatch(/data does not end with # EOF/);
    expect(flat(result.series)['up{instance="api:8000",job="api"}@0']).toBe(0);
  });
});

describe('Scrape result: any body', () => {
  it('never throws: an unreadable body is a failed scrape with up 0 and a reason', () => {
    // Prepare
    const target = targetOf();

    // Act + Assess
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }),
        fc.constantFrom('', 'text/plain'),
        (body, type) => {
          const result = scrapeResult(
            target,
            { ok: true, body, contentType: type },
            { startMs: T0, durationMs: 1 },
          );
          const up = result.series.find((s) => s.labels.__name__ === 'up')?.samples[0]?.v;
          expect(up).toBe(result.error === undefined ? 1 : 0);
          if (result.error !== undefined) expect(result.error.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Scrape result: duplicates and dropped names', () => {
  it('keeps the first sample of a series exposed twice at one time', () => {
    // Act
    const result = scrapeResult(
      targetOf(),
      { ok: true, body: 'a 1\na 2\n', contentType: '' },
      { startMs: T0, durationMs: 1 },
    );

    // Assess
    expect(flat(result.series)).toMatchObject({ 'a{instance="api:8000",job="api"}@0': 1 });
  });

  it('fails a scrape whose metric relabelling removes __name__', () => {
    // Act
    const result = scrapeResult(
      targetOf({ metric_relabel_configs: [{ action: 'labeldrop', regex: '__name__' }] }),
      { ok: true, body: 'a 1\n', contentType: '' },
      { startMs: T0, durationMs: 1 },
    );

    // Assess
    expect(result.error).toBe('missing metric name (__name__ label)');
  });
});
