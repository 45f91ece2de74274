import { MemorySeriesStore } from '../../../../lambdas/adapters/storage/memory-series-store';
import { evaluateInstant } from '../../../../lambdas/domain/promql/evaluator';
import {
  exprFromJSON,
  exprToJSON,
  parsedExprLookup,
} from '../../../../lambdas/domain/promql/expr-json';
import { parseExpr } from '../../../../lambdas/domain/promql/parser';

const QUERIES = [
  'sum by (job) (rate(http_requests_total{status=~"5..", job!="x"}[5m])) > 0.1',
  'NaN != bool -Inf + +Inf * -0 - 1e308',
  'label_replace(up offset -1h @ end(), "host", "$1", "instance", "(.*):.*")',
  'quantile_over_time(0.5, x[1h:30s] @ 1700000000) atan2 predict_linear(y[5m], 3600)',
  'topk(3, count_values("v", build_info)) * on (job) group_left (version) vector(1)',
];

describe('Function: exprToJSON / exprFromJSON', () => {
  it.each(QUERIES)('reads back the parsed expression of %s, special numbers included', (q) => {
    // Prepare
    const expr = parseExpr(q);

    // Act
    const back = exprFromJSON(JSON.parse(JSON.stringify(exprToJSON(expr))));

    // Assess
    expect(back).toEqual(expr);
  });

  it('keeps NaN, both infinities and negative zero, which JSON cannot write', () => {
    // Act
    const negativeZero = exprFromJSON(
      JSON.parse(
        JSON.stringify(exprToJSON({ type: 'NumberLiteral', value: -0, pos: { start: 0, end: 2 } })),
      ),
    );
    const values = ['NaN', '+Inf', '-Inf'].map((n) => {
      const e = exprFromJSON(JSON.parse(JSON.stringify(exprToJSON(parseExpr(n)))));
      return e.type === 'NumberLiteral' ? e.value : undefined;
    });

    // Assess
    expect(values).toEqual([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(negativeZero.type === 'NumberLiteral' && Object.is(negativeZero.value, -0)).toBe(true);
  });
});

describe('Function: parsedExprLookup', () => {
  it('gives the expressions written ahead and nothing for any other text', () => {
    // Prepare
    const lookup = parsedExprLookup({ 'up == 0': exprToJSON(parseExpr('up == 0')) });

    // Assess
    expect(lookup('up == 0')).toEqual(parseExpr('up == 0'));
    expect(lookup('up == 1')).toBeUndefined();
    expect(lookup('toString')).toBeUndefined();
    expect(parsedExprLookup(undefined)('up')).toBeUndefined();
  });

  it('is what the evaluator runs for a query parsed ahead', async () => {
    // Prepare
    const store = new MemorySeriesStore();
    await store.write([{ labels: { __name__: 'up', job: 'a' }, samples: [{ t: 1000, v: 1 }] }]);
    // The lookup answers a different expression than the text says: the result shows which ran.
    const lookup = parsedExprLookup({ 'up == 1': exprToJSON(parseExpr('up * 7')) });

    // Act
    const ahead = await evaluateInstant(store, 'up == 1', 1000, { parsed: lookup });
    const parsed = await evaluateInstant(store, 'up == 1', 1000);

    // Assess
    expect(ahead.value).toEqual({
      type: 'vector',
      samples: [{ labels: { job: 'a' }, t: 1000, v: 7 }],
    });
    expect(parsed.value).toEqual({
      type: 'vector',
      samples: [{ labels: { __name__: 'up', job: 'a' }, t: 1000, v: 1 }],
    });
  });
});
