import { type LocalVigil, startTestVigil } from '../../helpers/local-vigil';

describe('Feature: deeply nested queries', () => {
  let vigil: LocalVigil;
  beforeAll(async () => {
    vigil = await startTestVigil();
  });
  afterAll(async () => {
    await vigil.close();
  });

  it.each([1000, 5000])(
    'answers abs( nested %i deep with 400 naming the nesting limit',
    async (n) => {
      // Prepare
      const query = `${'abs('.repeat(n)}up${')'.repeat(n)}`;

      // Act
      const res = await vigil.request(
        'POST',
        '/api/v1/query',
        new URLSearchParams({ query }).toString(),
        {
          'content-type': 'application/x-www-form-urlencoded',
        },
      );

      // Assess
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({
        status: 'error',
        errorType: 'bad_data',
        error:
          'invalid parameter "query": 1:1028: parse error: expression nested more than 256 levels deep (parentheses, function calls, brackets, braces, unary signs)',
      });
    },
  );
});
