import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A config with a typo, a bad duration and a bad enum value, each on a known line. */
const BAD_CONFIG = [
  'project: demo',
  'projectt: typo',
  'alerting:',
  '  group_wait: soon',
  'channels:',
  '  default: urgent',
  '',
].join('\n');

const TSX = join('node_modules', '.bin', 'tsx');

describe('Feature: a bad vigil.config.yaml at every entry point', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-config-errors-'));
    file = join(dir, 'vigil.config.yaml');
    writeFileSync(file, BAD_CONFIG);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const expectedLines = (): string =>
    [
      `${file}:2:1 projectt: unknown key, did you mean \`project\`?`,
      `${file}:4:15 alerting.group_wait: not a valid duration: "soon" (e.g. 30s, 5m, 4h)`,
      `${file}:6:12 channels.default: must be one of critical, warning, info`,
      '',
    ].join('\n');

  it.each([
    ['npx vigil cost', process.execPath, ['bin/vigil.js', 'cost']],
    ['npm start', TSX, ['bin/server.ts']],
    ['cdk synth (bin/app.ts)', TSX, ['bin/app.ts']],
  ])('%s prints one line per problem and exits 1, without a stack trace', (_name, cmd, args) => {
    // Act
    const result = spawnSync(cmd, args, {
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', VIGIL_CONFIG: file, VIGIL_DATA_DIR: dir },
    });

    // Assess
    expect(result.stderr).toBe(expectedLines());
    expect(result.stdout).toBe('');
    expect(result.status).toBe(1);
  });
});
