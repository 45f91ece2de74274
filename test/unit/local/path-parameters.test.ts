import { startTestVigil, type LocalVigil } from '../../helpers/local-vigil';

describe('Feature: malformed percent-encoding in path parameters', () => {
  let vigil: LocalVigil;
  beforeAll(async () => {
    vigil = await startTestVigil();
  });
  afterAll(async () => {
    await vigil.close();
  });

  it.each([
    ['GET', '/api/v1/label/%E0%A4%A/values', 'path parameter "name"', '%E0%A4%A'],
    ['GET', '/api/v1/label/%FF/values', 'path parameter "name"', '%FF'],
    ['GET', '/api/drift/reports/%', 'path parameter "id"', '%'],
    ['POST', '/api/drift/monitors/%/run', 'path parameter "name"', '%'],
    ['GET', '/api/v2/silence/%', 'path parameter "id"', '%'],
    ['DELETE', '/api/v2/silence/%zz', 'path parameter "id"', '%zz'],
    ['PUT', '/metrics/job/%E0', 'value of job', '%E0'],
  ])('answers %s %s with 400 naming the parameter', async (method, path, what, raw) => {
    // Prepare
    const body = method === 'PUT' ? 'x 1\n' : undefined;

    // Act
    const res = await vigil.request(method, path, body);

    // Assess
    expect(res.status).toBe(400);
    const message = res.body.replaceAll('\\"', '"');
    expect(message).toContain(`invalid percent-encoding in ${what}: "${raw}"`);
  });

  it('still decodes well-formed encodings: a label name with %5F is the name with _', async () => {
    // Prepare
    await vigil.request(
      'POST',
      '/ingest/metrics',
      JSON.stringify([{ name: 'm', labels: { a_b: 'x' }, value: 1 }]),
      {
        'content-type': 'application/json',
      },
    );

    // Act
    const res = await vigil.request('GET', '/api/v1/label/a%5Fb/values');

    // Assess
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'success', data: ['x'] });
  });
});
