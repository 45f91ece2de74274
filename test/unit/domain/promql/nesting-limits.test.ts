import fc from 'fast-check';
import { evaluateInstant } from '../../../../lambdas/domain/promql';
import { PromqlParseError } from '../../../../lambdas/domain/promql/errors';
import {
  MAX_NESTING_DEPTH,
  MAX_OPERATORS_PER_LEVEL,
  MAX_TREE_DEPTH,
} from '../../../../lambdas/domain/promql/nesting-limits';
import { parseExpr } from '../../../../lambdas/domain/promql/parser';
import { InMemorySeriesStore } from '../../../helpers/in-memory-series-store';

const nested = (fn: string, n: number): string => `${`${fn}(`.repeat(n)}up${')'.repeat(n)}`;
const chain = (terms: number, op = ' + '): string => Array(terms).fill('up').join(op);

const parseError = (query: string): PromqlParseError => {
  try {
    parseExpr(query);
  } catch (e) {
    if (e instanceof PromqlParseError) return e;
    throw e;
  }
  throw new Error(`expected ${query.slice(0, 40)}… to be refused`);
};

describe('Feature: PromQL nesting limits', () => {
  it('parses and evaluates an expression exactly at each limit', async () => {
    // Prepare
    const store = new InMemorySeriesStore();
    await store.write([{ labels: { __name__: 'up', job: 'a' }, samples: [{ t: 0, v: -2 }] }]);
    const atLimits = [
      nested('abs', MAX_NESTING_DEPTH),
      chain(MAX_OPERATORS_PER_LEVEL + 1),
      // three levels of 300 operators and the parentheses between them: 903 ≤ MAX_TREE_DEPTH
      `${chain(MAX_OPERATORS_PER_LEVEL)} + (${chain(MAX_OPERATORS_PER_LEVEL)} + (${chain(MAX_OPERATORS_PER_LEVEL - 2)}))`,
    ];

    // Act
    const results = await Promise.all(atLimits.map((q) => evaluateInstant(store, q, 60_000)));

    // Assess
    expect(results.map((r) => r.value.type)).toEqual(['vector', 'vector', 'vector']);
    const values = results.map((r) =>
      r.value.type === 'vector' ? r.value.samples[0]?.v : undefined,
    );
    expect(values).toEqual([
      2,
      -2 * (MAX_OPERATORS_PER_LEVEL + 1),
      -2 * (3 * MAX_OPERATORS_PER_LEVEL - 2),
    ]);
  });

  it.each([
    [
      'abs( nested 1,000 deep',
      nested('abs', 1000),
      1,
      4 * MAX_NESTING_DEPTH + 4,
      'nested more than 256 levels deep',
    ],
    [
      'abs( nested 50,000 deep',
      nested('abs', 50_000),
      1,
      4 * MAX_NESTING_DEPTH + 4,
      'nested more than 256 levels deep',
    ],
    [
      'parentheses 3,000 deep',
      `${'('.repeat(3000)}up${')'.repeat(3000)}`,
      1,
      257,
      'nested more than 256 levels deep',
    ],
    [
      '2,000 unary minus signs',
      `${'-'.repeat(2000)}up`,
      1,
      257,
      'nested more than 256 levels deep',
    ],
    [
      'a sum of 3,000 terms',
      chain(3000),
      1,
      301 * 5 - 1,
      'more than 300 operators between one pair of parentheses',
    ],
    [
      'a power tower of 3,000',
      Array(3000).fill('2').join('^'),
      1,
      301 * 2,
      'more than 300 operators',
    ],
    [
      'four levels of 300 operators',
      `${chain(300)} + (${chain(300)} + (${chain(300)} + (${chain(300)})))`,
      1,
      undefined,
      `nested more than ${MAX_TREE_DEPTH} levels deep (parentheses and operators)`,
    ],
    [
      'a deep selector on line 3',
      `\n\n  ${nested('sum', 300)}`,
      3,
      2 + 4 * MAX_NESTING_DEPTH + 4,
      'nested more than 256',
    ],
  ])(
    'refuses %s with a parse error at the place it crosses the limit',
    (_, query, line, column, reason) => {
      // Act
      const e = parseError(query);

      // Assess
      expect(e.line).toBe(line);
      if (column !== undefined) expect(e.column).toBe(column);
      expect(e.reason).toContain(reason);
    },
  );

  it('does not count parentheses and operators inside strings, comments, braces or numbers', () => {
    // Prepare
    const text = '('.repeat(400) + '+'.repeat(400);
    const query = `up{job="${text}", path!="${text}"} * 1e-5 + 0x1F - count_values("${text}", up) # ${text}`;

    // Act
    const expr = parseExpr(query);

    // Assess
    expect(expr.type).toBe('BinaryExpr');
  });

  it('only ever throws PromqlParseError for deep or long random expressions (3,000 cases)', () => {
    // Prepare
    const piece = fc.constantFrom(
      'abs(',
      'sum(',
      '(',
      ')',
      '-',
      '+',
      ' + ',
      ' * ',
      ' ^ ',
      ' and ',
      'up',
      '1',
      '[5m]',
      '[5m:1m]',
      ' offset 1m',
      'rate(',
      '{a="b"}',
      ',',
      ' by (a) ',
    );
    const shape = fc.oneof(
      fc.array(piece, { maxLength: 400 }).map((ps) => ps.join('')),
      fc
        .tuple(
          fc.constantFrom('abs(', '(', '-', 'sum(', 'rate('),
          fc.integer({ min: 200, max: 3000 }),
        )
        .map(([open, n]) => `${open.repeat(n)}up${open.endsWith('(') ? ')'.repeat(n) : ''}`),
      fc
        .tuple(
          fc.constantFrom(' + ', ' ^ ', ' or ', ' / on(a) '),
          fc.integer({ min: 200, max: 3000 }),
        )
        .map(([op, n]) => chain(n, op)),
    );
    let accepted = 0;
    let refused = 0;

    // Act
    fc.assert(
      fc.property(shape, (q) => {
        try {
          parseExpr(q);
          accepted++;
        } catch (e) {
          if (!(e instanceof PromqlParseError)) return false;
          refused++;
        }
        return true;
      }),
      { numRuns: 3000, seed: 20261206 },
    );

    // Assess
    expect(accepted + refused).toBe(3000);
    expect(refused).toBeGreaterThan(0);
  });
});
