import { describe, expect, it } from '@jest/globals';
import { SelectorTextError, scanSelector } from '../../../../lambdas/domain/series/selector-text';

describe('scanSelector', () => {
  it('reads a name and its matchers, raw and escaped strings, a trailing comma', () => {
    expect(
      scanSelector(' http_requests_total{job="api", path=~`/v1/.*`, code!=\'5\\x30\',} '),
    ).toEqual({
      name: 'http_requests_total',
      matchers: [
        { name: 'job', op: '=', value: 'api', invalidUtf8: false },
        { name: 'path', op: '=~', value: '/v1/.*', invalidUtf8: false },
        { name: 'code', op: '!=', value: '50', invalidUtf8: false },
      ],
    });
  });

  it('ends a double- or single-quoted value at a newline, as PromQL does, but not a raw one', () => {
    expect(() => scanSelector('{job="a\nb"}')).toThrow('do not parse: unterminated quoted string');
    expect(() => scanSelector("{job='a\nb'}")).toThrow(SelectorTextError);
    expect(scanSelector('{job=`a\nb`}').matchers[0]?.value).toBe('a\nb');
  });

  it('refuses other operators where only = is allowed, naming the matcher', () => {
    expect(() => scanSelector('{job=~"a.*"}', { equalOnly: true })).toThrow(
      'only = is allowed, got job=~',
    );
  });

  it('says where the text stops being a selector', () => {
    expect(() => scanSelector('{job="a" host="b"}')).toThrow(
      'do not parse: expected , or } at offset 9',
    );
    expect(() => scanSelector('{="a"}')).toThrow('do not parse: expected a label name at offset 1');
    expect(() => scanSelector('rate(x[5m])')).toThrow('are not a {name="value", ...} label set');
    expect(() => scanSelector('')).toThrow('do not parse: unexpected "end of input"');
  });
});
