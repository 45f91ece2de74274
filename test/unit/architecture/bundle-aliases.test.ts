import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { lambdaBundleOptions } from '../../../lib/constructs/lambda-bundle';
import { parseExpr } from '../../../lambdas/domain/promql/parser';

const repo = resolve(import.meta.dirname, '../../..');

/** Queries touching every kind of node the grammar has. */
const QUERIES = [
  'sum by (job) (rate(http_requests_total{status=~"5..", job!="x"}[5m])) > 0.1',
  'histogram_quantile(0.99, sum without (instance) (rate(http_request_duration_seconds_bucket[5m])))',
  'label_replace(up offset -1h @ end(), "host", "$1", "instance", "(.*):.*")',
  'topk(3, count_values("v", build_info)) * on (job) group_left (version) (vector(1) or up)',
  'avg_over_time(gpu_temperature_celsius[10m:1m]) unless absent(nvidia_smi_up) > bool -Inf',
  '{__name__="model_accuracy", model=~"resnet|bert"} / ignoring (a) group_right b ^ 3 % NaN',
  '# comment\nquantile_over_time(0.5, x[1h] @ 1700000000) atan2 predict_linear(y[5m], 3600)',
];

describe('Lambda bundle aliases', () => {
  it('parses PromQL in a function bundle exactly as from the sources: tables decoded at synth, no @lezer/highlight', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'vigil-alias-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `export { parseExpr } from '${join(repo, 'lambdas/domain/promql/parser.ts')}';`,
    );
    try {
      // Act
      const { metafile } = (await build({
        ...lambdaBundleOptions(entry, join(dir, 'out')),
        metafile: true,
      })) as { metafile: Metafile };
      const bundled = (await import(pathToFileURL(join(dir, 'out', 'index.mjs')).href)) as {
        parseExpr: typeof parseExpr;
      };

      // Assess
      const inputs = Object.keys(metafile.inputs);
      const grammar = inputs.filter((i) => /lezer-promql/.test(i));
      expect(grammar).toHaveLength(1);
      expect(grammar[0]).toMatch(/vigil-bundle-aliases\/lezer-promql-[0-9a-f]{16}\.mjs$/);
      const grammarSource = readFileSync(resolve(repo, String(grammar[0])), 'utf8');
      expect(grammarSource).toMatch(/states: __vigilTable\("/);
      expect(grammarSource).toMatch(/tokenData: __vigilTable\("/);
      expect(inputs.filter((i) => i.includes('node_modules/@lezer/highlight'))).toEqual([]);
      expect(inputs).toContain('lambdas/bundle-aliases/lezer-highlight.ts');
      const ruleExprs = readdirSync(join(repo, 'rules')).flatMap((f) =>
        (
          parseYaml(readFileSync(join(repo, 'rules', f), 'utf8')) as {
            groups: { rules: { expr: string }[] }[];
          }
        ).groups.flatMap((g) => g.rules.map((r) => r.expr)),
      );
      expect(ruleExprs.length).toBeGreaterThan(10);
      for (const q of [...QUERIES, ...ruleExprs])
        expect(bundled.parseExpr(q)).toEqual(parseExpr(q));
      expect(() => bundled.parseExpr('sum(')).toThrow(/unexpected end of input/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
