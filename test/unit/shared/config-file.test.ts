import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lambdas/domain/config/validate';
import { configPath, loadConfigFile } from '../../../lambdas/shared/config-file';

describe('Function: loadConfigFile', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const loadError = (fn: () => unknown): ConfigError => {
    try {
      fn();
    } catch (e) {
      return e as ConfigError;
    }
    throw new Error('expected a ConfigError');
  };

  it('reads and validates a YAML file', () => {
    // Prepare
    const file = join(dir, 'vigil.config.yaml');
    writeFileSync(file, 'project: ml-prod\nlimits:\n  maxSeriesPerMetric: 250\n');

    // Act
    const { config, source } = loadConfigFile(file, {});

    // Assess
    expect(source).toBe(file);
    expect(config.project).toBe('ml-prod');
    expect(config.limits.maxSeriesPerMetric).toBe(250);
  });

  it('uses the file named by VIGIL_CONFIG', () => {
    // Prepare
    const file = join(dir, 'custom.yaml');
    writeFileSync(file, 'project: from-env\n');

    // Act
    const { config } = loadConfigFile(undefined, { VIGIL_CONFIG: file });

    // Assess
    expect(config.project).toBe('from-env');
  });

  it('falls back to all defaults when the default file is missing', () => {
    // Prepare
    const cwd = process.cwd();
    process.chdir(dir);

    // Act
    let result: ReturnType<typeof loadConfigFile>;
    try {
      result = loadConfigFile(undefined, {});
    } finally {
      process.chdir(cwd);
    }

    // Assess
    expect(result.source).toBe('(defaults: no vigil.config.yaml)');
    expect(result.config.project).toBe('vigil');
  });

  it('refuses a missing file named by VIGIL_CONFIG', () => {
    // Prepare
    const file = join(dir, 'nope.yaml');

    // Act
    const e = loadError(() => loadConfigFile(undefined, { VIGIL_CONFIG: file }));

    // Assess
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.issues).toEqual([{ path: '(file)', message: 'not found' }]);
    expect(e.message).toContain(file);
  });

  it('refuses a missing file given as an argument', () => {
    // Act & Assess
    expect(() => loadConfigFile(join(dir, 'nope.yaml'), {})).toThrow(ConfigError);
  });

  it('reports YAML syntax errors with line and column', () => {
    // Prepare
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'project: ok\nlimits:\n  maxBodyBytes: [1, 2\n');

    // Act
    const e = loadError(() => loadConfigFile(file, {}));

    // Assess
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.issues.length).toBeGreaterThan(0);
    expect(e.issues[0]).toMatchObject({ line: 4, column: 1 });
  });

  it('reports a duplicate key at its line and column', () => {
    // Prepare
    const file = join(dir, 'dup.yaml');
    writeFileSync(file, 'project: ok\nproject: again\n');

    // Act
    const e = loadError(() => loadConfigFile(file, {}));

    // Assess
    expect(e.issues).toEqual([
      { path: '', message: 'Map keys must be unique', line: 2, column: 1 },
    ]);
    expect(e.message).toBe(`${file}:2:1 Map keys must be unique`);
  });

  it('reports every validation issue with its path', () => {
    // Prepare
    const file = join(dir, 'invalid.yaml');
    writeFileSync(file, 'project: ok\nlimits:\n  maxLabelNameBytes: 100\nlogRetention: 3\n');

    // Act
    const e = loadError(() => loadConfigFile(file, {}));

    // Assess
    expect(e.issues.map((i) => i.path).sort()).toEqual([
      'limits.maxLabelNameBytes',
      'logRetention',
    ]);
  });

  it('places each validation issue at its line and column, in file order', () => {
    // Prepare
    const file = join(dir, 'located.yaml');
    writeFileSync(
      file,
      [
        'projectt: ml',
        'api:',
        '  clients:',
        '    - name: a',
        '    - rateLimit: 5',
        'limits:',
        '  maxLabelNameBytes: 100',
        '',
      ].join('\n'),
    );

    // Act
    const e = loadError(() => loadConfigFile(file, {}));

    // Assess
    expect(e.issues).toEqual([
      { path: 'projectt', message: 'unknown key, did you mean `project`?', line: 1, column: 1 },
      // A required key left out is placed at the mapping that lacks it.
      { path: 'api.clients[1].name', message: 'is required', line: 5, column: 7 },
      {
        path: 'limits.maxLabelNameBytes',
        message: 'must be at most 60 (Timestream dimension name limit)',
        line: 7,
        column: 22,
      },
    ]);
    expect(e.message.split('\n')[0]).toBe(
      `${file}:1:1 projectt: unknown key, did you mean \`project\`?`,
    );
  });

  it('treats an empty file as all defaults', () => {
    // Prepare
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '');

    // Act
    const { config } = loadConfigFile(file, {});

    // Assess
    expect(config.project).toBe('vigil');
  });
});

describe('Function: configPath', () => {
  it('resolves VIGIL_CONFIG, else ./vigil.config.yaml', () => {
    // Act & Assess
    expect(configPath({ VIGIL_CONFIG: '/etc/vigil.yaml' })).toBe('/etc/vigil.yaml');
    expect(configPath({})).toBe(join(process.cwd(), 'vigil.config.yaml'));
  });
});
