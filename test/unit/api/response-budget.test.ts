import fc from 'fast-check';
import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  jsonStringBytes,
  ResponseBudget,
  ResponseHint,
} from '../../../lambdas/api/response-budget';
import { prometheusListSuccess } from '../../../lambdas/api/responses';
import { ResponseTooLargeError } from '../../../lambdas/domain/errors';

/** Bytes of `text` inside a JSON document, the way the Lambda runtime serializes a response. */
const escapedBytes = (text: string): number => Buffer.byteLength(JSON.stringify(text)) - 2;

describe('Function: jsonStringBytes', () => {
  it.each([
    ['plain ASCII', 'up', 2],
    ['a quote', 'a"b', 4],
    ['a backslash', 'a\\b', 4],
    ['a newline', 'line\n', 6],
    ['a control character', '\u0001', 6],
    ['DEL', '\u007f', 1],
    ['two-byte UTF-8', 'é', 2],
    ['three-byte UTF-8', '€', 3],
    ['a surrogate pair', '😀', 4],
    ['a lone surrogate', '\ud800x', 7],
    ['HTML-escaped text', '\\u003c', 7],
  ])('counts %s as JSON.stringify writes it', (_what, text, bytes) => {
    // Act
    const n = jsonStringBytes(text);

    // Assess
    expect(n).toBe(bytes);
    expect(n).toBe(escapedBytes(text));
  });

  it('agrees with JSON.stringify for any string, lone surrogates included', () => {
    // Assess
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(jsonStringBytes(text)).toBe(escapedBytes(text));
      }),
    );
  });
});

describe('Class: ResponseBudget', () => {
  it('accepts pieces up to the limit exactly', () => {
    // Prepare
    const budget = new ResponseBudget(10, ResponseHint.Series);

    // Act
    budget.add('{"a":1}');
    budget.add('x');

    // Assess
    expect(budget.usedBytes).toBe(10);
  });

  it('throws ResponseTooLargeError one byte past the limit, naming the limit, the progress and the remedy', () => {
    // Prepare
    const budget = new ResponseBudget(10, ResponseHint.QueryRange);
    budget.progress(3, 40, 'series');
    budget.add('0123456789');

    // Act
    let error: unknown;
    try {
      budget.add('x');
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).limitBytes).toBe(10);
    expect((error as Error).message).toBe(
      'response larger than the limit of 10 bytes (limits.maxResponseBytes) after 3 of 40 series: narrow the selector, aggregate (sum by, topk), query a shorter range or use a larger step',
    );
  });
});

describe('Function: prometheusListSuccess', () => {
  it('writes the same body as JSON.stringify of the success envelope', () => {
    // Prepare
    const data = [
      { __name__: 'up', job: 'a"b', instance: 'x<y>&z' },
      { __name__: 'up', job: 'é\n€' },
    ];

    // Act
    const res = prometheusListSuccess(
      data,
      new ResponseBudget(10_000, ResponseHint.Series),
      'series',
    );

    // Assess
    expect(res).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'success', data }),
    });
  });

  it("keeps a response at the largest accepted limit within Lambda's 6,000,000-byte payload", () => {
    // Prepare: label values full of quotes, the costliest characters to carry.
    const limit = 5_990_000;
    const item = '"'.repeat(998);
    const count = Math.floor(limit / escapedBytes(JSON.stringify(item)));
    const items = Array.from({ length: count }, () => item);

    // Act
    const res: APIGatewayProxyResult = prometheusListSuccess(
      items,
      new ResponseBudget(limit, ResponseHint.Labels),
      'label values',
    );

    // Assess
    expect(escapedBytes(res.body)).toBeLessThanOrEqual(limit);
    expect(escapedBytes(res.body)).toBeGreaterThan(limit - 4_000);
    expect(Buffer.byteLength(JSON.stringify(res))).toBeLessThanOrEqual(6_000_000);
  });

  it('stops at the item that passes the limit, without encoding the rest', () => {
    // Prepare: 100,000 items of 14 bytes (`"v000000012"`, its quotes escaped), limit 1,200 bytes.
    const items = Array.from({ length: 100_000 }, (_, i) => `v${String(i).padStart(9, '0')}`);
    const budget = new ResponseBudget(1_200, ResponseHint.Labels);

    // Act & Assess: envelope 34 bytes + 14 + 76 × 15 (with the comma) = 1,188; the 78th passes.
    expect(() => prometheusListSuccess(items, budget, 'label values')).toThrow(
      'after 77 of 100000 label values',
    );
    expect(budget.usedBytes).toBe(1_188 + 15);
  });
});
