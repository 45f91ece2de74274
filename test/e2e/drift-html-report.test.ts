/**
 * End to end: the HTML report of a real drift monitor run (`npm start`, prediction events for a
 * reference hour and a shifted current hour, `POST /api/drift/monitors/faces/run`), fetched from
 * `GET /api/drift/reports/{id}.html`, saved to a file and opened offline in Debian's chromium
 * (headless, through puppeteer-core): no console error, no request beyond the file, a screenshot,
 * and the verdicts, values and charts read back through the DOM.
 *
 * Chromium runs with `--no-sandbox`: CI runs as root, where chromium's sandbox refuses to start.
 * `VIGIL_CHROMIUM` names another binary; `VIGIL_DRIFT_SCREENSHOT=<file.png>` keeps the screenshot.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import type { DriftReport } from '../../lambdas/domain/drift/report';
import { formatNumber, verdictText } from '../../lambdas/domain/drift/report-html';
import { makeTmpDir, removeDir, startVigil, type VigilProcess } from './helpers/vigil-process';

const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
const HOUR = 3_600_000;

const CONFIG = `logs:
  measures:
    - confidence
    - field: beard
      type: VARCHAR
    - field: age_group
      type: VARCHAR
drift:
  monitors:
    - name: faces
      source:
        events:
          model: face-attributes
          fields: [confidence, beard, age_group]
      reference: {window: 1h, offset: 1h}
      schedule: {every: 1h, window: 1h}
`;

const AGE_GROUPS = ['18-25', '26-40', '41-60', '60+'];

/** One hour of prediction events ending at `endMs`; `shifted` moves confidence and beard only. */
const predictions = (endMs: number, shifted: boolean): string =>
  Array.from({ length: 120 }, (_, i) => ({
    timestamp: new Date(endMs - HOUR + 120_000 + i * 25_000).toISOString(),
    level: 'INFO',
    service: 'inference',
    message: 'prediction',
    event: 'prediction',
    model: 'face-attributes',
    confidence: (shifted ? 0.2 : 0.6) + ((i * 37) % 120) / 300,
    beard: (shifted ? i % 2 === 0 : i % 5 === 0) ? 'yes' : 'no',
    age_group: AGE_GROUPS[i % 4],
  }))
    .map((e) => JSON.stringify(e))
    .join('\n');

/** What the page shows, read through the DOM. */
interface PageText {
  readonly verdict: string;
  readonly share: string;
  readonly rows: Record<string, string[]>;
  readonly charts: Record<
    string,
    { svgs: number; reference: number; current: number; width: number }
  >;
}

/**
 * Runs in the page (as text: the project's TypeScript has no DOM types): the dataset verdict, the
 * table's cells per feature, and per feature section its charts and bars.
 */
const READ_PAGE = `(() => {
  const rows = {};
  for (const tr of document.querySelectorAll('table.features tbody tr')) {
    rows[tr.getAttribute('data-feature')] = [...tr.querySelectorAll('td')].map((td) => td.textContent);
  }
  const charts = {};
  for (const s of document.querySelectorAll('section.feature')) {
    const svg = s.querySelector('svg.chart');
    charts[s.getAttribute('data-feature')] = {
      svgs: s.querySelectorAll('svg.chart').length,
      reference: s.querySelectorAll('svg.chart rect.bar-reference').length,
      current: s.querySelectorAll('svg.chart rect.bar-current').length,
      width: svg ? svg.getBoundingClientRect().width : 0,
    };
  }
  return {
    verdict: document.querySelector('.dataset-verdict')?.textContent ?? '',
    share: document.querySelector('.summary .share')?.textContent ?? '',
    rows,
    charts,
  };
})()`;

describe('HTML drift report in chromium', () => {
  let dir: string;
  let vigil: VigilProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(() => {
    dir = makeTmpDir('drift-html');
    writeFileSync(join(dir, 'vigil.config.yaml'), CONFIG);
    process.env.VIGIL_CONFIG = join(dir, 'vigil.config.yaml');
  });

  afterAll(async () => {
    await browser?.close();
    await vigil?.stop();
    delete process.env.VIGIL_CONFIG;
    removeDir(dir);
  });

  it('shows the verdicts, values and distributions of a shifted data set, offline and without errors', async () => {
    // Prepare
    vigil = await startVigil({ dataDir: join(dir, 'data') });
    const now = Date.now();
    for (const [endMs, shifted] of [
      [now - HOUR - 60_000, false],
      [now - 60_000, true],
    ] as const) {
      const res = await fetch(`${vigil.url}/ingest/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: predictions(endMs, shifted),
      });
      expect(res.status).toBeLessThan(300);
    }
    const run = await fetch(`${vigil.url}/api/drift/monitors/faces/run`, { method: 'POST' });
    const report = ((await run.json()) as { data: DriftReport }).data;
    const res = await fetch(`${vigil.url}/api/drift/reports/${report.id}.html`);
    const file = join(dir, 'report.html');
    writeFileSync(file, await res.text());
    const screenshot = join(dir, 'report.png');

    // Act
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: 'load' });
    await page.screenshot({ path: screenshot, fullPage: true });
    if (process.env.VIGIL_DRIFT_SCREENSHOT)
      copyFileSync(screenshot, process.env.VIGIL_DRIFT_SCREENSHOT);
    const text = (await page.evaluate(READ_PAGE)) as PageText;

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    expect(existsSync(screenshot)).toBe(true);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
    expect(report.dataset_drift).toBe(true);
    expect(text.verdict).toBe('Dataset drift detected');
    expect(text.share).toMatch(/^2 of 3 features with a verdict drifted \(share 66\.7%;/);
    const byName = Object.fromEntries(report.features.map((f) => [f.feature, f]));
    expect(Object.keys(text.rows)).toEqual(['confidence', 'beard', 'age_group']);
    for (const [name, f] of Object.entries(byName)) {
      expect(text.rows[name]).toEqual([
        name,
        f.method,
        formatNumber(f.statistic),
        formatNumber(f.p_value),
        formatNumber(f.threshold),
        verdictText(f.drift),
      ]);
    }
    expect(text.rows.confidence?.slice(1, 3)).toEqual(['ks', '1']);
    expect(text.rows.confidence?.[5]).toBe('Drift detected');
    expect(text.rows.age_group?.[5]).toBe('No drift');
    const bins = byName.confidence?.histogram?.reference.length ?? 0;
    expect(bins).toBeGreaterThan(3);
    expect(text.charts.confidence).toMatchObject({ svgs: 1, reference: bins, current: bins });
    expect(text.charts.beard).toMatchObject({ svgs: 1, reference: 2, current: 2 });
    expect(text.charts.age_group).toMatchObject({ svgs: 1, reference: 4, current: 4 });
    for (const c of Object.values(text.charts)) expect(c.width).toBeGreaterThan(300);
  }, 60_000);
});
