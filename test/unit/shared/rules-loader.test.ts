import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, validateConfig } from '../../../lambdas/domain/config/validate';
import { exprFromJSON } from '../../../lambdas/domain/promql/expr-json';
import { parseExpr } from '../../../lambdas/domain/promql/parser';
import { rulesDocumentFromJSON } from '../../../lambdas/domain/rules/rules-document';
import { expandGlob, loadRulesDocument } from '../../../lambdas/shared/rules-loader';

const GOOD = `groups:
  - name: serving
    interval: 30s
    rules:
      - record: job:errors:sum
        expr: sum by (job) (errors_total)
      - alert: ErrorsHigh
        expr: job:errors:sum > 5
        for: 5m
        labels: { severity: critical }
        annotations: { summary: "{{ $labels.job }} errors" }
`;

const BAD = `groups:
  - name: broken
    rules:
      - alert: Bad
        expr: sum(
      - record: 0bad
        expr: up
`;

const configWith = (rules: string[]) => {
  const { config, issues } = validateConfig({ rules });
  if (issues.length > 0) throw new Error(JSON.stringify(issues));
  return config;
};

describe('Function: loadRulesDocument', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-rules-'));
    mkdirSync(join(dir, 'rules', 'team'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads plain paths and globs relative to the config directory, as JSON', () => {
    // Prepare
    writeFileSync(join(dir, 'rules', 'serving.yml'), GOOD);
    writeFileSync(join(dir, 'rules', 'team', 'gpu.yml'), GOOD.replace('serving', 'gpu'));

    // Act
    const doc = loadRulesDocument(configWith(['rules/**/*.yml']), dir);
    const roundTrip = rulesDocumentFromJSON(JSON.parse(JSON.stringify(doc)));

    // Assess
    expect(doc.groups.map((g) => [g.file, g.name, g.intervalMs])).toEqual([
      ['rules/serving.yml', 'serving', 30_000],
      ['rules/team/gpu.yml', 'gpu', 30_000],
    ]);
    expect(doc.groups[0]?.rules[1]).toEqual({
      alert: 'ErrorsHigh',
      expr: 'job:errors:sum > 5',
      forMs: 300_000,
      keepFiringForMs: 0,
      labels: { severity: 'critical' },
      annotations: { summary: '{{ $labels.job }} errors' },
    });
    expect(roundTrip).toEqual(doc);
    // Each expression also travels parsed, so the evaluator need not load the parser.
    expect(Object.keys(doc.parsedExprs ?? {}).sort()).toEqual([
      'job:errors:sum > 5',
      'sum by (job) (errors_total)',
    ]);
    for (const expr of Object.keys(doc.parsedExprs ?? {}))
      expect(exprFromJSON(roundTrip.parsedExprs?.[expr])).toEqual(parseExpr(expr));
  });

  it('loads the same group name from two files as two groups, as Prometheus does', () => {
    // Prepare
    writeFileSync(join(dir, 'rules', 'a.yml'), GOOD);
    writeFileSync(join(dir, 'rules', 'b.yml'), GOOD);

    // Act
    const doc = loadRulesDocument(configWith(['rules/*.yml']), dir);

    // Assess
    expect(doc.groups.map((g) => `${g.file}/${g.name}`)).toEqual([
      'rules/a.yml/serving',
      'rules/b.yml/serving',
    ]);
  });

  it('lists every error with file, line, column, group and rule', () => {
    // Prepare
    writeFileSync(join(dir, 'rules', 'a.yml'), GOOD);
    writeFileSync(join(dir, 'rules', 'b.yml'), GOOD);
    writeFileSync(join(dir, 'rules', 'bad.yml'), BAD);

    // Act
    let error: unknown;
    try {
      loadRulesDocument(configWith(['rules/*.yml', 'missing.yml']), dir);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const messages = (error as ConfigError).issues.map((i) => i.message);
    expect(messages).toContain('missing.yml: no such file');
    expect(messages.some((m) => /repeated/.test(m))).toBe(false);
    expect(
      messages.some((m) => /^rules\/bad\.yml:5:\d+: group "broken", rule 1, "Bad": /.test(m)),
    ).toBe(true);
    expect(
      messages.some((m) => /^rules\/bad\.yml:6:\d+: group "broken", rule 2, "0bad": /.test(m)),
    ).toBe(true);
  });
});

describe('Function: expandGlob', () => {
  it('matches *, ? and ** and ignores directories', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'vigil-glob-'));
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    for (const f of ['x1.yml', 'a/x2.yml', 'a/b/x3.yml', 'a/b/y.yaml'])
      writeFileSync(join(dir, f), '');

    // Act
    const star = expandGlob('*.yml', dir);
    const deep = expandGlob('**/x?.yml', dir);

    // Assess
    expect(star).toEqual([join(dir, 'x1.yml')]);
    expect(deep).toEqual([join(dir, 'a/b/x3.yml'), join(dir, 'a/x2.yml'), join(dir, 'x1.yml')]);
    rmSync(dir, { recursive: true, force: true });
  });
});
