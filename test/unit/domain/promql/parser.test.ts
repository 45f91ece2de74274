import fc from 'fast-check';
import type { BinaryExpr, Expr } from '../../../../lambdas/domain/promql/ast';
import { PromqlParseError } from '../../../../lambdas/domain/promql/errors';
import { parseExpr } from '../../../../lambdas/domain/promql/parser';

const strip = (e: unknown): unknown =>
  JSON.parse(JSON.stringify(e, (k, v) => (k === 'pos' || k === 'matchers' ? undefined : v)));

describe('Function: parseExpr', () => {
  it('binds offset and ranges to the closest selector, not to the binary expression', () => {
    // Prepare
    const query = 'a + b offset 5m';

    // Act
    const e = parseExpr(query) as BinaryExpr;

    // Assess
    expect(e.type).toBe('BinaryExpr');
    expect(e.lhs).toMatchObject({ type: 'VectorSelector', name: 'a', offsetMs: 0 });
    expect(e.rhs).toMatchObject({ type: 'VectorSelector', name: 'b', offsetMs: 300_000 });
  });

  it('gives ^ precedence over unary minus and * over +', () => {
    // Act
    const e = parseExpr('-1 ^ 2 + 3 * 4');

    // Assess
    expect(strip(e)).toEqual({
      type: 'BinaryExpr',
      op: '+',
      returnBool: false,
      lhs: {
        type: 'UnaryExpr',
        op: '-',
        expr: {
          type: 'BinaryExpr',
          op: '^',
          returnBool: false,
          lhs: { type: 'NumberLiteral', value: 1 },
          rhs: { type: 'NumberLiteral', value: 2 },
        },
      },
      rhs: {
        type: 'BinaryExpr',
        op: '*',
        returnBool: false,
        lhs: { type: 'NumberLiteral', value: 3 },
        rhs: { type: 'NumberLiteral', value: 4 },
      },
    });
  });

  it.each([
    ['1h30m', 5400],
    ['0x1F', 31],
    ['1_000', 1000],
    ['1e3', 1000],
    ['.5', 0.5],
  ])('reads the number literal %s', (query, value) => {
    // Act
    const e = parseExpr(query);

    // Assess
    expect(e).toMatchObject({ type: 'NumberLiteral', value });
  });

  it('reads Inf and NaN', () => {
    // Act
    const inf = parseExpr('-Inf') as Extract<Expr, { type: 'NumberLiteral' }>;
    const nan = parseExpr('NaN') as Extract<Expr, { type: 'NumberLiteral' }>;

    // Assess
    expect(inf.value).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(nan.value)).toBe(true);
  });

  it('decodes string escapes and raw strings', () => {
    // Act
    const a = parseExpr('"a\\tb\\u00e9\\x41"');
    const b = parseExpr('`a\\tb`');

    // Assess
    expect(a).toMatchObject({ value: 'a\tbéA' });
    expect(b).toMatchObject({ value: 'a\\tb' });
  });

  it('parses @ start()/end(), negative offsets and subqueries with default step', () => {
    // Act
    const e = parseExpr('max_over_time(rate(x_total[1m])[1h:] offset -5m @ end())');

    // Assess
    expect(e).toMatchObject({
      type: 'Call',
      func: 'max_over_time',
      args: [
        {
          type: 'SubqueryExpr',
          rangeMs: 3_600_000,
          stepMs: 0,
          offsetMs: -300_000,
          at: { kind: 'end' },
        },
      ],
    });
  });

  it('refuses a duration longer than Prometheus can hold (about 292 years), as promtool does', () => {
    // Act
    const longest = parseExpr('x offset 106751d');

    // Assess
    expect(longest).toMatchObject({ type: 'VectorSelector', offsetMs: 106_751 * 86_400_000 });
    expect(() => parseExpr('x offset 106752d')).toThrow('duration out of range');
    expect(() => parseExpr('x[99999999999y]')).toThrow(PromqlParseError);
  });

  it('reads group modifiers and the matching labels', () => {
    // Act
    const e = parseExpr('a / on(job) group_left(team) b');

    // Assess
    expect(e).toMatchObject({
      matching: { card: 'many-to-one', on: true, labels: ['job'], include: ['team'] },
    });
  });

  it('reads aggregation modifiers before or after the body', () => {
    // Act
    const a = parseExpr('sum by (job) (x)');
    const b = parseExpr('sum(x) without (instance)');

    // Assess
    expect(a).toMatchObject({ op: 'sum', grouping: ['job'], without: false });
    expect(b).toMatchObject({ op: 'sum', grouping: ['instance'], without: true });
  });

  it('puts a position on every node', () => {
    // Act
    const e = parseExpr('sum(rate(x_total[5m]))') as Extract<Expr, { type: 'AggregateExpr' }>;

    // Assess
    expect(e.pos).toEqual({ start: 0, end: 22 });
    expect(e.expr.pos).toEqual({ start: 4, end: 21 });
  });

  it.each([
    ['foo +', '1:6: parse error: unexpected end of input'],
    [
      'rate(foo)',
      '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
    ],
    ['{a=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['(foo)[5m]', '1:1: parse error: ranges only allowed for vector selectors'],
    ['1 > 2', '1:1: parse error: comparisons between scalars must use BOOL modifier'],
    ['a + bool b', '1:1: parse error: bool modifier can only be used on comparison operators'],
    ['a and on(x) group_left b', '1:1: parse error: no grouping allowed for "and" operation'],
    ['foo offset 1m offset 2m', '1:15: parse error: offset may not be set multiple times'],
    [
      'sum(foo) offset 1m',
      '1:10: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    ],
    ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
    [
      'topk(foo)',
      '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1',
    ],
    [
      'round(a, 1, 2)',
      '1:15: parse error: expected at most 2 argument(s) in call to "round", got 3',
    ],
    [
      'a\n+ rate(b)',
      '2:8: parse error: expected type range vector in call to function "rate", got instant vector',
    ],
  ])('rejects %j with Prometheus-like message', (query, message) => {
    // Act
    const act = (): Expr => parseExpr(query);

    // Assess
    expect(act).toThrow(PromqlParseError);
    expect(act).toThrow(message);
  });

  it('skips # comments as Prometheus does: before, inside and after an expression', () => {
    // Act
    const plain = strip(parseExpr('rate(x[5m]) + sum by (a, b) (y)'));

    // Assess
    for (const q of [
      '# error ratio\nrate(x[5m]) + sum by (a, b) (y)',
      '# one\n# two\n  rate(x[5m]) + sum by (a, b) (y) # trailing',
      'rate(x[5m]) # lhs\n + # op\n sum by (a, # first\n b) (y)',
    ])
      expect(strip(parseExpr(q))).toEqual(plain);
  });

  it("refuses a query of comments only, and a comment between braces, with promtool's messages", () => {
    // Assess
    expect(() => parseExpr('# just a comment\n\n')).toThrow(
      '1:1: parse error: no expression found in input',
    );
    expect(() => parseExpr('x{a="b", # c\n c="d"}')).toThrow(
      "1:10: parse error: unexpected character inside braces: '#'",
    );
  });

  it('reports line, column and query on the error', () => {
    // Act
    let err: unknown;
    try {
      parseExpr('foo +');
    } catch (e) {
      err = e;
    }

    // Assess
    expect(err).toMatchObject({ name: 'PromqlParseError', line: 1, column: 6, query: 'foo +' });
  });

  it('throws only PromqlParseError on random input', () => {
    // Assess
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (q) => {
        try {
          parseExpr(q);
        } catch (e) {
          if (!(e instanceof PromqlParseError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('throws only PromqlParseError on random PromQL-like token soup', () => {
    // Prepare
    const token = fc.constantFrom(
      'foo',
      '{',
      '}',
      '(',
      ')',
      '[5m]',
      '[1m:]',
      'sum',
      'by',
      'rate',
      '+',
      '-',
      '/',
      'offset',
      '1h',
      '@',
      '1',
      '"a"',
      'a="b"',
      ',',
      'bool',
      'on',
      'group_left',
      'and',
      '^',
      'start()',
      ' ',
    );

    // Assess
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), (parts) => {
        try {
          parseExpr(parts.join(''));
        } catch (e) {
          if (!(e instanceof PromqlParseError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
