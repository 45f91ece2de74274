import { labelNameOf, metricNameOf } from '../../../../lambdas/domain/otlp/names';

describe('Function: metricNameOf', () => {
  it.each([
    ['http.server.request.duration', 's', 'other', 'http_server_request_duration_seconds'],
    ['system.network.io', 'By', 'counter', 'system_network_io_bytes_total'],
    ['requests', '{request}', 'counter', 'requests_total'],
    ['requests_total', '1', 'counter', 'requests_total'],
    ['gpu.utilization', '1', 'gauge', 'gpu_utilization_ratio'],
    ['gpu.utilization', '1', 'other', 'gpu_utilization'],
    ['throughput', 'By/s', 'gauge', 'throughput_bytes_per_second'],
    ['rate', '1/s', 'gauge', 'rate_per_second'],
    ['latency_seconds', 's', 'other', 'latency_seconds'],
    ['cpu.temp', 'Cel', 'gauge', 'cpu_temp_celsius'],
    ['mem', 'MiBy', 'gauge', 'mem_mebibytes'],
    ['queue__depth', '', 'gauge', 'queue_depth'],
    ['2xx.responses', '', 'counter', '_2xx_responses_total'],
    ['size', 'kB{compressed}', 'gauge', 'size'],
    ['odd', 'm/s/x', 'gauge', 'odd_meters_per_s_x'],
    ['namespace:metric', 'ms', 'gauge', 'namespace:metric_milliseconds'],
  ] as const)('names %s [%s] as a %s %s', (name, unit, kind, expected) => {
    // Act
    const out = metricNameOf(name, unit, kind);

    // Assess
    expect(out).toBe(expected);
  });

  it('gives no name when nothing but separators is left', () => {
    // Act
    const out = ['...', '', '__'].map((n) => metricNameOf(n, '', 'gauge'));

    // Assess
    expect(out).toEqual([undefined, undefined, undefined]);
  });
});

describe('Function: labelNameOf', () => {
  it.each([
    ['http.method', 'http_method'],
    ['k8s.pod.name', 'k8s_pod_name'],
    ['0day', 'key_0day'],
    ['_private', 'key_private'],
    ['__reserved', '__reserved'],
    ['ünïcode', 'key_n_code'],
    ['a..b', 'a__b'],
  ])('names the attribute %s %s', (key, expected) => {
    // Act
    const out = labelNameOf(key);

    // Assess
    expect(out).toBe(expected);
  });

  it('gives no name to an empty key or one of underscores only', () => {
    // Act
    const out = ['', '___', '..'].map(labelNameOf);

    // Assess
    expect(out).toEqual([undefined, undefined, undefined]);
  });
});
