import fc from 'fast-check';
import { BadRequestError } from '../../../../lambdas/domain/errors';
import { parseJsonSamples } from '../../../../lambdas/domain/ingest/json-samples';

const NOW = 1_764_086_400_000;

const errorOf = (body: string): BadRequestError => {
  try {
    parseJsonSamples(body, NOW);
  } catch (e) {
    return e as BadRequestError;
  }
  throw new Error('expected a BadRequestError');
};

describe('Function: parseJsonSamples', () => {
  it('parses a single sample with labels and timestamp', () => {
    // Act
    const out = parseJsonSamples(
      '{"name":"ml_model_accuracy","labels":{"model_version":"v3"},"value":0.93,"timestamp":1764086300000}',
      NOW,
    );

    // Assess
    expect(out).toEqual([
      {
        labels: [
          ['__name__', 'ml_model_accuracy'],
          ['model_version', 'v3'],
        ],
        samples: [{ t: 1_764_086_300_000, v: 0.93 }],
      },
    ]);
  });

  it('stamps a sample without timestamp with the time of receipt', () => {
    // Act
    const [s] = parseJsonSamples('{"name":"up","value":1}', NOW);

    // Assess
    expect(s?.samples).toEqual([{ t: NOW, v: 1 }]);
  });

  it('parses a {"samples": [...]} batch and a bare array alike', () => {
    // Prepare
    const items = '[{"name":"a","value":1},{"name":"b","value":2}]';

    // Act
    const batch = parseJsonSamples(`{"samples":${items}}`, NOW);
    const bare = parseJsonSamples(items, NOW);

    // Assess
    expect(batch).toEqual(bare);
    expect(batch.map((s) => s.samples[0]?.v)).toEqual([1, 2]);
  });

  it.each([
    ['"NaN"', Number.NaN],
    ['"+Inf"', Number.POSITIVE_INFINITY],
    ['"-Inf"', Number.NEGATIVE_INFINITY],
  ])('reads the value %s as a float', (raw, expected) => {
    // Act
    const [s] = parseJsonSamples(`{"name":"x","value":${raw}}`, NOW);

    // Assess
    expect(s?.samples[0]?.v).toBe(expected);
  });

  it('names the path of each problem in a batch', () => {
    // Act
    const e = errorOf(
      JSON.stringify({
        samples: [
          { name: 'a', value: 1 },
          { name: 'b', value: 2 },
          { name: 'c', value: 3 },
          { name: 'd', value: 'high' },
          { name: '', value: 1, timestamp: 1.5 },
        ],
      }),
    );

    // Assess
    expect(e).toBeInstanceOf(BadRequestError);
    expect(e.details).toEqual([
      'samples[3].value: must be a number or "NaN", "+Inf", "-Inf", got "high"',
      'samples[4].name: must be a non-empty string',
      'samples[4].timestamp: must be integer milliseconds since the epoch, got 1.5',
    ]);
    expect(e.message).toContain('samples[3].value');
  });

  it('uses [i] paths for a bare array and (body) for a single sample', () => {
    // Act & Assess
    expect(errorOf('[{"name":"a","value":1},{"value":1}]').details).toEqual([
      '[1].name: must be a non-empty string',
    ]);
    expect(errorOf('{"name":"a"}').details).toEqual([
      '(body).value: must be a number or "NaN", "+Inf", "-Inf", got undefined',
    ]);
  });

  it('refuses unknown fields, non-string label values and __name__ in labels', () => {
    // Act
    const e = errorOf('{"name":"a","value":1,"unit":"s","labels":{"model":3,"__name__":"b"}}');

    // Assess
    expect(e.details).toEqual([
      '(body).unit: unknown field (expected name, labels, value, timestamp)',
      '(body).labels.model: must be a string, got 3',
      '(body).labels.__name__: give the metric name in "name"',
    ]);
  });

  it('refuses invalid JSON and a non-array samples field', () => {
    // Act & Assess
    expect(errorOf('{"name":').message).toMatch(/^invalid JSON: /);
    expect(errorOf('{"samples":{}}').message).toBe('samples: must be an array');
    expect(errorOf('{"samples":[],"extra":1}').message).toBe(
      'extra: unknown field (a batch is {"samples": [...]})',
    );
  });

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])(
    'refuses the string value %j (not an Object.prototype member)',
    (raw) => {
      // Act
      const e = errorOf(JSON.stringify({ name: 'a', value: raw }));

      // Assess
      expect(e.details).toEqual([
        `(body).value: must be a number or "NaN", "+Inf", "-Inf", got ${JSON.stringify(raw)}`,
      ]);
    },
  );

  it('counts the problems it does not list', () => {
    // Prepare
    const body = JSON.stringify(Array.from({ length: 25 }, () => ({ name: 'a', value: 'x' })));

    // Act
    const e = errorOf(body);

    // Assess
    expect(e.details).toHaveLength(25);
    expect(e.message).toMatch(/ \(and 5 more\)$/);
  });

  it('throws only BadRequestError, and only numbers come out, for any JSON input', () => {
    // Act & Assess
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (body) => {
        try {
          const out = parseJsonSamples(body, NOW);
          for (const s of out) for (const x of s.samples) expect(typeof x.v).toBe('number');
        } catch (e) {
          expect(e).toBeInstanceOf(BadRequestError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
