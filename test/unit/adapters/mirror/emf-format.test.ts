import fc from 'fast-check';
import {
  formatEmf,
  MAX_LINE_BYTES,
  MirrorConfigError,
  validateMirrorRules,
} from '../../../../lambdas/adapters/mirror/emf-format';
import type { MirroredSeries } from '../../../../lambdas/domain/ports';
import { STALE_NAN } from '../../../../lambdas/domain/series/sample';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 30);
const MINUTE = Date.UTC(2025, 5, 1, 12, 0, 0);
const RULES = [
  { metric: 'inference_latency_seconds', dimensions: ['model', 'version'] },
  { metric: 'predictions_total', dimensions: ['model', 'version'] },
];
const opts = { namespace: 'Vigil', rules: RULES, nowMs: NOW };

const series = (
  name: string,
  labels: Record<string, string>,
  samples: [number, number][],
): MirroredSeries => ({
  labels: { __name__: name, ...labels },
  samples: samples.map(([t, v]) => ({ t, v })),
});

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;

describe('Function: formatEmf', () => {
  it('writes one EMF document per dimension values and minute, with every metric in it', () => {
    // Prepare
    const input = [
      series('inference_latency_seconds', { model: 'fraud', version: 'v2', pod: 'a' }, [
        [MINUTE + 1_000, 0.12],
        [MINUTE + 20_000, 0.3],
      ]),
      series('inference_latency_seconds', { model: 'fraud', version: 'v2', pod: 'b' }, [
        [MINUTE + 5_000, 0.2],
      ]),
      series('predictions_total', { model: 'fraud', version: 'v2' }, [[MINUTE + 2_000, 42]]),
    ];

    // Act
    const result = formatEmf(input, opts);

    // Assess
    expect(result.lines).toEqual([
      JSON.stringify({
        _aws: {
          Timestamp: MINUTE,
          CloudWatchMetrics: [
            {
              Namespace: 'Vigil',
              Dimensions: [['model', 'version']],
              Metrics: [{ Name: 'inference_latency_seconds' }, { Name: 'predictions_total' }],
            },
          ],
        },
        model: 'fraud',
        version: 'v2',
        inference_latency_seconds: [0.12, 0.3, 0.2],
        predictions_total: 42,
      }),
    ]);
    expect(result.emitted).toBe(4);
    expect(result.skipped).toBe(0);
  });

  it('ignores metrics that are not allow-listed, without counting them as skipped', () => {
    // Prepare
    const input = [series('secret_metric', { model: 'x' }, [[MINUTE, 1]])];

    // Act
    const result = formatEmf(input, opts);

    // Assess
    expect(result).toMatchObject({ lines: [], emitted: 0, skipped: 0 });
  });

  it('keeps only the listed labels and gives a missing one the value "none"', () => {
    // Prepare
    const input = [series('predictions_total', { model: 'fraud', region: 'eu' }, [[MINUTE, 1]])];

    // Act
    const [line] = formatEmf(input, opts).lines;

    // Assess
    const doc = parse(line ?? '{}');
    expect(doc.model).toBe('fraud');
    expect(doc.version).toBe('none');
    expect(doc.region).toBeUndefined();
  });

  it('skips and counts stale markers, NaN, ±Inf, huge values and out-of-window timestamps', () => {
    // Prepare
    // The stale marker goes straight into a sample object: V8 sets the quiet bit of NaNs kept in
    // a double array, which would turn it into an ordinary NaN before the test even starts.
    const stale: MirroredSeries = {
      labels: { __name__: 'predictions_total', model: 'm', version: '1' },
      samples: [{ t: MINUTE, v: STALE_NAN }],
    };
    const input = [
      stale,
      series('predictions_total', { model: 'm', version: '1' }, [
        [MINUTE, Number.NaN],
        [MINUTE, Number.POSITIVE_INFINITY],
        [MINUTE, Number.NEGATIVE_INFINITY],
        [MINUTE, 2 ** 361],
        [NOW - 15 * 24 * 3600_000, 1],
        [NOW + 3 * 3600_000, 1],
        [MINUTE, 7],
      ]),
    ];

    // Act
    const result = formatEmf(input, opts);

    // Assess
    expect(result.emitted).toBe(1);
    expect(result.skipped).toBe(7);
    expect(result.skippedByReason).toEqual({
      stale: 1,
      'non-finite': 3,
      'out-of-range': 1,
      'too-old': 1,
      'too-new': 1,
      'invalid-dimension': 0,
    });
    expect(parse(result.lines[0] ?? '{}').predictions_total).toBe(7);
  });

  it('skips series whose dimension value CloudWatch would reject', () => {
    // Prepare
    const input = [
      series('predictions_total', { model: 'modèle', version: '1' }, [[MINUTE, 1]]),
      series('predictions_total', { model: 'x'.repeat(1025), version: '1' }, [[MINUTE, 1]]),
      series('predictions_total', { model: '   ', version: '1' }, [[MINUTE, 1]]),
    ];

    // Act
    const result = formatEmf(input, opts);

    // Assess
    expect(result.lines).toEqual([]);
    expect(result.skippedByReason['invalid-dimension']).toBe(3);
  });

  it('splits value arrays at 100 values per metric', () => {
    // Prepare
    const samples: [number, number][] = Array.from({ length: 250 }, (_, i) => [MINUTE + i, i]);
    const input = [series('predictions_total', { model: 'm', version: '1' }, samples)];

    // Act
    const result = formatEmf(input, opts);

    // Assess
    const arrays = result.lines.map((l) => parse(l).predictions_total as number[]);
    expect(arrays.map((a) => a.length)).toEqual([100, 100, 50]);
    expect(arrays.flat()).toEqual(samples.map(([, v]) => v));
  });

  it('puts at most 100 metrics in one document', () => {
    // Prepare
    const rules = Array.from({ length: 150 }, (_, i) => ({ metric: `m${i}`, dimensions: [] }));
    const input = rules.map((r) => series(r.metric, {}, [[MINUTE, 1]]));

    // Act
    const result = formatEmf(input, { namespace: 'Vigil', rules, nowMs: NOW });

    // Assess
    const counts = result.lines.map((l) => {
      const aws = parse(l)._aws as { CloudWatchMetrics: { Metrics: unknown[] }[] };
      return aws.CloudWatchMetrics[0]?.Metrics.length;
    });
    expect(counts).toEqual([100, 50]);
    expect(result.emitted).toBe(150);
  });

  it('keeps every line under the log event size limit', () => {
    // Prepare
    const dims = Array.from({ length: 30 }, (_, i) => `d${i}`);
    const labels = Object.fromEntries(dims.map((d) => [d, 'v'.repeat(1024)]));
    const rules = Array.from({ length: 100 }, (_, i) => ({
      metric: `metric_${'x'.repeat(200)}_${i}`,
      dimensions: dims,
    }));
    const samples: [number, number][] = Array.from({ length: 100 }, (_, i) => [
      MINUTE + i,
      -1.2345678901234567e-100 * (i + 1),
    ]);
    const input = rules.map((r) => series(r.metric, labels, samples));

    // Act
    const result = formatEmf(input, { namespace: 'Vigil', rules, nowMs: NOW });

    // Assess
    expect(result.lines.length).toBeGreaterThan(1);
    for (const line of result.lines)
      expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    expect(result.emitted).toBe(100 * 100);
  });

  it('orders documents by minute and writes the minute start as Timestamp', () => {
    // Prepare
    const input = [
      series('predictions_total', { model: 'm', version: '1' }, [
        [MINUTE + 61_000, 2],
        [MINUTE + 1_000, 1],
      ]),
    ];

    // Act
    const result = formatEmf(input, opts);

    // Assess
    const stamps = result.lines.map((l) => (parse(l)._aws as { Timestamp: number }).Timestamp);
    expect(stamps).toEqual([MINUTE, MINUTE + 60_000]);
  });

  it('emits a metric listed under two rules once per rule', () => {
    // Prepare
    const rules = [
      { metric: 'gpu_util', dimensions: ['instance'] },
      { metric: 'gpu_util', dimensions: [] },
    ];
    const input = [series('gpu_util', { instance: 'i-1', gpu: '0' }, [[MINUTE, 80]])];

    // Act
    const result = formatEmf(input, { namespace: 'Vigil', rules, nowMs: NOW });

    // Assess
    const dims = result.lines.map(
      (l) =>
        (parse(l)._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]
          ?.Dimensions,
    );
    expect(dims).toEqual([[['instance']], [[]]]);
  });

  it('never emits a value CloudWatch rejects, whatever the input', () => {
    // Prepare
    const arb = fc.array(
      fc.record({
        model: fc.string(),
        samples: fc.array(
          fc.record({
            t: fc.integer({ min: NOW - 20 * 24 * 3600_000, max: NOW + 5 * 3600_000 }),
            v: fc.double(),
          }),
        ),
      }),
    );

    fc.assert(
      fc.property(arb, (raw) => {
        // Act
        const input = raw.map((r) => ({
          labels: { __name__: 'predictions_total', model: r.model },
          samples: r.samples,
        }));
        const result = formatEmf(input, opts);

        // Assess
        const total = raw.reduce((n, r) => n + r.samples.length, 0);
        expect(result.emitted + result.skipped).toBe(total);
        for (const line of result.lines) {
          const doc = parse(line);
          const v = doc.predictions_total;
          const values = Array.isArray(v) ? v : [v];
          expect(values.length).toBeLessThanOrEqual(100);
          for (const x of values) expect(Number.isFinite(x)).toBe(true);
          expect(typeof doc.model).toBe('string');
        }
      }),
    );
  });
});

describe('Function: validateMirrorRules', () => {
  it.each([
    ['an empty namespace', '', RULES],
    ['a reserved AWS/ namespace', 'AWS/Lambda', RULES],
    [
      'more than 30 dimensions',
      'Vigil',
      [{ metric: 'm', dimensions: Array.from({ length: 31 }, (_, i) => `d${i}`) }],
    ],
    ['a repeated dimension', 'Vigil', [{ metric: 'm', dimensions: ['a', 'a'] }]],
    ['a dimension named like the metric', 'Vigil', [{ metric: 'm', dimensions: ['m'] }]],
    ['a metric named _aws', 'Vigil', [{ metric: '_aws', dimensions: [] }]],
    ['a metric name over 255 characters', 'Vigil', [{ metric: 'm'.repeat(256), dimensions: [] }]],
  ])('refuses %s', (_title, namespace, rules) => {
    // Act & Assess
    expect(() => validateMirrorRules(namespace, rules)).toThrow(MirrorConfigError);
  });

  it('accepts 30 dimensions', () => {
    // Prepare
    const rules = [{ metric: 'm', dimensions: Array.from({ length: 30 }, (_, i) => `d${i}`) }];

    // Act & Assess
    expect(() => validateMirrorRules('Vigil', rules)).not.toThrow();
  });
});
