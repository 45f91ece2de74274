import fc from 'fast-check';
import { parseRuleFile, RuleFileError } from '../../../../lambdas/domain/rules/rule-file';

const RULE_FILE_WORDS = [
  'groups:',
  '  - name: a',
  '    interval: 1m',
  '    limit: 3',
  '    rules:',
  '      - alert: A',
  '      - record: job:up',
  '        expr: up == 0',
  '        expr: |',
  '        for: 5m',
  '        keep_firing_for: x',
  '        labels:',
  '          severity: "{{ $value }}"',
  '        annotations: [1]',
  '  - *x',
  '&x {}',
  '"\\ud800"',
  '- ',
  ': ',
];

describe('Function: parseRuleFile (property)', () => {
  it('never throws on arbitrary text: it returns RuleFileErrors', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 300 }), (text) => {
        // Act
        const { groups, errors } = parseRuleFile(text, 'f.yml');

        // Assess
        for (const e of errors) expect(e).toBeInstanceOf(RuleFileError);
        if (errors.length > 0) expect(groups).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on shuffled rule-file lines, and every error has a position', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...RULE_FILE_WORDS), { maxLength: 20 }), (lines) => {
        // Act
        const { errors } = parseRuleFile(lines.join('\n'), 'f.yml');

        // Assess
        for (const e of errors) {
          expect(e).toBeInstanceOf(RuleFileError);
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
          expect(e.message.startsWith(`f.yml:${e.line}:${e.column}: `)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
