import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brokenLinks, headingAnchors, linkTargets } from '../../helpers/markdown-links';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const docsPages = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .map((f) => `docs/${f}`)
  .sort();

describe('documentation links', () => {
  it('resolves every relative link and #anchor of README.md, ARCHITECTURE.md and docs/', () => {
    expect(brokenLinks(root, ['README.md', 'ARCHITECTURE.md', ...docsPages])).toEqual([]);
  });

  it('links every docs/ page from the README', () => {
    const linked = new Set(
      linkTargets(readFileSync(join(root, 'README.md'), 'utf8')).map((h) => h.split('#')[0]),
    );
    expect(docsPages.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe('brokenLinks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-links-'));
  mkdirSync(join(dir, 'docs'));
  mkdirSync(join(dir, 'img'));
  writeFileSync(join(dir, 'img', 'a.png'), '');
  writeFileSync(
    join(dir, 'docs', 'page.md'),
    ['# Page', '## Limits', '## Limits', '### `vigil drift`: compare two CSV files', 'text'].join(
      '\n\n',
    ),
  );
  writeFileSync(
    join(dir, 'README.md'),
    [
      '# Top',
      '[ok](docs/page.md#limits-1) [ok](docs/page.md#vigil-drift-compare-two-csv-files) [ok](#top)',
      '![ok](img/a.png) [ok](img/) [ext](https://example.com/x#y) <https://example.com>',
      '[missing](docs/nope.md) ![missing](img/b.png) [anchor](docs/page.md#limits-2) [self](#nope)',
      '[not md](img/a.png#x)',
      '`[in code](docs/nope.md)`',
    ].join('\n\n'),
  );

  it('names each broken link, and only those', () => {
    expect(brokenLinks(dir, ['README.md'])).toEqual([
      'README.md: docs/nope.md: no file or folder docs/nope.md',
      'README.md: img/b.png: no file or folder img/b.png',
      'README.md: docs/page.md#limits-2: no heading #limits-2 in docs/page.md',
      'README.md: #nope: no heading #nope in README.md',
      'README.md: img/a.png#x: img/a.png is not a Markdown file, so it has no #x',
    ]);
  });

  it('gives headings the anchors GitHub gives them', () => {
    expect([
      ...headingAnchors('# Querying with PromQL, and Grafana\n## Limits\n## Limits\n'),
    ]).toEqual(['querying-with-promql-and-grafana', 'limits', 'limits-1']);
  });
});
