import { parseExpr } from '../../../../lambdas/domain/promql/parser';

describe('Feature: numbers with a trailing point', () => {
  it.each([
    ['2.', 2],
    ['  7.  ', 7],
  ])('parses %j as the number %d, like Prometheus', (query, value) => {
    // Act
    const expr = parseExpr(query);

    // Assess
    expect(expr).toMatchObject({ type: 'NumberLiteral', value });
  });

  it('parses 1./6. as a division of two numbers', () => {
    // Act
    const expr = parseExpr('1./6.');

    // Assess
    expect(expr).toMatchObject({
      type: 'BinaryExpr',
      op: '/',
      lhs: { type: 'NumberLiteral', value: 1 },
      rhs: { type: 'NumberLiteral', value: 6 },
    });
  });

  it('leaves points inside strings alone', () => {
    // Act
    const expr = parseExpr('foo{a="1."}');

    // Assess
    expect(expr).toMatchObject({
      type: 'VectorSelector',
      matchers: expect.arrayContaining([{ name: 'a', op: '=', value: '1.' }]),
    });
  });

  it('still refuses a point after an identifier, at its position', () => {
    // Act & Assess
    expect(() => parseExpr('metric1.')).toThrow('1:8: parse error: unexpected number "."');
  });
});
