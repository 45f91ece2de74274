import { jest } from '@jest/globals';
import { MirrorConfigError } from '../../../../lambdas/adapters/mirror/emf-format';
import { EmfMetricsMirror } from '../../../../lambdas/adapters/mirror/emf-metrics-mirror';
import { NoopMetricsMirror } from '../../../../lambdas/adapters/mirror/noop-metrics-mirror';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 30);
const MINUTE = Date.UTC(2025, 5, 1, 12, 0, 0);
const clock = { now: () => NOW };
const config = {
  namespace: 'Vigil',
  mirror: [{ metric: 'predictions_total', dimensions: ['model'] }],
};

describe('Class: EmfMetricsMirror', () => {
  describe('Method: mirror', () => {
    it('writes each EMF document through the injected writer', async () => {
      // Prepare
      const lines: string[] = [];
      const mirror = new EmfMetricsMirror({ config, clock, write: (l) => lines.push(l) });

      // Act
      const result = mirror.mirrorWithReport([
        {
          labels: { __name__: 'predictions_total', model: 'fraud' },
          samples: [
            { t: MINUTE, v: 3 },
            { t: MINUTE + 1, v: Number.NaN },
          ],
        },
      ]);

      // Assess
      expect(lines).toEqual([
        '{"_aws":{"Timestamp":1748779200000,"CloudWatchMetrics":[{"Namespace":"Vigil","Dimensions":[["model"]],"Metrics":[{"Name":"predictions_total"}]}]},"model":"fraud","predictions_total":3}',
      ]);
      expect(result).toMatchObject({ emitted: 1, skipped: 1 });
    });

    it('resolves with nothing, as the port says', async () => {
      // Prepare
      const mirror = new EmfMetricsMirror({ config, clock, write: () => undefined });

      // Act & Assess
      await expect(mirror.mirror([])).resolves.toBeUndefined();
    });

    it('writes to stdout, one line per document, by default', async () => {
      // Prepare
      const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const mirror = new EmfMetricsMirror({ config, clock });

      // Act
      await mirror.mirror([
        { labels: { __name__: 'predictions_total', model: 'a' }, samples: [{ t: MINUTE, v: 1 }] },
      ]);

      // Assess
      expect(spy).toHaveBeenCalledTimes(1);
      const written = String(spy.mock.calls[0]?.[0]);
      expect(written.endsWith('}\n')).toBe(true);
      expect(JSON.parse(written).predictions_total).toBe(1);
      spy.mockRestore();
    });

    it('writes nothing when the allow-list is empty', async () => {
      // Prepare
      const lines: string[] = [];
      const mirror = new EmfMetricsMirror({
        config: { namespace: 'Vigil', mirror: [] },
        clock,
        write: (l) => lines.push(l),
      });

      // Act
      await mirror.mirror([{ labels: { __name__: 'x' }, samples: [{ t: MINUTE, v: 1 }] }]);

      // Assess
      expect(lines).toEqual([]);
    });
  });

  it('refuses an allow-list CloudWatch cannot accept when built', () => {
    // Act & Assess
    expect(
      () =>
        new EmfMetricsMirror({
          config: { namespace: 'Vigil', mirror: [{ metric: 'm', dimensions: ['a', 'a'] }] },
        }),
    ).toThrow(MirrorConfigError);
  });
});

describe('Class: NoopMetricsMirror', () => {
  it('accepts series and does nothing', async () => {
    // Prepare
    const mirror = new NoopMetricsMirror();

    // Act & Assess
    await expect(
      mirror.mirror([{ labels: { __name__: 'x' }, samples: [{ t: 1, v: 1 }] }]),
    ).resolves.toBeUndefined();
  });
});
