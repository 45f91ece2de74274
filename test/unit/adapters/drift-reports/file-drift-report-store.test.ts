import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDriftReportStore } from '../../../../lambdas/adapters/drift-reports/file-drift-report-store';
import { DriftReportIdError } from '../../../../lambdas/domain/drift/report';
import { reportAt, withPage } from './report-fixture';

const T = Date.parse('2026-11-25T12:00:00Z');

describe('Class: FileDriftReportStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-drift-reports-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores reports and lists them newest first, per monitor and across monitors', async () => {
    // Prepare
    const store = new FileDriftReportStore({ directory: dir });
    await store.put(...withPage(reportAt('faces', T - 2 * 3_600_000)));
    await store.put(...withPage(reportAt('faces', T)));
    await store.put(...withPage(reportAt('latency', T - 3_600_000, false)));

    // Act
    const faces = await store.list({ monitor: 'faces', limit: 20 });
    const all = await store.list({ limit: 2 });
    const none = await store.list({ monitor: 'unknown', limit: 20 });

    // Assess
    expect(faces.map((s) => s.id)).toEqual([
      'faces.20261125T120000.000Z',
      'faces.20261125T100000.000Z',
    ]);
    expect(all.map((s) => s.id)).toEqual([
      'faces.20261125T120000.000Z',
      'latency.20261125T110000.000Z',
    ]);
    expect(none).toEqual([]);
  });

  it('gets a stored report back as it was put, and undefined for an unknown id', async () => {
    // Prepare
    const store = new FileDriftReportStore({ directory: dir });
    const report = reportAt('faces', T);
    await store.put(...withPage(report));

    // Act
    const found = await new FileDriftReportStore({ directory: dir }).get(report.id);
    const missing = await store.get('faces.20261125T110000.000Z');

    // Assess
    expect(found).toEqual(report);
    expect(missing).toBeUndefined();
  });

  it('stores the page beside the report and gets it back by id', async () => {
    // Prepare
    const store = new FileDriftReportStore({ directory: dir });
    const report = reportAt('faces', T);
    await store.put(report, '<!DOCTYPE html><h1>faces</h1>');

    // Act
    const page = await store.getHtml(report.id);
    const missing = await store.getHtml('faces.20261125T110000.000Z');

    // Assess
    expect(page).toBe('<!DOCTYPE html><h1>faces</h1>');
    expect(missing).toBeUndefined();
    expect(readdirSync(join(dir, 'reports', 'faces')).sort()).toEqual([
      `${9_999_999_999_999 - T}.html`,
      `${9_999_999_999_999 - T}.json`,
    ]);
  });

  it('replaces a report put again under the same id (a retried run)', async () => {
    // Prepare
    const store = new FileDriftReportStore({ directory: dir });
    await store.put(...withPage(reportAt('faces', T, true)));

    // Act
    await store.put(...withPage(reportAt('faces', T, false)));

    // Assess
    expect((await store.get('faces.20261125T120000.000Z'))?.dataset_drift).toBe(false);
    expect(await store.list({ limit: 10 })).toHaveLength(1);
    expect(readdirSync(join(dir, 'reports', 'faces'))).toHaveLength(2);
  });

  it('refuses ids that are not <monitor>.<time>', async () => {
    // Prepare
    const store = new FileDriftReportStore({ directory: dir });

    // Act
    const get = store.get('../faces.20261125T120000.000Z');

    // Assess
    await expect(get).rejects.toBeInstanceOf(DriftReportIdError);
  });
});
