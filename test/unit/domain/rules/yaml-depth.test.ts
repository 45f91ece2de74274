import fc from 'fast-check';
import { parseRuleFile } from '../../../../lambdas/domain/rules/rule-file';
import {
  findYamlDepthViolation,
  MAX_YAML_DEPTH,
} from '../../../../lambdas/domain/rules/yaml-depth';

describe('Feature: YAML nesting limit of rule files', () => {
  it.each([
    ['flow sequences', (n: number) => `groups: ${'['.repeat(n)}${']'.repeat(n)}`],
    ['flow mappings', (n: number) => `groups: ${'{a: '.repeat(n)}1${'}'.repeat(n)}`],
    [
      'indented mappings',
      (n: number) =>
        `groups:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')} 1`,
    ],
    ['sequences on one line', (n: number) => `groups:\n${'- '.repeat(n)}1`],
  ])('accepts %s at the limit and refuses them one level deeper', (_, shape) => {
    // Prepare
    const atLimit = shape(MAX_YAML_DEPTH - 1); // the top-level mapping is the first level
    const over = shape(MAX_YAML_DEPTH);

    // Act
    const ok = findYamlDepthViolation(atLimit);
    const refused = findYamlDepthViolation(over);

    // Assess
    expect(ok).toBeUndefined();
    expect(refused?.reason).toBe(
      `yaml: collections nested more than ${MAX_YAML_DEPTH} levels deep`,
    );
  });

  it('reports the line and column of the collection that crosses the limit', () => {
    // Prepare
    const text = `# deep\ngroups:\n  - name: g\n    rules: ${'['.repeat(2000)}${']'.repeat(2000)}\n`;

    // Act
    const { errors } = parseRuleFile(text, 'deep.yml');

    // Assess: map (1), groups seq (2), group map (3), then 253 brackets reach 256; the 254th is at col 265
    expect(errors.map((e) => e.message)).toEqual([
      'deep.yml:4:265: yaml: collections nested more than 256 levels deep',
    ]);
  });

  it('never lets a stack overflow through as the reason, for random deep documents (200 cases)', () => {
    // Prepare
    const opener = fc.constantFrom('[', '{a: ', '- ', '\n  - ', 'k: ', '[{', '? ');
    const doc = fc
      .tuple(fc.array(opener, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 700 }))
      .map(
        ([openers, n]) =>
          `groups: ${Array.from({ length: n }, (_, i) => openers[i % openers.length]).join('')}x`,
      );
    let refused = 0;

    // Act
    fc.assert(
      fc.property(doc, (text) => {
        const { errors } = parseRuleFile(text, 'f.yml');
        if (errors.some((e) => /call stack/i.test(e.message))) return false;
        if (errors.some((e) => e.message.includes('nested more than'))) refused++;
        return true;
      }),
      { numRuns: 200, seed: 20261206 },
    );

    // Assess
    expect(refused).toBeGreaterThan(20);
  });
});
