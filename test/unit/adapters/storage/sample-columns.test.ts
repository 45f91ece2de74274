import { SampleColumns } from '../../../../lambdas/adapters/storage/sample-columns';
import { isStaleNaN, STALE_NAN } from '../../../../lambdas/domain/series/sample';

const all = (c: SampleColumns): [number, number][] => {
  const { t, v } = c.view(0, c.length);
  return Array.from(t, (x, i) => [x, v[i] as number]);
};
const samples = (...pairs: [number, number][]) => pairs.map(([t, v]) => ({ t, v }));

describe('Class: SampleColumns', () => {
  it('keeps appended samples in order across many growths of its buffers', () => {
    // Prepare
    const c = new SampleColumns(1);
    const expected: [number, number][] = [];

    // Act
    for (let i = 0; i < 1000; i += 10) {
      const batch: [number, number][] = [];
      for (let j = i; j < i + 10; j++) batch.push([j * 1000, j * 2]);
      c.append(samples(...batch));
      expected.push(...batch);
    }

    // Assess
    expect(c.length).toBe(1000);
    expect(all(c)).toEqual(expected);
    expect(c.lowerBound(500_500)).toBe(501);
    expect(c.timeAt(999)).toBe(999_000);
    expect(c.valueAt(999)).toBe(1998);
  });

  it('sorts out-of-order samples into place, in one write or across writes', () => {
    // Prepare
    const c = new SampleColumns();
    c.append(samples([10, 1], [30, 3], [50, 5]));

    // Act
    c.append(samples([60, 6], [20, 2], [0, 0], [40, 4]));

    // Assess
    expect(all(c)).toEqual([
      [0, 0],
      [10, 1],
      [20, 2],
      [30, 3],
      [40, 4],
      [50, 5],
      [60, 6],
    ]);
  });

  it('lets the last write of a timestamp win, whether it is the last sample or an older one', () => {
    // Prepare
    const c = new SampleColumns();
    c.append(samples([10, 1], [20, 2], [30, 3]));

    // Act
    c.append(samples([30, 33], [10, 11], [20, 22], [10, 111]));

    // Assess
    expect(all(c)).toEqual([
      [10, 111],
      [20, 22],
      [30, 33],
    ]);
  });

  it('leaves views taken earlier as they were when a sample is inserted before the last', () => {
    // Prepare
    const c = new SampleColumns();
    c.append(samples([10, 1], [20, 2], [30, 3]));
    const view = c.view(0, 3);

    // Act
    c.append(samples([40, 4]));
    c.append(samples([15, 1.5]));

    // Assess
    expect(Array.from(view.t)).toEqual([10, 20, 30]);
    expect(Array.from(view.v)).toEqual([1, 2, 3]);
    expect(all(c)).toEqual([
      [10, 1],
      [15, 1.5],
      [20, 2],
      [30, 3],
      [40, 4],
    ]);
  });

  it('keeps staleness markers apart from ordinary NaN, through inserts too', () => {
    // Prepare
    const c = new SampleColumns();

    // Act
    c.append(samples([10, STALE_NAN], [30, Number.NaN]));
    c.append(samples([20, 2]));

    // Assess
    expect(isStaleNaN(c.valueAt(0))).toBe(true);
    expect(c.valueAt(1)).toBe(2);
    expect(Number.isNaN(c.valueAt(2)) && !isStaleNaN(c.valueAt(2))).toBe(true);
  });
});
