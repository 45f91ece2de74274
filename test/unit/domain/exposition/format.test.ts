import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type ExpositionSeries,
  formatExposition,
  formatFederation,
  type MetricFamily,
  parseExposition,
} from '../../../../lambdas/domain/exposition';
import { STALE_NAN } from '../../../../lambdas/domain/series/sample';

const fixture = (name: string): string =>
  readFileSync(
    fileURLToPath(new URL(`../../../fixtures/exposition/${name}`, import.meta.url)),
    'utf8',
  );

describe('Function: formatExposition', () => {
  it('writes HELP, TYPE, escaped labels, Go-formatted values and timestamps', () => {
    // Prepare
    const families: MetricFamily[] = [
      {
        name: 'gpu_memory_used_bytes',
        type: 'gauge',
        help: 'GPU memory\nusage \\ bytes',
        samples: [
          { name: 'gpu_memory_used_bytes', labels: { device: 'cuda:0' }, value: 8589934592 },
          {
            name: 'gpu_memory_used_bytes',
            labels: { device: 'a"b\\c\nd' },
            value: Number.NaN,
            timestampMs: 1722333000123,
          },
        ],
      },
      {
        name: 'batch_size_distribution',
        type: 'histogram',
        samples: [
          { name: 'batch_size_distribution_bucket', labels: { le: '+Inf' }, value: 7 },
          { name: 'batch_size_distribution_sum', labels: {}, value: -0 },
        ],
      },
    ];

    // Act
    const text = formatExposition(families);

    // Assess
    expect(text).toBe(
      [
        '# HELP gpu_memory_used_bytes GPU memory\\nusage \\\\ bytes',
        '# TYPE gpu_memory_used_bytes gauge',
        'gpu_memory_used_bytes{device="cuda:0"} 8.589934592e+09',
        'gpu_memory_used_bytes{device="a\\"b\\\\c\\nd"} NaN 1722333000123',
        '# TYPE batch_size_distribution histogram',
        'batch_size_distribution_bucket{le="+Inf"} 7',
        'batch_size_distribution_sum 0',
        '',
      ].join('\n'),
    );
  });

  it.each(['python-prometheus-client.txt', 'prom-client.txt', 'pushgateway-hand-written.txt'])(
    'round-trips %s: parse(format(parse(x))) equals parse(x)',
    (name) => {
      // Prepare
      const parsed = parseExposition(fixture(name));

      // Act
      const again = parseExposition(formatExposition(parsed));

      // Assess
      expect(again).toEqual(parsed);
    },
  );
});

describe('Function: formatFederation', () => {
  it('groups by name, sorts by labels, writes # TYPE untyped and timestamps, skips stale markers', () => {
    // Prepare
    const series: ExpositionSeries[] = [
      { labels: { __name__: 'up', job: 'b', instance: 'x' }, value: 0, timestampMs: 2000 },
      { labels: { __name__: 'training_loss', run: 'r1' }, value: 0.0423, timestampMs: 1500 },
      { labels: { job: 'a', __name__: 'up' }, value: 1, timestampMs: 1000 },
      { labels: { __name__: 'up', job: 'c' }, value: STALE_NAN, timestampMs: 3000 },
      { labels: { job: 'nameless' }, value: 1, timestampMs: 3000 },
    ];

    // Act
    const text = formatFederation(series);

    // Assess
    expect(text).toBe(
      [
        '# TYPE training_loss untyped',
        'training_loss{run="r1"} 0.0423 1500',
        '# TYPE up untyped',
        'up{instance="x",job="b"} 0 2000',
        'up{job="a"} 1 1000',
        '',
      ].join('\n'),
    );
  });

  it('is parsed back by parseExposition', () => {
    // Prepare
    const series = [
      { labels: { __name__: 'http_requests_total', method: 'GET' }, value: 1e21, timestampMs: 7 },
    ];

    // Act
    const [family] = parseExposition(formatFederation(series));

    // Assess
    expect(family).toEqual({
      name: 'http_requests_total',
      type: 'untyped',
      samples: [
        { name: 'http_requests_total', labels: { method: 'GET' }, value: 1e21, timestampMs: 7 },
      ],
    });
  });

  it('hands each piece to charge before writing it, with how many series are written', () => {
    // Prepare
    const series: ExpositionSeries[] = [
      { labels: { __name__: 'up', job: 'b' }, value: 0, timestampMs: 2000 },
      { labels: { __name__: 'up', job: 'a' }, value: 1, timestampMs: 1000 },
      { labels: { __name__: 'loss' }, value: 0.5, timestampMs: 1500 },
    ];
    const pieces: [string, number, number][] = [];

    // Act
    const text = formatFederation(series, (piece, written, total) => {
      pieces.push([piece, written, total]);
    });

    // Assess
    expect(pieces).toEqual([
      ['# TYPE loss untyped\n', 0, 3],
      ['loss 0.5 1500\n', 0, 3],
      ['# TYPE up untyped\n', 1, 3],
      ['up{job="a"} 1 1000\n', 1, 3],
      ['up{job="b"} 0 2000\n', 2, 3],
    ]);
    expect(pieces.map(([piece]) => piece).join('')).toBe(text);
  });

  it('stops writing when charge throws', () => {
    // Prepare
    const series: ExpositionSeries[] = Array.from({ length: 1_000 }, (_, i) => ({
      labels: { __name__: 'up', pod: String(i) },
      value: 1,
      timestampMs: 1000,
    }));
    let calls = 0;

    // Act & Assess
    expect(() =>
      formatFederation(series, (_piece, written) => {
        calls++;
        if (written === 10) throw new Error('over budget');
      }),
    ).toThrow('over budget');
    expect(calls).toBe(12);
  });
});
