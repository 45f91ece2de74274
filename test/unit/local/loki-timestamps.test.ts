import { type LocalVigil, startTestVigil } from '../../helpers/local-vigil';

describe('Feature: Loki pushes with a timestamp beyond the range of dates', () => {
  let vigil: LocalVigil;
  beforeAll(async () => {
    vigil = await startTestVigil();
  });
  afterAll(async () => {
    await vigil.close();
  });

  it('rejects that entry with its index and reason and stores the valid entries of the push', async () => {
    // Prepare
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const body = JSON.stringify({
      streams: [
        {
          stream: { service: 'loki-range' },
          values: [
            [`${nowNs}`, 'first'],
            ['8640000000000001000000', 'beyond'],
            [`${nowNs + 1_000_000n}`, 'second'],
          ],
        },
      ],
    });

    // Act
    const res = await vigil.request('POST', '/loki/api/v1/push', body, {
      'content-type': 'application/json',
    });
    const logs = await vigil.request('GET', '/api/v1/query?query=vigil_log_events_total');

    // Assess
    expect(res.status).toBe(400);
    expect(res.body).toContain('stream 0 entry 1: timestamp 8640000000000001 ms since the epoch');
    expect(res.body).not.toContain('entry 0:');
    const result = JSON.parse(logs.body).data.result as {
      metric: Record<string, string>;
      value: [number, string];
    }[];
    expect(result.find((r) => r.metric.service === 'loki-range')?.value[1]).toBe('2');
  });
});
