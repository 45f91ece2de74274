import {
  agentConfigJson,
  buildAgentConfig,
  SSM_STANDARD_MAX_BYTES,
} from '../../../../lambdas/domain/gpu/agent-config';
import { DEFAULT_GPU_CONFIG } from '../../../../lambdas/domain/gpu/gpu-config';

describe('Feature: CloudWatch agent configuration', () => {
  it('has the documented sections and field names', () => {
    // Act
    const c = buildAgentConfig({ collectionIntervalSeconds: 30 });

    // Assess
    expect(c.agent.metrics_collection_interval).toBe(30);
    expect(c.metrics.namespace).toBe('CWAgent');
    expect(c.metrics.append_dimensions).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudWatch agent placeholder
      InstanceId: '${aws:InstanceId}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudWatch agent placeholder
      InstanceType: '${aws:InstanceType}',
    });
    expect(Object.keys(c.metrics.metrics_collected).sort()).toEqual([
      'cpu',
      'disk',
      'mem',
      'nvidia_gpu',
    ]);
    expect(c.metrics.metrics_collected.nvidia_gpu.measurement).toEqual(
      expect.arrayContaining([
        'utilization_gpu',
        'utilization_memory',
        'memory_total',
        'memory_used',
        'memory_free',
        'temperature_gpu',
        'power_draw',
        'fan_speed',
        'clocks_current_graphics',
        'clocks_current_sm',
        'clocks_current_memory',
      ]),
    );
    expect(c.metrics.metrics_collected.mem.measurement).toEqual(['mem_used_percent']);
    expect(c.metrics.metrics_collected.cpu.totalcpu).toBe(true);
    expect(c.metrics.metrics_collected.disk.resources).toEqual(['/']);
  });

  it('fits a Standard SSM parameter as compact JSON', () => {
    // Act
    const json = agentConfigJson(DEFAULT_GPU_CONFIG);

    // Assess
    expect(new TextEncoder().encode(json).length).toBeLessThanOrEqual(SSM_STANDARD_MAX_BYTES);
    expect(JSON.parse(json)).toEqual(buildAgentConfig(DEFAULT_GPU_CONFIG));
    expect(json).not.toContain('\n');
  });
});
