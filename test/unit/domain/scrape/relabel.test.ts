// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${1} and ${name} are Prometheus relabel references, not JavaScript templates
import { type RelabelConfig, relabel } from '../../../../lambdas/domain/scrape/relabel';
import { validateRelabelConfigs } from '../../../../lambdas/domain/scrape/relabel-schema';
import { validateScrapeConfig } from '../../../../lambdas/domain/scrape/scrape-config';
import { scrapeResult } from '../../../../lambdas/domain/scrape/scrape-result';
import { targetsOfJob } from '../../../../lambdas/domain/scrape/scrape-target';

const rules = (raw: unknown[]): RelabelConfig[] => {
  const { configs, issues } = validateRelabelConfigs(raw, 'relabel_configs');
  expect(issues).toEqual([]);
  return configs;
};

const INPUT = { a: 'foo', b: 'bar', c: 'baz' };

describe('Relabelling: actions (cases from Prometheus relabel_test.go)', () => {
  it.each([
    [
      'replace with a capture group',
      [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch${1}-ch${1}' }],
      { ...INPUT, d: 'choo-choo' },
    ],
    [
      'replace joining sources with the separator',
      [
        {
          source_labels: ['a', 'b'],
          regex: 'f(.*);(.*)r',
          target_label: 'a',
          replacement: 'b${1}${2}m',
        },
      ],
      { a: 'boobam', b: 'bar', c: 'baz' },
    ],
    [
      'replace: no match leaves the labels',
      [{ source_labels: ['a'], regex: 'x(.*)', target_label: 'd' }],
      INPUT,
    ],
    [
      'replace: an empty result deletes the target label',
      [{ source_labels: ['a'], regex: '(f).*', target_label: 'b', replacement: '' }],
      { a: 'foo', c: 'baz' },
    ],
    [
      'replace: $1x is the group named 1x (empty), ${1}x is group 1 then x',
      [
        { source_labels: ['a'], regex: '(.*)', target_label: 'd', replacement: '$1x' },
        { source_labels: ['a'], regex: '(.*)', target_label: 'e', replacement: '${1}x' },
      ],
      { ...INPUT, e: 'foox' },
    ],
    [
      'replace: target label from a template',
      [
        {
          source_labels: ['a'],
          regex: 'some-([^-]+)-([^,]+)',
          target_label: '${1}',
          replacement: '${2}',
        },
      ],
      INPUT,
    ],
    [
      'uppercase',
      [{ source_labels: ['a'], action: 'uppercase', target_label: 'd' }],
      { ...INPUT, d: 'FOO' },
    ],
    [
      'hashmod',
      [{ source_labels: ['c'], target_label: 'd', action: 'hashmod', modulus: 1000 }],
      { ...INPUT, d: '976' },
    ],
    [
      'labelmap',
      [{ regex: '(b.*)', action: 'labelmap', replacement: '${1}_copy' }],
      { ...INPUT, b_copy: 'bar' },
    ],
    ['labeldrop', [{ regex: '(b|c)', action: 'labeldrop' }], { a: 'foo' }],
    ['labelkeep', [{ regex: '(b|c)', action: 'labelkeep' }], { b: 'bar', c: 'baz' }],
    ['keepequal', [{ source_labels: ['a'], target_label: 'a', action: 'keepequal' }], INPUT],
  ])('%s', (_name, raw, expected) => {
    // Act
    const out = relabel(INPUT, rules(raw));

    // Assess
    expect(out).toEqual(expected);
  });

  it.each([
    ['drop on a match', [{ source_labels: ['a'], regex: 'f.+', action: 'drop' }]],
    ['keep without a match', [{ source_labels: ['a'], regex: 'b.+', action: 'keep' }]],
    ['dropequal', [{ source_labels: ['c'], target_label: 'c', action: 'dropequal' }]],
    ['keepequal', [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }]],
  ])('drops: %s', (_name, raw) => {
    // Act
    const out = relabel(INPUT, rules(raw));

    // Assess
    expect(out).toBeUndefined();
  });

  it('anchors the regex and lets . match newlines', () => {
    // Act
    const partial = relabel(INPUT, rules([{ source_labels: ['a'], regex: 'o', action: 'drop' }]));
    const dotall = relabel(
      { a: 'x\ny' },
      rules([{ source_labels: ['a'], regex: 'x.y', action: 'drop' }]),
    );

    // Assess
    expect(partial).toEqual(INPUT);
    expect(dotall).toBeUndefined();
  });
});

describe('Relabelling: validation', () => {
  it("reports Prometheus's configuration errors with paths", () => {
    // Act
    const { issues } = validateRelabelConfigs(
      [
        { action: 'explode' },
        { action: 'replace', source_labels: ['a'] },
        { action: 'labeldrop', regex: 'x', target_label: 'y' },
        { regex: '(' },
        { action: 'hashmod', target_label: 'd' },
        { action: 'replace', target_label: 'not-valid' },
      ],
      'scrape_configs[0].relabel_configs',
    );

    // Assess
    expect(issues).toEqual([
      {
        path: 'scrape_configs[0].relabel_configs[0].action',
        message: 'unknown relabel action "explode"',
      },
      {
        path: 'scrape_configs[0].relabel_configs[1]',
        message: "relabel configuration for replace action requires 'target_label' value",
      },
      {
        path: 'scrape_configs[0].relabel_configs[2]',
        message: "labeldrop action requires only 'regex', and no other fields",
      },
      {
        path: 'scrape_configs[0].relabel_configs[3].regex',
        message: expect.stringMatching(/^invalid regular expression/),
      },
      {
        path: 'scrape_configs[0].relabel_configs[4]',
        message: 'relabel configuration for hashmod requires non-zero modulus',
      },
      {
        path: 'scrape_configs[0].relabel_configs[5]',
        message: `"not-valid" is invalid 'target_label' for replace action`,
      },
    ]);
  });
});

describe('Relabelling in scrapes', () => {
  const jobOf = (raw: Record<string, unknown>) => {
    const { config, issues } = validateScrapeConfig(
      [
        {
          job_name: 'node',
          static_configs: [{ targets: ['a:9100', 'b:9100'], labels: { env: 'prod' } }],
          ...raw,
        },
      ],
      undefined,
    );
    expect(issues).toEqual([]);
    const [job] = config.jobs;
    if (!job) throw new Error('no job');
    return job;
  };

  it('relabel_configs rewrite target labels and the address, and drop targets', () => {
    // Prepare
    const job = jobOf({
      relabel_configs: [
        { source_labels: ['__address__'], regex: 'b:.*', action: 'drop' },
        {
          source_labels: ['__address__'],
          regex: '(.*):9100',
          target_label: 'host',
          replacement: '$1',
        },
        {
          source_labels: ['__address__'],
          regex: '(.*):9100',
          target_label: '__address__',
          replacement: '$1:9200',
        },
        { source_labels: ['__scrape_interval__'], target_label: 'interval' },
      ],
    });

    // Act
    const targets = targetsOfJob(job);

    // Assess
    expect(targets.map((t) => [t.url, t.labels])).toEqual([
      [
        'http://a:9200/metrics',
        { env: 'prod', host: 'a', instance: 'a:9200', interval: '1m', job: 'node' },
      ],
    ]);
  });

  it('metric_relabel_configs drop samples; scrape_samples_post_metric_relabeling counts the rest', () => {
    // Prepare
    const job = jobOf({
      metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_.*', action: 'drop' }],
    });
    const [target] = targetsOfJob(job);
    if (!target) throw new Error('no target');

    // Act
    const result = scrapeResult(
      target,
      { ok: true, body: 'go_goroutines 8\ngo_threads 9\nhttp_requests_total 3\n', contentType: '' },
      { startMs: 1000, durationMs: 1 },
    );

    // Assess
    const values = Object.fromEntries(
      result.series.map((s) => [s.labels.__name__, s.samples[0]?.v]),
    );
    expect(values).toEqual({
      http_requests_total: 3,
      up: 1,
      scrape_duration_seconds: 0.001,
      scrape_samples_scraped: 3,
      scrape_samples_post_metric_relabeling: 1,
      scrape_series_added: 1,
    });
  });
});

describe('Relabelling: edge cases', () => {
  it('expands $$ to $ and keeps a lone $', () => {
    // Act
    const out = relabel(
      INPUT,
      rules([{ source_labels: ['a'], regex: '(.*)', target_label: 'd', replacement: '$$-$1-$' }]),
    );

    // Assess
    expect(out).toEqual({ ...INPUT, d: '$-foo-$' });
  });

  it('lowercases and reads named groups', () => {
    // Act
    const out = relabel(
      { a: 'FOO' },
      rules([
        { source_labels: ['a'], action: 'lowercase', target_label: 'b' },
        {
          source_labels: ['b'],
          regex: '(?P<first>f)(.*)',
          target_label: 'c',
          replacement: '${first}!',
        },
      ]),
    );

    // Assess
    expect(out).toEqual({ a: 'FOO', b: 'foo', c: 'f!' });
  });

  it.each([
    ['not a list', { x: 1 }, 'relabel_configs', 'must be a list of relabel configs'],
    ['an entry not a mapping', ['drop'], 'relabel_configs[0]', 'must be a mapping'],
    ['a non-string field', [{ regex: 1 }], 'relabel_configs[0].regex', 'must be a string'],
    [
      'bad source labels',
      [{ source_labels: ['a-b'] }],
      'relabel_configs[0].source_labels',
      'must be a list of label names',
    ],
    [
      'a negative modulus',
      [{ modulus: -1 }],
      'relabel_configs[0].modulus',
      'must be a non-negative integer',
    ],
    [
      'keepequal with a regex',
      [{ action: 'keepequal', source_labels: ['a'], target_label: 'b', regex: 'x' }],
      'relabel_configs[0]',
      "keepequal action requires only 'source_labels' and 'target_label', and no other fields",
    ],
    [
      'labelmap with an invalid replacement',
      [{ action: 'labelmap', replacement: '1-x' }],
      'relabel_configs[0]',
      `"1-x" is invalid 'replacement' for labelmap action`,
    ],
    [
      'uppercase with an invalid target',
      [{ action: 'uppercase', source_labels: ['a'], target_label: 'a-b' }],
      'relabel_configs[0]',
      `"a-b" is invalid 'target_label' for uppercase action`,
    ],
  ])('refuses %s', (_name, raw, path, message) => {
    // Act
    const { issues } = validateRelabelConfigs(raw, 'relabel_configs');

    // Assess
    expect(issues).toContainEqual({ path, message });
  });
});
