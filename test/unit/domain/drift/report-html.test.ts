import type { ReportFeature } from '../../../../lambdas/domain/drift/report';
import {
  driftReportHtml,
  escapeHtml,
  formatNumber,
  MAX_BARS,
  renderDriftHtml,
  verdictText,
} from '../../../../lambdas/domain/drift/report-html';
import { reportAt } from '../../adapters/drift-reports/report-fixture';

const T = Date.parse('2026-11-25T12:00:00Z');

const feature = (over: Partial<ReportFeature>): ReportFeature => ({
  feature: 'age',
  method: 'ks',
  statistic: 0.4123456,
  p_value: 0.000012345,
  threshold: 0.05,
  drift: true,
  n_reference: 200,
  n_current: 150,
  histogram: { edges: [0, 10, 20, 30], reference: [100, 80, 20], current: [10, 40, 100] },
  ...over,
});

const page = (features: ReportFeature[], share = 0.5, datasetDrift = true) =>
  renderDriftHtml({
    title: 'Drift report: faces',
    details: [['Monitor', 'faces']],
    features,
    share_drifted: share,
    dataset_drift: datasetDrift,
    drift_share: 0.5,
  });

/** The `<section class="feature">` of one feature. */
const sectionOf = (html: string, name: string): string => {
  const start = html.indexOf(`<section class="feature" data-feature="${name}">`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
};

describe('Function: renderDriftHtml', () => {
  it('escapes feature names, bin labels and details in text and attributes', () => {
    // Prepare
    const evil = '<img src=x onerror="alert(1)">&\'';
    const html = renderDriftHtml({
      title: `Drift report: ${evil}`,
      details: [[evil, evil]],
      features: [
        feature({
          feature: evil,
          method: 'chisquare',
          histogram: undefined,
          bins: { labels: [evil, 'b'], reference: [50, 50], current: [90, 10] },
        }),
      ],
      share_drifted: 1,
      dataset_drift: true,
      drift_share: 0.5,
    });

    // Assess
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onerror="');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;');
    expect(html).toContain(
      'data-feature="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;"',
    );
    expect(escapeHtml(`a<b>"c"&'d'`)).toBe('a&lt;b&gt;&quot;c&quot;&amp;&#39;d&#39;');
  });

  it('states the dataset verdict and the share of drifted features', () => {
    // Act
    const drifted = page([feature({}), feature({ feature: 'income', drift: false })], 0.5, true);
    const calm = page(
      [feature({ drift: false }), feature({ feature: 'x', drift: false })],
      0,
      false,
    );
    const none = page(
      [feature({ drift: 'insufficient_data', statistic: null, p_value: null })],
      0,
      false,
    );

    // Assess
    expect(drifted).toContain('<p class="dataset-verdict">Dataset drift detected</p>');
    expect(drifted).toContain(
      '1 of 2 features with a verdict drifted (share 50.0%; the dataset drifts at 50.0% or more).',
    );
    expect(calm).toContain('<p class="dataset-verdict">No dataset drift</p>');
    expect(calm).toContain('0 of 2 features with a verdict drifted (share 0.0%;');
    expect(none).toContain('No dataset verdict: no feature had enough values');
  });

  it('shows each feature method, statistic, p-value, threshold and verdict, formatted', () => {
    // Act
    const html = page([
      feature({}),
      feature({
        feature: 'income',
        method: 'wasserstein',
        statistic: 0.0512,
        p_value: null,
        threshold: 0.1,
        drift: false,
      }),
      feature({
        feature: 'segment',
        method: 'chisquare',
        statistic: null,
        p_value: 0,
        drift: true,
        histogram: undefined,
        bins: { labels: ['a', 'new'], reference: [40, 0], current: [30, 10] },
      }),
    ]);

    // Assess
    expect(html).toContain(
      '<tr data-feature="age"><td>age</td><td>ks</td><td class="num">0.4123</td><td class="num">1.23e-5</td><td class="num">0.05</td><td class="verdict drift">Drift detected</td></tr>',
    );
    expect(html).toContain(
      '<tr data-feature="income"><td>income</td><td>wasserstein</td><td class="num">0.0512</td><td class="num">—</td><td class="num">0.1</td><td class="verdict ok">No drift</td></tr>',
    );
    expect(html).toContain('<td class="num">∞</td><td class="num">0</td>');
    const age = sectionOf(html, 'age');
    expect(age).toContain('<dd data-field="Threshold">0.05 (drift when p-value ≤ 0.05)</dd>');
    expect(age).toContain('<dd data-field="Values compared">reference 200, current 150</dd>');
    expect(sectionOf(html, 'income')).toContain('0.1 (drift when statistic ≥ 0.1)');
    expect(sectionOf(html, 'segment')).toContain('0.05 (drift when p-value &lt; 0.05)');
  });

  it('draws a histogram per numeric feature and a bar per category and window, as shares', () => {
    // Act
    const html = page([
      feature({}),
      feature({
        feature: 'segment',
        method: 'chisquare',
        histogram: undefined,
        bins: {
          labels: ['a', 'b', 'c', 'd'],
          reference: [25, 25, 25, 25],
          current: [70, 10, 10, 10],
        },
      }),
    ]);

    // Assess
    const age = sectionOf(html, 'age');
    expect(age.match(/<svg class="chart"/g)).toHaveLength(1);
    expect(age.match(/class="bar bar-reference"/g)).toHaveLength(3);
    expect(age.match(/class="bar bar-current"/g)).toHaveLength(3);
    expect(age).toContain('<title>[0, 10): reference 50.0%, current 6.7%</title>');
    expect(age).toContain('<title>[20, 30]: reference 10.0%, current 66.7%</title>');
    const segment = sectionOf(html, 'segment');
    expect(segment.match(/class="bar bar-reference"/g)).toHaveLength(4);
    expect(segment).toContain('<title>a: reference 25.0%, current 70.0%</title>');
    // The tallest bar (70%) fills the plot: 240 − 56 bottom − 12 top = 172 px.
    expect(segment).toMatch(
      /class="bar bar-current" x="[\d.]+" y="12.00" width="[\d.]+" height="172.00"/,
    );
  });

  it(`draws at most ${MAX_BARS} bars per window, the largest shares, and says how many were left out`, () => {
    // Prepare
    const labels = Array.from({ length: MAX_BARS + 5 }, (_, i) => `c${i}`);
    const counts = labels.map((_, i) => i + 1);

    // Act
    const html = page([
      feature({
        feature: 'city',
        method: 'jensenshannon',
        histogram: undefined,
        bins: { labels, reference: counts, current: counts },
      }),
    ]);

    // Assess
    expect(html.match(/class="bar bar-reference"/g)).toHaveLength(MAX_BARS);
    expect(html).not.toContain('<title>c0: ');
    expect(html).toContain(`<title>c${MAX_BARS + 4}: `);
    expect(html).toContain('5 bins with the smallest shares not drawn.');
  });

  it('loads nothing from elsewhere: no script, stylesheet link, image or font', () => {
    // Act
    const html = driftReportHtml(reportAt('faces', T));

    // Assess
    expect(html).not.toMatch(/<script|<link|<img|@import|@font-face|url\(|src=|href=/i);
    expect(html).toContain('<meta charset="utf-8">');
  });
});

describe('Function: driftReportHtml', () => {
  it('names the monitor, run time, windows and rows of a stored report', () => {
    // Act
    const html = driftReportHtml(reportAt('faces', T));

    // Assess
    expect(html).toContain('<title>Drift report: faces</title>');
    expect(html).toContain('<dt>Run at</dt><dd>2026-11-25T12:00:00.000Z</dd>');
    expect(html).toContain('<dt>Reference window</dt><dd>baseline ref/faces.csv</dd>');
    expect(html).toContain(
      '<dt>Current window</dt><dd>2026-11-25T11:00:00.000Z – 2026-11-25T12:00:00.000Z</dd>',
    );
    expect(html).toContain('<dt>Rows</dt><dd>reference 400, current 380</dd>');
    expect(html).toContain('<dt>Source</dt><dd>prediction events of model faces</dd>');
  });
});

describe('Function: formatNumber and verdictText', () => {
  it.each([
    [null, '—'],
    [0, '0'],
    [0.05, '0.05'],
    [0.41234567, '0.4123'],
    [1234.5678, '1235'],
    [0.00001234, '1.23e-5'],
    [2.5e-300, '2.5e-300'],
    [12_345_678, '1.23e+7'],
    [Number.POSITIVE_INFINITY, '∞'],
  ])('formats %p as %p', (x, text) => {
    expect(formatNumber(x)).toBe(text);
  });

  it('says drift, no drift or insufficient data', () => {
    expect([true, false, 'insufficient_data'].map((d) => verdictText(d as never))).toEqual([
      'Drift detected',
      'No drift',
      'Insufficient data',
    ]);
  });
});
