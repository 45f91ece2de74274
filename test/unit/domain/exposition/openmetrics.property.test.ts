import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  ExpositionParseError,
  familiesToSeries,
  parseOpenMetrics,
} from '../../../../lambdas/domain/exposition';
import { validateScrapeConfig } from '../../../../lambdas/domain/scrape/scrape-config';
import { scrapeResult } from '../../../../lambdas/domain/scrape/scrape-result';
import { targetsOfJob } from '../../../../lambdas/domain/scrape/scrape-target';

const VALID = readFileSync(
  fileURLToPath(
    new URL(
      '../../../fixtures/exposition/python-prometheus-client.openmetrics.txt',
      import.meta.url,
    ),
  ),
  'utf8',
);

/** Parses, and lets only ExpositionParseError through; any other throw fails the property. */
const parseOrParseError = (text: string): void => {
  try {
    const series = familiesToSeries(parseOpenMetrics(text), { defaultTimestampMs: 0 });
    for (const s of series) expect(Number.isInteger(s.timestampMs)).toBe(true);
  } catch (e) {
    if (!(e instanceof ExpositionParseError)) throw e;
    expect(e.line).toBeGreaterThanOrEqual(1);
  }
};

const grammarChar = fc.constantFrom(
  ...'a_:b{}=",\\\n #0123456789.eE+-InfNa'.split(''),
  '# EOF\n',
  '# TYPE ',
  '# UNIT ',
  ' # {trace_id="x"} 1 ',
  'counter',
  'histogram',
  'gaugehistogram',
  'info',
  'stateset',
  '_total',
  '_created',
  '_bucket',
  '_gcount',
  'le',
  'quantile',
);

const mutation = fc.record({
  at: fc.nat(),
  drop: fc.nat({ max: 8 }),
  insert: fc.string({ unit: grammarChar, maxLength: 6 }),
});

const mutate = (mutations: readonly { at: number; drop: number; insert: string }[]): string => {
  let text = VALID;
  for (const m of mutations) {
    const at = m.at % (text.length + 1);
    text = text.slice(0, at) + m.insert + text.slice(at + m.drop);
  }
  return text;
};

describe('Property: parseOpenMetrics throws only ExpositionParseError', () => {
  it('on random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), parseOrParseError), { numRuns: 500 });
  });

  it('on random strings over the grammar', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: grammarChar, maxLength: 120 }).map((s) => `${s}\n# EOF\n`),
        parseOrParseError,
      ),
      { numRuns: 2000 },
    );
  });

  it('on random mutations of a prometheus_client OpenMetrics body', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (m) =>
        parseOrParseError(mutate(m)),
      ),
      { numRuns: 2000 },
    );
  });
});

describe('Property: an OpenMetrics scrape never throws', () => {
  const { config } = validateScrapeConfig(
    [{ job_name: 'api', static_configs: [{ targets: ['api:8000'] }] }],
    undefined,
  );
  const [target] = targetsOfJob(config.jobs[0] as (typeof config.jobs)[number]);

  it('is up 1 with samples, or up 0 with a reason', () => {
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 3 }), (m) => {
        const result = scrapeResult(
          target as NonNullable<typeof target>,
          { ok: true, body: mutate(m), contentType: 'application/openmetrics-text; version=1.0.0' },
          { startMs: 1_764_086_400_000, durationMs: 1 },
        );
        const up = result.series.find((s) => s.labels.__name__ === 'up')?.samples[0]?.v;
        expect(up).toBe(result.error === undefined ? 1 : 0);
      }),
      { numRuns: 1000 },
    );
  });
});
