import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CaseResult, parseScript, runScript } from '../../../conformance/promqltest';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'promql');

describe('PromQL script fixtures', () => {
  for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.test'))) {
    describe(file, () => {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      const evals = parseScript(text).filter((c) => c.kind === 'eval');
      let results: CaseResult[] = [];

      beforeAll(async () => {
        results = await runScript(text);
      });

      for (const cmd of evals) {
        it(`line ${cmd.line}: ${cmd.expr}`, () => {
          // Prepare
          const result = results.find((r) => r.line === cmd.line);

          // Act (the script ran in beforeAll)

          // Assess
          expect(result?.reason).toBeUndefined();
          expect(result?.status).toBe('passed');
        });
      }
    });
  }
});
