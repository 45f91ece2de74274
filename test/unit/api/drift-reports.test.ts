import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { FileDriftReportStore } from '../../../lambdas/adapters/drift-reports/file-drift-report-store';
import {
  type DriftReportsApiDeps,
  makeDriftReportsHandler,
} from '../../../lambdas/api/drift-reports';
import { reportId } from '../../../lambdas/domain/drift/report';
import { driftReportHtml } from '../../../lambdas/domain/drift/report-html';
import { reportAt, withPage } from '../adapters/drift-reports/report-fixture';
import { lambdaContext } from '../../helpers/api-gateway-event';

const NOW = Date.parse('2026-11-25T12:30:00Z');
const T = Date.parse('2026-11-25T12:00:00Z');

const context = lambdaContext();

const event = (
  method: string,
  path: string,
  query: Record<string, string> | null = null,
): APIGatewayProxyEvent => ({
  resource: path,
  path,
  httpMethod: method,
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

describe('Feature: drift reports API', () => {
  let dir: string;
  let deps: DriftReportsApiDeps;
  const runs: { name: string; runAtMs: number }[] = [];
  let call: (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-drift-api-'));
    const reports = new FileDriftReportStore({ directory: dir });
    await reports.put(...withPage(reportAt('faces', T - 3_600_000, false)));
    await reports.put(...withPage(reportAt('faces', T)));
    await reports.put(...withPage(reportAt('latency', T - 1000, false)));
    runs.length = 0;
    deps = {
      reports,
      monitors: ['faces', 'latency'],
      clock: { now: () => NOW },
      runMonitor: async (name, runAtMs) => {
        runs.push({ name, runAtMs });
        return { status: 'accepted', id: reportId(name, runAtMs) };
      },
    };
    const handler = makeDriftReportsHandler(deps);
    call = (e) => handler(e, context);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists reports newest first, with verdicts and without bins', async () => {
    // Act
    const res = await call(event('GET', '/api/drift/reports'));

    // Assess
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.data.reports.map((r: { id: string }) => r.id)).toEqual([
      'faces.20261125T120000.000Z',
      'latency.20261125T115959.000Z',
      'faces.20261125T110000.000Z',
    ]);
    expect(body.data.reports[0]).toEqual({
      id: 'faces.20261125T120000.000Z',
      monitor: 'faces',
      runAt: '2026-11-25T12:00:00.000Z',
      dataset_drift: true,
      share_drifted: 1,
      features: [{ feature: 'beard', method: 'z', statistic: 4.2, p_value: 0.00002, drift: true }],
    });
  });

  it('filters by monitor and limits the count', async () => {
    // Act
    const res = await call(event('GET', '/api/drift/reports', { monitor: 'faces', limit: '1' }));

    // Assess
    expect(JSON.parse(res.body).data.reports.map((r: { id: string }) => r.id)).toEqual([
      'faces.20261125T120000.000Z',
    ]);
  });

  it('refuses a bad limit or monitor with 400 naming the parameter', async () => {
    // Act
    const limit = await call(event('GET', '/api/drift/reports', { limit: '500' }));
    const monitor = await call(event('GET', '/api/drift/reports', { monitor: 'a/b' }));

    // Assess
    expect(limit.statusCode).toBe(400);
    expect(JSON.parse(limit.body).error).toBe(
      'invalid parameter "limit": must be an integer from 1 to 100, got "500"',
    );
    expect(monitor.statusCode).toBe(400);
    expect(JSON.parse(monitor.body).error).toMatch(/^invalid parameter "monitor"/);
  });

  it('serves one report with its bins, 404 for an unknown id and 400 for a malformed one', async () => {
    // Act
    const found = await call(event('GET', '/api/drift/reports/faces.20261125T120000.000Z'));
    const missing = await call(event('GET', '/api/drift/reports/faces.20261125T120001.000Z'));
    const malformed = await call(event('GET', '/api/drift/reports/faces'));

    // Assess
    expect(found.statusCode).toBe(200);
    expect(JSON.parse(found.body).data).toEqual(reportAt('faces', T));
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({
      status: 'error',
      errorType: 'not_found',
      error: 'drift report faces.20261125T120001.000Z not found',
    });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body).error).toMatch(/^invalid drift report id "faces"/);
  });

  it('serves a report page as text/html, 404 for an unknown id and 400 for a malformed one', async () => {
    // Act
    const found = await call(event('GET', '/api/drift/reports/faces.20261125T120000.000Z.html'));
    const missing = await call(event('GET', '/api/drift/reports/faces.20261125T120001.000Z.html'));
    const malformed = await call(event('GET', '/api/drift/reports/..%2Ffaces.html'));

    // Assess
    expect(found.statusCode).toBe(200);
    expect(found.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
    expect(found.body).toBe(driftReportHtml(reportAt('faces', T)));
    expect(found.body).toContain('Dataset drift detected');
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).error).toBe(
      'drift report faces.20261125T120001.000Z not found',
    );
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body).error).toMatch(/^invalid drift report id "\.\.\/faces"/);
  });

  it('renders the page from the JSON report when the report was stored without one', async () => {
    // Prepare
    const report = reportAt('faces', T + 60_000, false);
    writeFileSync(
      join(dir, 'reports', 'faces', `${9_999_999_999_999 - report.runAtMs}.json`),
      JSON.stringify(report),
    );

    // Act
    const res = await call(event('GET', `/api/drift/reports/${report.id}.html`));

    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(driftReportHtml(report));
    expect(res.body).toContain('No dataset drift');
  });

  it('starts a run of a configured monitor now, and 404s an unknown monitor', async () => {
    // Act
    const started = await call(event('POST', '/api/drift/monitors/latency/run'));
    const unknown = await call(event('POST', '/api/drift/monitors/nope/run'));

    // Assess
    expect(started.statusCode).toBe(202);
    expect(JSON.parse(started.body)).toEqual({
      status: 'success',
      data: { id: 'latency.20261125T123000.000Z' },
    });
    expect(runs).toEqual([{ name: 'latency', runAtMs: NOW }]);
    expect(unknown.statusCode).toBe(404);
  });
});
