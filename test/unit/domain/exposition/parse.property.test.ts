import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ExpositionParseError,
  familiesToSeries,
  formatExposition,
  parseExposition,
} from '../../../../lambdas/domain/exposition';

const fixture = (name: string): string =>
  readFileSync(
    fileURLToPath(new URL(`../../../fixtures/exposition/${name}`, import.meta.url)),
    'utf8',
  );

const VALID = [
  fixture('python-prometheus-client.txt'),
  fixture('prom-client.txt'),
  fixture('pushgateway-hand-written.txt'),
];

/** Parses, and lets only ExpositionParseError through; any other throw fails the property. */
const parseOrParseError = (text: string): void => {
  try {
    const families = parseExposition(text);
    familiesToSeries(families, { defaultTimestampMs: 0 });
    expect(parseExposition(formatExposition(families))).toEqual(families);
  } catch (e) {
    if (!(e instanceof ExpositionParseError)) throw e;
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.snippet.length).toBeLessThanOrEqual(200);
  }
};

/** Characters that matter to the grammar, so random input reaches deep states. */
const grammarChar = fc.constantFrom(
  ...'a_:b{}=",\\\n \t#0123456789.eE+-InfNa'.split(''),
  'HELP ',
  'TYPE ',
  'histogram',
  'summary',
  'le',
  'quantile',
  '_bucket',
  '_sum',
  '_count',
  '\r',
  '\uD800',
  'é',
);

const mutation = fc.record({
  source: fc.nat({ max: VALID.length - 1 }),
  at: fc.nat(),
  drop: fc.nat({ max: 8 }),
  insert: fc.string({ unit: grammarChar, maxLength: 8 }),
});

describe('Property: parseExposition throws only ExpositionParseError', () => {
  it('on random strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), parseOrParseError), { numRuns: 500 });
  });

  it('on random strings over the grammar characters', () => {
    fc.assert(fc.property(fc.string({ unit: grammarChar, maxLength: 200 }), parseOrParseError), {
      numRuns: 2000,
    });
  });

  it('on random mutations of real payloads, and round-trips what parses', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let text = VALID[mutations[0]?.source ?? 0] as string;
        for (const m of mutations) {
          const at = m.at % (text.length + 1);
          text = text.slice(0, at) + m.insert + text.slice(at + m.drop);
        }
        parseOrParseError(text);
      }),
      { numRuns: 1000 },
    );
  });
});
