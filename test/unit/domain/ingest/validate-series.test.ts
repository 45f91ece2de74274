import { DEFAULT_LIMITS } from '../../../../lambdas/domain/config/defaults';
import {
  countSamples,
  describeSeries,
  validateSeries,
  type ValidationContext,
} from '../../../../lambdas/domain/ingest/validate-series';
import {
  decodeWriteRequest,
  encodeWriteRequest,
  RemoteWriteLabelCache,
  snappyCompress,
} from '../../../../lambdas/domain/remote-write';
import { isStaleNaN, STALE_NAN } from '../../../../lambdas/domain/series/sample';

const NOW = 1_764_086_400_000;
const DAY_MS = 86_400_000;
const ctx: ValidationContext = {
  limits: DEFAULT_LIMITS,
  nowMs: NOW,
  maxSampleAgeMs: 30 * DAY_MS,
};

const reasonFor = (labels: Record<string, string> | [string, string][], t = NOW): string => {
  const { accepted, rejected } = validateSeries([{ labels, samples: [{ t, v: 1 }] }], ctx);
  expect(accepted).toEqual([]);
  expect(rejected).toHaveLength(1);
  return rejected[0]?.reason ?? '';
};

describe('Function: validateSeries', () => {
  it('accepts a valid series and normalizes its labels', () => {
    // Act
    const { accepted, rejected } = validateSeries(
      [
        {
          labels: [
            ['job', 'train'],
            ['__name__', 'loss'],
            ['env', ''],
          ],
          samples: [{ t: NOW, v: 0.25 }],
        },
      ],
      ctx,
    );

    // Assess
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([
      { labels: { __name__: 'loss', job: 'train' }, samples: [{ t: NOW, v: 0.25 }] },
    ]);
    expect(Object.keys(accepted[0]?.labels ?? {})).toEqual(['__name__', 'job']);
  });

  it('keeps NaN, ±Inf and staleness markers as valid values', () => {
    // Act
    const { accepted, rejected } = validateSeries(
      [
        {
          labels: { __name__: 'x' },
          samples: [
            { t: NOW - 3, v: Number.NaN },
            { t: NOW - 2, v: Number.POSITIVE_INFINITY },
            { t: NOW - 1, v: Number.NEGATIVE_INFINITY },
            { t: NOW, v: STALE_NAN },
          ],
        },
      ],
      ctx,
    );

    // Assess
    expect(rejected).toEqual([]);
    const vs = accepted[0]?.samples.map((s) => s.v) ?? [];
    expect(vs.slice(0, 3)).toEqual([
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(isStaleNaN(vs[3] as number)).toBe(true);
  });

  it.each([
    [{ __name__: '1up' }, 'invalid metric name "1up" in series 1up{}'],
    [{ __name__: 'a-b' }, 'invalid metric name "a-b"'],
    [{ __name__: 'up', __tenant: 'x' }, 'label name "__tenant" is reserved (starts with "__")'],
    [{ __name__: 'up', 'bad-name': 'x' }, 'invalid label name "bad-name"'],
    [{ job: 'x' }, 'missing metric name (__name__)'],
    [{ __name__: '', job: 'x' }, 'missing metric name (__name__)'],
  ])('rejects %j with a reason', (labels, expected) => {
    // Act & Assess
    expect(reasonFor(labels)).toContain(expected);
  });

  it('rejects duplicate label names', () => {
    // Act & Assess
    expect(
      reasonFor([
        ['__name__', 'up'],
        ['job', 'a'],
        ['job', 'b'],
      ]),
    ).toMatch(/^duplicate label name "job" in series up\{job="b"\}$/);
  });

  it('rejects more labels than maxLabelsPerSeries, the metric name included', () => {
    // Prepare
    const labels: Record<string, string> = { __name__: 'wide' };
    for (let i = 0; i < 63; i++) labels[`l${i}`] = 'v';
    const tooMany = { ...labels, l63: 'v' };

    // Act
    const ok = validateSeries([{ labels, samples: [{ t: NOW, v: 1 }] }], ctx);

    // Assess
    expect(ok.rejected).toEqual([]);
    expect(reasonFor(tooMany)).toMatch(
      /^65 labels, more than the limit of 64 \(metric name included\)/,
    );
  });

  it('does not count empty-valued labels against the limit', () => {
    // Prepare
    const labels: Record<string, string> = { __name__: 'wide' };
    for (let i = 0; i < 100; i++) labels[`l${i}`] = i < 63 ? 'v' : '';

    // Act & Assess
    expect(validateSeries([{ labels, samples: [{ t: NOW, v: 1 }] }], ctx).rejected).toEqual([]);
  });

  it('measures name and value limits in UTF-8 bytes', () => {
    // Prepare: 'é' is 2 bytes, '€' 3 bytes, '😀' 4 bytes (2 UTF-16 units).
    const atLimit = { __name__: 'm', model: 'é'.repeat(1024) };
    const overByOne = { __name__: 'm', model: `${'é'.repeat(1023)}€` };
    const emoji = { __name__: 'm', model: '😀'.repeat(512) };
    const emojiOver = { __name__: 'm', model: `${'😀'.repeat(512)}a` };

    // Act & Assess
    expect(
      validateSeries([{ labels: atLimit, samples: [{ t: NOW, v: 1 }] }], ctx).rejected,
    ).toEqual([]);
    expect(reasonFor(overByOne)).toMatch(/^value of label "model" longer than 2048 bytes/);
    expect(validateSeries([{ labels: emoji, samples: [{ t: NOW, v: 1 }] }], ctx).rejected).toEqual(
      [],
    );
    expect(reasonFor(emojiOver)).toMatch(/^value of label "model" longer than 2048 bytes/);
  });

  it('enforces label name and metric name byte limits', () => {
    // Prepare
    const longName = `l${'a'.repeat(60)}`;
    const longMetric = `m${'a'.repeat(256)}`;

    // Act & Assess
    expect(reasonFor({ __name__: 'm', [longName]: 'v' })).toMatch(
      /^label name "la+" longer than 60 bytes/,
    );
    expect(reasonFor({ __name__: longMetric })).toMatch(/^metric name longer than 256 bytes/);
    expect(
      validateSeries(
        [
          {
            labels: { __name__: 'a'.repeat(256), [`l${'a'.repeat(59)}`]: 'v' },
            samples: [{ t: NOW, v: 1 }],
          },
        ],
        ctx,
      ).rejected,
    ).toEqual([]);
  });

  it('rejects a timestamp more than maxFutureMs ahead, and accepts one exactly at the limit', () => {
    // Act
    const { accepted, rejected } = validateSeries(
      [
        {
          labels: { __name__: 'up' },
          samples: [
            { t: NOW + 900_000, v: 1 },
            { t: NOW + 900_001, v: 2 },
          ],
        },
      ],
      ctx,
    );

    // Assess
    expect(accepted[0]?.samples).toEqual([{ t: NOW + 900_000, v: 1 }]);
    expect(rejected.map((r) => r.reason)).toEqual([
      `timestamp ${NOW + 900_001} is more than 900s in the future in series up{}`,
    ]);
  });

  it('rejects a sample older than the retention, keeping the newer ones of the series', () => {
    // Act
    const { accepted, rejected } = validateSeries(
      [
        {
          labels: { __name__: 'up' },
          samples: [
            { t: NOW - 30 * DAY_MS - 1, v: 1 },
            { t: NOW - 30 * DAY_MS, v: 2 },
          ],
        },
      ],
      ctx,
    );

    // Assess
    expect(accepted[0]?.samples).toEqual([{ t: NOW - 30 * DAY_MS, v: 2 }]);
    expect(rejected[0]?.reason).toBe(
      `timestamp ${NOW - 30 * DAY_MS - 1} is older than the store's retention (30d) in series up{}`,
    );
  });

  it('rejects a non-integer timestamp', () => {
    // Act & Assess
    expect(reasonFor({ __name__: 'up' }, NOW + 0.5)).toMatch(
      /is not an integer number of ms|milliseconds/,
    );
  });

  it('rejects every sample of a series with bad labels, each with the same reason', () => {
    // Act
    const { rejected } = validateSeries(
      [
        {
          labels: { __name__: 'up', __x: '1' },
          samples: [
            { t: NOW - 1, v: 1 },
            { t: NOW, v: 2 },
          ],
        },
      ],
      ctx,
    );

    // Assess
    expect(rejected.map((r) => r.sample.v)).toEqual([1, 2]);
    expect(new Set(rejected.map((r) => r.reason)).size).toBe(1);
  });
});

describe('Function: countSamples', () => {
  it('adds up samples across series', () => {
    // Act & Assess
    expect(countSamples([{ samples: [1, 2] }, { samples: [] }, { samples: [3] }])).toBe(3);
  });
});

describe('Function: describeSeries', () => {
  it('renders name{labels} with quoted values', () => {
    // Act & Assess
    expect(describeSeries({ __name__: 'up', job: 'a"b' })).toBe('up{job="a\\"b"}');
  });

  describe('labels a remote_write label cache hands out again', () => {
    const decodeTwice = (t: number) => {
      const cache = new RemoteWriteLabelCache();
      const body = snappyCompress(
        encodeWriteRequest([
          { labels: { __name__: 'up', job: 'inference-api' }, samples: [{ t, v: 1 }] },
        ]),
      );
      const opts = { maxDecompressedBytes: 1 << 20, labelCache: cache };
      decodeWriteRequest(body, opts);
      return decodeWriteRequest(body, opts).series;
    };

    it('are checked again under other limits', () => {
      // Prepare
      const series = decodeTwice(NOW);
      validateSeries(series, ctx);
      const strict = { ...ctx, limits: { ...DEFAULT_LIMITS, maxLabelValueBytes: 4 } };

      // Act
      const { accepted, rejected } = validateSeries(series, strict);

      // Assess
      expect(accepted).toEqual([]);
      expect(rejected[0]?.reason).toBe(
        'value of label "job" longer than 4 bytes in series up{job="inference-api"}',
      );
    });

    it('still have each sample checked once their labels are known valid', () => {
      // Prepare
      const series = decodeTwice(NOW + 3_600_000);
      validateSeries(series, ctx);

      // Act
      const { accepted, rejected } = validateSeries(series, ctx);

      // Assess
      expect(accepted).toEqual([]);
      expect(rejected[0]?.reason).toBe(
        `timestamp ${NOW + 3_600_000} is more than ${DEFAULT_LIMITS.maxFutureMs / 1000}s in the future in series up{job="inference-api"}`,
      );
    });
  });
});
