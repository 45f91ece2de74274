import { metricName, normalizeLabels, seriesKey } from '../../../../lambdas/domain/series/labels';
import { type LabelMatcher, MatchOp, matchesAll } from '../../../../lambdas/domain/series/matchers';
import { isStaleNaN, STALE_NAN } from '../../../../lambdas/domain/series/sample';

const bitsOf = (v: number): bigint => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getBigUint64(0);
};
const fromBits = (b: bigint): number => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, b);
  return dv.getFloat64(0);
};

describe('Function: seriesKey', () => {
  it('gives the same key whatever the label order', () => {
    // Prepare
    const a = { __name__: 'up', job: 'api', instance: 'a:1' };
    const b = { instance: 'a:1', job: 'api', __name__: 'up' };

    // Act & Assess
    expect(seriesKey(a)).toBe(seriesKey(b));
  });

  it('treats an empty label value as an absent label', () => {
    // Prepare
    const withEmpty = { __name__: 'up', job: 'api', env: '' };

    // Act & Assess
    expect(seriesKey(withEmpty)).toBe(seriesKey({ __name__: 'up', job: 'api' }));
  });

  it('tells apart label sets that differ only in one value', () => {
    // Act & Assess
    expect(seriesKey({ __name__: 'up', job: 'a' })).not.toBe(
      seriesKey({ __name__: 'up', job: 'b' }),
    );
  });

  it('does not confuse a value containing separators with two labels', () => {
    // Act & Assess
    expect(seriesKey({ a: '1', b: '2' })).not.toBe(seriesKey({ a: '1","b","2' }));
    expect(seriesKey({ a: '1', b: '2' })).not.toBe(seriesKey({ a: '1,b=2' }));
  });
});

describe('Function: normalizeLabels', () => {
  it('sorts names and drops empty values', () => {
    // Act
    const out = normalizeLabels({ z: '1', __name__: 'm', a: '', b: '2' });

    // Assess
    expect(Object.entries(out)).toEqual([
      ['__name__', 'm'],
      ['b', '2'],
      ['z', '1'],
    ]);
  });

  it('keeps a label named __proto__ as an own data property', () => {
    // Prepare
    const raw = JSON.parse('{"__name__":"m","__proto__":"x"}') as Record<string, string>;

    // Act
    const out = normalizeLabels(raw);

    // Assess
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(seriesKey(out)).toBe('[["__name__","m"],["__proto__","x"]]');
  });
});

describe('Function: metricName', () => {
  it('returns the __name__ label or an empty string', () => {
    // Act & Assess
    expect(metricName({ __name__: 'up' })).toBe('up');
    expect(metricName({ job: 'x' })).toBe('');
  });
});

describe('Staleness marker', () => {
  it('has the bit pattern 0x7ff0000000000002 of Prometheus value.StaleNaN', () => {
    // Act & Assess
    expect(bitsOf(STALE_NAN)).toBe(0x7ff0000000000002n);
    expect(Number.isNaN(STALE_NAN)).toBe(true);
  });

  it('recognizes the marker and not an ordinary NaN or a number', () => {
    // Act & Assess
    expect(isStaleNaN(STALE_NAN)).toBe(true);
    expect(isStaleNaN(Number.NaN)).toBe(false);
    expect(isStaleNaN(0)).toBe(false);
    expect(isStaleNaN(Number.POSITIVE_INFINITY)).toBe(false);
    expect(isStaleNaN(fromBits(0x7ff0000000000001n))).toBe(false);
  });

  it('still recognizes the marker with the quiet bit set after passing through a number array', () => {
    // Prepare
    const arr = [1.5, 2.5];
    arr.push(STALE_NAN);
    const quiet = fromBits(0x7ff8000000000002n);

    // Act & Assess
    expect(isStaleNaN(arr[2] as number)).toBe(true);
    expect(isStaleNaN(quiet)).toBe(true);
  });
});

describe('Function: matchesAll', () => {
  const labels = { __name__: 'http_requests_total', job: 'api', code: '200' };
  const m = (name: string, op: LabelMatcher['op'], value: string): LabelMatcher => ({
    name,
    op,
    value,
  });

  it.each([
    [m('job', MatchOp.Equal, 'api'), true],
    [m('job', MatchOp.Equal, 'ap'), false],
    [m('job', MatchOp.NotEqual, 'web'), true],
    [m('code', MatchOp.RegexMatch, '2..'), true],
    [m('code', MatchOp.RegexMatch, '2'), false],
    [m('code', MatchOp.RegexMatch, '20'), false],
    [m('job', MatchOp.RegexMatch, 'api|web'), true],
    [m('job', MatchOp.RegexMatch, 'a|web'), false],
    [m('code', MatchOp.RegexNoMatch, '5..'), true],
    [m('code', MatchOp.RegexNoMatch, '2.*'), false],
  ])('evaluates %j as %s (regexes are fully anchored)', (matcher, expected) => {
    // Act & Assess
    expect(matchesAll([matcher], labels)).toBe(expected);
  });

  it('treats an absent label as the empty string', () => {
    // Act & Assess
    expect(matchesAll([m('env', MatchOp.Equal, '')], labels)).toBe(true);
    expect(matchesAll([m('env', MatchOp.NotEqual, '')], labels)).toBe(false);
    expect(matchesAll([m('env', MatchOp.RegexMatch, '.*')], labels)).toBe(true);
    expect(matchesAll([m('env', MatchOp.RegexMatch, '.+')], labels)).toBe(false);
    expect(matchesAll([m('env', MatchOp.RegexNoMatch, 'prod')], labels)).toBe(true);
  });

  it('requires every matcher to hold', () => {
    // Act & Assess
    expect(
      matchesAll([m('job', MatchOp.Equal, 'api'), m('code', MatchOp.Equal, '500')], labels),
    ).toBe(false);
    expect(matchesAll([], labels)).toBe(true);
  });

  it('lets . match a newline in a label value, as RE2 with the s flag', () => {
    // Act & Assess
    expect(matchesAll([m('msg', MatchOp.RegexMatch, 'a.b')], { msg: 'a\nb' })).toBe(true);
  });
});
