import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpuAgentConfig, parseGpuAgentConfigArgs } from '../../../bin/commands/gpu-agent-config';
import { buildAgentConfig } from '../../../lambdas/domain/gpu/agent-config';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-gpu-agent-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const run = (configFile?: string) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = gpuAgentConfig({
    configFile,
    out: (t) => out.push(t),
    err: (l) => err.push(l),
  });
  return { code, out: out.join(''), err };
};

describe('Feature: vigil gpu-agent-config', () => {
  it('prints the agent JSON for the configured collection interval', () => {
    // Prepare
    const file = join(dir, 'vigil.config.yaml');
    writeFileSync(file, 'gpu:\n  enabled: true\n  collectionIntervalSeconds: 10\n');

    // Act
    const { code, out } = run(file);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(buildAgentConfig({ collectionIntervalSeconds: 10 }));
  });

  it('exits 1 naming the problem when the config is invalid', () => {
    // Prepare
    const file = join(dir, 'vigil.config.yaml');
    writeFileSync(file, 'gpu:\n  collectionIntervalSeconds: 45\n');

    // Act
    const { code, out, err } = run(file);

    // Assess
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err.join('\n')).toContain(
      'gpu.collectionIntervalSeconds: must be one of 1, 5, 10, 30, 60',
    );
  });

  it('parses --config in both forms and refuses other arguments', () => {
    // Act & Assess
    expect(parseGpuAgentConfigArgs([])).toEqual({});
    expect(parseGpuAgentConfigArgs(['--config', 'a.yaml'])).toEqual({ configFile: 'a.yaml' });
    expect(parseGpuAgentConfigArgs(['--config=b.yaml'])).toEqual({ configFile: 'b.yaml' });
    expect(parseGpuAgentConfigArgs(['--config'])).toEqual({ error: '--config needs a file name' });
    expect(parseGpuAgentConfigArgs(['-x'])).toEqual({ error: 'unknown flag -x' });
    expect(parseGpuAgentConfigArgs(['a.yaml'])).toEqual({ error: 'unexpected argument "a.yaml"' });
  });

  it('runs as `npx vigil gpu-agent-config` through bin/vigil.js', () => {
    // Prepare
    const file = join(dir, 'vigil.config.yaml');
    writeFileSync(file, 'project: demo\ngpu:\n  enabled: true\n');

    // Act
    const result = spawnSync(
      process.execPath,
      ['bin/vigil.js', 'gpu-agent-config', '--config', file],
      {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );

    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.metrics.metrics_collected.nvidia_gpu.measurement).toContain('utilization_gpu');
    expect(printed.agent.metrics_collection_interval).toBe(60);
  });
});
