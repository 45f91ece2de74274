import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { makeScrapeTargetsHandler } from '../../../lambdas/api/scrape-targets';
import type { AlertStateStore } from '../../../lambdas/domain/ports';
import { validateScrapeConfig } from '../../../lambdas/domain/scrape/scrape-config';
import { targetStateKey } from '../../../lambdas/domain/scrape/scrape-run';
import { targetsOfJob } from '../../../lambdas/domain/scrape/scrape-target';
import { loadScrapeJobsFromEnv, parseScrapeJobs } from '../../../lambdas/wiring/aws-scrape-deps';
import { lambdaContext } from '../../helpers/api-gateway-event';

const context = lambdaContext();

const event = (query: Record<string, string> | null): APIGatewayProxyEvent => ({
  resource: '/api/v1/targets',
  path: '/api/v1/targets',
  httpMethod: 'GET',
  headers: {},
  multiValueHeaders: {},
  queryStringParameters: query,
  multiValueQueryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  body: null,
  isBase64Encoded: false,
  requestContext: {} as APIGatewayProxyEvent['requestContext'],
});

const { config } = validateScrapeConfig(
  [
    {
      job_name: 'node',
      static_configs: [{ targets: ['a:9100', 'b:9100'] }],
      relabel_configs: [{ source_labels: ['__address__'], regex: 'b:.*', action: 'drop' }],
    },
    { job_name: 'api', static_configs: [{ targets: ['api:8000'] }] },
  ],
  undefined,
);

const stateWith = (docs: Record<string, unknown>): AlertStateStore => ({
  load: async (key) => (key in docs ? { state: docs[key], version: 1 } : undefined),
  save: async () => true,
});

describe('API: GET /api/v1/targets', () => {
  const [nodeJob] = config.jobs;
  const [nodeTarget] = nodeJob ? targetsOfJob(nodeJob) : [];
  if (!nodeTarget) throw new Error('no target');
  const handler = makeScrapeTargetsHandler({
    jobs: config.jobs,
    state: stateWith({
      [targetStateKey(nodeTarget)]: {
        lastScrapeMs: 1_764_086_400_250,
        lastScrapeDurationMs: 12,
        health: 'down',
        lastError: 'server returned HTTP status 500 Internal Server Error',
        series: [],
      },
    }),
  });

  it("lists active targets with their state in Prometheus's shape, and the dropped ones", async () => {
    // Act
    const res = (await handler(event(null), context)) as APIGatewayProxyResult;

    // Assess
    expect(res.statusCode).toBe(200);
    const { data } = JSON.parse(res.body);
    expect(data.activeTargets).toEqual([
      {
        discoveredLabels: {
          __address__: 'a:9100',
          __metrics_path__: '/metrics',
          __scheme__: 'http',
          __scrape_interval__: '1m',
          __scrape_timeout__: '10s',
          job: 'node',
        },
        labels: { instance: 'a:9100', job: 'node' },
        scrapePool: 'node',
        scrapeUrl: 'http://a:9100/metrics',
        globalUrl: 'http://a:9100/metrics',
        lastError: 'server returned HTTP status 500 Internal Server Error',
        lastScrape: '2025-11-25T16:00:00.25Z',
        lastScrapeDuration: 0.012,
        health: 'down',
        scrapeInterval: '1m',
        scrapeTimeout: '10s',
      },
      expect.objectContaining({
        scrapePool: 'api',
        health: 'unknown',
        lastScrape: '0001-01-01T00:00:00Z',
      }),
    ]);
    expect(data.droppedTargets).toEqual([
      { discoveredLabels: expect.objectContaining({ __address__: 'b:9100' }), scrapePool: 'node' },
    ]);
    expect(data.droppedTargetCounts).toEqual({ node: 1, api: 0 });
  });

  it('filters by state and scrapePool, and refuses an unknown state', async () => {
    // Act
    const dropped = (await handler(event({ state: 'dropped' }), context)) as APIGatewayProxyResult;
    const api = (await handler(event({ scrapePool: 'api' }), context)) as APIGatewayProxyResult;
    const bad = (await handler(event({ state: 'all' }), context)) as APIGatewayProxyResult;

    // Assess
    expect(JSON.parse(dropped.body).data.activeTargets).toEqual([]);
    expect(
      JSON.parse(api.body).data.activeTargets.map((t: { scrapePool: string }) => t.scrapePool),
    ).toEqual(['api']);
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({
      status: 'error',
      errorType: 'bad_data',
      error: expect.stringContaining('invalid state "all"'),
    });
  });
});

describe('AWS deps: VIGIL_SCRAPE_JOBS', () => {
  afterEach(() => {
    delete process.env.VIGIL_SCRAPE_JOBS;
  });

  it('loads the jobs file named by VIGIL_SCRAPE_JOBS, relative to the bundle', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-jobs-'));
    writeFileSync(join(dir, 'scrape-jobs.json'), JSON.stringify(config.jobs));
    process.env.VIGIL_SCRAPE_JOBS = 'scrape-jobs.json';

    // Act
    const jobs = loadScrapeJobsFromEnv(dir);

    // Assess
    expect(jobs.map((j) => j.jobName)).toEqual(['node', 'api']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the jobs the construct wrote, and refuses what is not a JSON list', () => {
    // Act
    const jobs = parseScrapeJobs(JSON.stringify(config.jobs));

    // Assess
    expect(jobs).toEqual(config.jobs);
    expect(() => parseScrapeJobs('{')).toThrow(
      'the scrape jobs file (VIGIL_SCRAPE_JOBS) is not JSON',
    );
    expect(() => parseScrapeJobs('{}')).toThrow(
      'the scrape jobs file (VIGIL_SCRAPE_JOBS) must be a JSON list of jobs',
    );
  });
});
