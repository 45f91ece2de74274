/**
 * The HTML drift report: one self-contained page (inline CSS and SVG; no script, font, image or
 * link to fetch), readable offline, as a file or an e-mail attachment. The dataset verdict and the
 * share of drifted features first, a table of every feature's method, statistic, p-value,
 * threshold and verdict, then per feature its reference and current distributions drawn as bars
 * of shares: histograms for numeric features, bars per category otherwise. Pure: data in, text out.
 */
import type { DriftReport, ReportFeature, ReportWindow } from './report';
import { P_VALUE_METHODS } from './types';
import type { DriftMethod } from './types';

/** What a page shows: a monitor run's report, or the comparison `vigil drift` made. */
interface DriftHtmlInput {
  readonly title: string;
  /** Label and value rows under the title (monitor, run time, windows, files). */
  readonly details: readonly (readonly [string, string])[];
  readonly features: readonly ReportFeature[];
  readonly share_drifted: number;
  readonly dataset_drift: boolean;
  /** The share of drifted features at which the dataset drifts. */
  readonly drift_share: number;
}

/** Bars of one chart at most; beyond, the bins with the smallest shares are left out (and counted). */
const MAX_BARS = 60;
const CHART_WIDTH = 720;
const CHART_HEIGHT = 240;
const PLOT = { left: 52, right: 12, top: 12, bottom: 56 } as const;
const REFERENCE_COLOUR = '#4c78a8';
const CURRENT_COLOUR = '#e45756';

/** Text or attribute value with `& < > " '` escaped. */
const escapeHtml = (text: string): string =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

/** 4 significant digits, exponent notation outside [1e-4, 1e6); `—` for null. */
const formatNumber = (x: number | null): string => {
  if (x === null) return '—';
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : Number.isNaN(x) ? 'NaN' : '−∞';
  const abs = Math.abs(x);
  if (abs >= 1e-4 && abs < 1e6) {
    const fixed = x.toPrecision(4);
    return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
  }
  return x.toExponential(2).replace(/\.?0+e/, 'e');
};

/** A share as a percentage with one decimal: `66.7%`. */
const formatPercent = (share: number): string => `${(share * 100).toFixed(1)}%`;

/** A feature's verdict as the page says it. */
const verdictText = (drift: ReportFeature['drift']): string =>
  drift === 'insufficient_data' ? 'Insufficient data' : drift ? 'Drift detected' : 'No drift';

const verdictClass = (drift: ReportFeature['drift']): string =>
  drift === 'insufficient_data' ? 'none' : drift ? 'drift' : 'ok';

/** The statistic as shown: a χ² of +∞ is stored as null beside a verdict. */
const statisticText = (f: ReportFeature): string =>
  f.statistic === null && f.drift !== 'insufficient_data' ? '∞' : formatNumber(f.statistic);

/** When a feature drifts: `p-value ≤ 0.05` (ks), `p-value < 0.05`, or `statistic ≥ 0.1`. */
const criterionText = (f: ReportFeature): string => {
  const t = formatNumber(f.threshold);
  if (f.method === 'ks') return `p-value ≤ ${t}`;
  if (P_VALUE_METHODS.includes(f.method as DriftMethod)) return `p-value < ${t}`;
  return `statistic ≥ ${t}`;
};

interface Bar {
  readonly label: string;
  readonly reference: number;
  readonly current: number;
}

/** A feature's bins as bars of shares, with the x-axis kind. */
const barsOf = (f: ReportFeature): { bars: Bar[]; edges?: readonly number[] } | undefined => {
  const counts = f.bins ?? f.histogram;
  if (!counts || counts.reference.length === 0) return undefined;
  const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const refTotal = total(counts.reference) || 1;
  const curTotal = total(counts.current) || 1;
  const labels = f.bins
    ? f.bins.labels
    : (f.histogram as NonNullable<ReportFeature['histogram']>).edges.slice(0, -1).map((e, i, a) => {
        const hi = f.histogram?.edges[i + 1] as number;
        return `[${formatNumber(e)}, ${formatNumber(hi)}${i === a.length - 1 ? ']' : ')'}`;
      });
  const bars = counts.reference.map((r, i) => ({
    label: labels[i] ?? String(i),
    reference: r / refTotal,
    current: (counts.current[i] ?? 0) / curTotal,
  }));
  return f.bins ? { bars } : { bars, edges: f.histogram?.edges ?? [] };
};

/** The largest {@link MAX_BARS} bars by share, in their order. */
const keepLargest = (bars: readonly Bar[]): Bar[] => {
  if (bars.length <= MAX_BARS) return [...bars];
  const kept = new Set(
    bars
      .map((b, i) => ({ i, share: Math.max(b.reference, b.current) }))
      .sort((a, b) => b.share - a.share || a.i - b.i)
      .slice(0, MAX_BARS)
      .map((x) => x.i),
  );
  return bars.filter((_, i) => kept.has(i));
};

const shorten = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** One feature's chart: reference and current shares side by side per bin. */
const chartSvg = (f: ReportFeature): string => {
  const data = barsOf(f);
  if (!data) {
    return f.drift === 'insufficient_data'
      ? '<p class="no-chart">Fewer values than the minimum sample size: nothing compared, nothing drawn.</p>'
      : '<p class="no-chart">No distributions to draw for this feature.</p>';
  }
  const bars = keepLargest(data.bars);
  const left = data.bars.length - bars.length;
  const plotW = CHART_WIDTH - PLOT.left - PLOT.right;
  const plotH = CHART_HEIGHT - PLOT.top - PLOT.bottom;
  const maxShare = Math.max(...bars.flatMap((b) => [b.reference, b.current]), 1e-12);
  const slot = plotW / bars.length;
  const barW = Math.max(1, (slot * (data.edges ? 0.96 : 0.8)) / 2);
  const y = (share: number) => PLOT.top + plotH - (share / maxShare) * plotH;
  const n = (x: number) => x.toFixed(2);
  const parts: string[] = [];
  for (const g of [0, 0.5, 1]) {
    const gy = y(maxShare * g);
    parts.push(
      `<line class="grid" x1="${PLOT.left}" x2="${PLOT.left + plotW}" y1="${n(gy)}" y2="${n(gy)}" stroke="#ddd"/>`,
      `<text x="${PLOT.left - 6}" y="${n(gy + 4)}" text-anchor="end" font-size="11" fill="#555">${formatPercent(maxShare * g)}</text>`,
    );
  }
  bars.forEach((b, i) => {
    const x0 = PLOT.left + i * slot + (slot - 2 * barW) / 2;
    const tip = escapeHtml(
      `${b.label}: reference ${formatPercent(b.reference)}, current ${formatPercent(b.current)}`,
    );
    for (const [k, share, colour, x] of [
      ['reference', b.reference, REFERENCE_COLOUR, x0],
      ['current', b.current, CURRENT_COLOUR, x0 + barW],
    ] as const) {
      const top = y(share);
      parts.push(
        `<rect class="bar bar-${k}" x="${n(x)}" y="${n(top)}" width="${n(barW)}" height="${n(PLOT.top + plotH - top)}" fill="${colour}"><title>${tip}</title></rect>`,
      );
    }
  });
  const axisY = PLOT.top + plotH;
  parts.push(
    `<line x1="${PLOT.left}" x2="${PLOT.left + plotW}" y1="${axisY}" y2="${axisY}" stroke="#333"/>`,
  );
  if (data.edges && left === 0) {
    const edges = data.edges;
    const step = Math.max(1, Math.ceil((edges.length - 1) / 8));
    for (let i = 0; i < edges.length; i += step) {
      const ex = PLOT.left + i * slot;
      parts.push(
        `<text x="${n(ex)}" y="${axisY + 16}" text-anchor="middle" font-size="11" fill="#333">${escapeHtml(formatNumber(edges[i] as number))}</text>`,
      );
    }
  } else {
    const step = Math.max(1, Math.ceil(bars.length / 16));
    bars.forEach((b, i) => {
      if (i % step !== 0) return;
      const cx = PLOT.left + i * slot + slot / 2;
      parts.push(
        `<text x="${n(cx)}" y="${axisY + 14}" text-anchor="end" font-size="11" fill="#333" transform="rotate(-30 ${n(cx)} ${axisY + 14})">${escapeHtml(shorten(b.label, 18))}</text>`,
      );
    });
  }
  const kind = data.edges ? 'Histogram' : 'Shares per bin';
  const label = escapeHtml(`${kind} of ${f.feature}: reference and current`);
  const svg = `<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${label}" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}">${parts.join('')}</svg>`;
  const note =
    left > 0
      ? `<p class="note">${left} bin${left === 1 ? '' : 's'} with the smallest shares not drawn.</p>`
      : '';
  return `${svg}${note}`;
};

const LEGEND = `<p class="legend"><span class="swatch" style="background:${REFERENCE_COLOUR}"></span>reference <span class="swatch" style="background:${CURRENT_COLOUR}"></span>current</p>`;

const featureRow = (f: ReportFeature): string =>
  `<tr data-feature="${escapeHtml(f.feature)}"><td>${escapeHtml(f.feature)}</td><td>${escapeHtml(f.method)}</td><td class="num">${statisticText(f)}</td><td class="num">${formatNumber(f.p_value)}</td><td class="num">${formatNumber(f.threshold)}</td><td class="verdict ${verdictClass(f.drift)}">${verdictText(f.drift)}</td></tr>`;

const featureSection = (f: ReportFeature): string => {
  const facts: [string, string][] = [
    ['Method', f.method],
    ['Statistic', statisticText(f)],
    ['p-value', formatNumber(f.p_value)],
    ['Threshold', `${formatNumber(f.threshold)} (drift when ${criterionText(f)})`],
    ['Values compared', `reference ${f.n_reference}, current ${f.n_current}`],
  ];
  return [
    `<section class="feature" data-feature="${escapeHtml(f.feature)}">`,
    `<h2>${escapeHtml(f.feature)} <span class="verdict ${verdictClass(f.drift)}">${verdictText(f.drift)}</span></h2>`,
    `<dl>${facts.map(([k, v]) => `<dt>${k}</dt><dd data-field="${k}">${escapeHtml(v)}</dd>`).join('')}</dl>`,
    chartSvg(f),
    '</section>',
  ].join('\n');
};

const STYLE = `
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#222;margin:24px;max-width:800px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:17px;margin:0 0 8px}
.summary{padding:12px 16px;border-radius:6px;margin:0 0 16px}
.summary.drift{background:#fdecea;border:1px solid #e45756}.summary.ok{background:#e8f5e9;border:1px solid #59a14f}
.summary.none{background:#f3f3f3;border:1px solid #bbb}
.dataset-verdict{font-size:18px;font-weight:bold;margin:0 0 4px}.summary p{margin:0}
table{border-collapse:collapse;margin:0 0 20px;font-size:14px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict.drift{color:#b3261e;font-weight:bold}.verdict.ok{color:#2e7d32}.verdict.none{color:#666}
.details{overflow:hidden;margin:0 0 16px}.details dt{float:left;clear:left;width:150px;color:#555}.details dd{margin:0 0 4px 160px}
.feature{border-top:1px solid #ccc;padding:12px 0 4px}
.feature dl{display:grid;grid-template-columns:150px auto;gap:2px 8px;font-size:14px;margin:0 0 8px}
.feature dt{color:#555}.feature dd{margin:0}
.legend{font-size:13px}.swatch{display:inline-block;width:12px;height:12px;margin:0 4px 0 8px;vertical-align:-1px}
.note,.no-chart{font-size:13px;color:#555}
`;

/**
 * The page of a drift comparison.
 * @example renderDriftHtml({ title: 'Drift report', details: [], features, share_drifted: 0.5, dataset_drift: true, drift_share: 0.5 })
 */
const renderDriftHtml = (input: DriftHtmlInput): string => {
  const judged = input.features.filter((f) => f.drift !== 'insufficient_data').length;
  const drifted = input.features.filter((f) => f.drift === true).length;
  const cls = judged === 0 ? 'none' : input.dataset_drift ? 'drift' : 'ok';
  const verdict =
    judged === 0
      ? 'No dataset verdict: no feature had enough values'
      : input.dataset_drift
        ? 'Dataset drift detected'
        : 'No dataset drift';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(input.title)}</h1>`,
    `<div class="summary ${cls}"><p class="dataset-verdict">${verdict}</p>`,
    `<p class="share">${drifted} of ${judged} features with a verdict drifted (share ${formatPercent(input.share_drifted)}; the dataset drifts at ${formatPercent(input.drift_share)} or more).</p></div>`,
    input.details.length > 0
      ? `<dl class="details">${input.details.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`
      : '',
    '<table class="features"><thead><tr><th>Feature</th><th>Method</th><th>Statistic</th><th>p-value</th><th>Threshold</th><th>Verdict</th></tr></thead><tbody>',
    ...input.features.map(featureRow),
    '</tbody></table>',
    LEGEND,
    ...input.features.map(featureSection),
    '</body></html>',
    '',
  ].join('\n');
};

const windowText = (w: ReportWindow): string =>
  'baseline' in w ? `baseline ${w.baseline}` : `${w.start} – ${w.end}`;

const sourceText = (source: DriftReport['source']): string => {
  const events = source.events as { model?: string; model_version?: string } | undefined;
  if (events) {
    return `prediction events of model ${events.model ?? ''}${events.model_version ? ` version ${events.model_version}` : ''}`;
  }
  const histogram = source.histogram as { metric?: string; matchers?: string } | undefined;
  return histogram ? `histogram ${histogram.metric ?? ''}${histogram.matchers ?? ''}` : '';
};

/** The page of a drift monitor's stored report. */
const driftReportHtml = (report: DriftReport): string =>
  renderDriftHtml({
    title: `Drift report: ${report.monitor}`,
    details: [
      ['Monitor', report.monitor],
      ['Run at', report.runAt],
      ['Report id', report.id],
      ['Source', sourceText(report.source)],
      ['Method', report.method],
      ['Reference window', windowText(report.windows.reference)],
      ['Current window', windowText(report.windows.current)],
      ['Rows', `reference ${report.rows.reference}, current ${report.rows.current}`],
      ['Minimum sample size', String(report.min_sample_size)],
    ],
    features: report.features,
    share_drifted: report.share_drifted,
    dataset_drift: report.dataset_drift,
    drift_share: report.drift_share,
  });

export type { DriftHtmlInput };
export { driftReportHtml, escapeHtml, formatNumber, MAX_BARS, renderDriftHtml, verdictText };
