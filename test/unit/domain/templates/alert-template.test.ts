import {
  checkTemplate,
  expandTemplate,
  renderAlertTemplate,
  TemplateError,
} from '../../../../lambdas/domain/templates/index';

const data = {
  labels: { alertname: 'HighLatency', instance: 'api-1.prod.example.com:8080', job: 'api' },
  externalLabels: { cluster: 'eu-1' },
  externalURL: 'https://vigil.example.com/prom',
  value: 0.8734,
};
const opts = { name: '__alert_HighLatency' };

describe('Function: renderAlertTemplate', () => {
  it.each([
    ['{{ $labels.instance }} on {{ $labels.job }}', 'api-1.prod.example.com:8080 on api'],
    ['{{ .Labels.job }} {{ .Value }}', 'api 0.8734'],
    ['{{ $value }}', '0.8734'],
    ['{{ $value | humanizePercentage }}', '87.34%'],
    ['{{ printf "%.2f" $value }}', '0.87'],
    [
      '{{ $externalLabels.cluster }} {{ $externalURL }} {{ .ExternalURL }}',
      'eu-1 https://vigil.example.com/prom https://vigil.example.com/prom',
    ],
    ['{{ $labels.instance | stripPort | stripDomain }}', 'api-1'],
    ['{{ if gt $value 0.5 }}critical{{ else }}warning{{ end }}', 'critical'],
    ['{{ toUpper $labels.job }} {{ title "model drift" }}', 'API Model Drift'],
    ['{{ reReplaceAll "(.*):.*" "$1" $labels.instance }}', 'api-1.prod.example.com'],
    ['{{ $labels.missing }}|{{ index $labels "job" }}', '|api'],
    [
      '{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}',
      'alertname=HighLatency instance=api-1.prod.example.com:8080 job=api ',
    ],
    ['{{ pathPrefix }}', '/prom'],
  ])('renders %p', async (text, expected) => {
    // Act
    const out = await renderAlertTemplate(text, data, opts);

    // Assess
    expect(out).toBe(expected);
  });

  it('prints large and small values the way Go prints float64', async () => {
    // Act
    const big = await renderAlertTemplate('{{ $value }}', { labels: {}, value: 1e6 });
    const tiny = await renderAlertTemplate('{{ $value }}', { labels: {}, value: 0.00001 });

    // Assess
    expect([big, tiny]).toEqual(['1e+06', '1e-05']);
  });

  it('awaits query with the evaluation time and pipes the result', async () => {
    // Prepare
    const calls: [string, number][] = [];
    const query = async (expr: string, atMs: number) => {
      calls.push([expr, atMs]);
      return [{ labels: { instance: 'a' }, value: 1234567 }];
    };

    // Act
    const out = await renderAlertTemplate(
      '{{ with query "up == 0" }}{{ . | first | value | humanize }} on {{ . | first | label "instance" }}{{ end }}',
      data,
      { ...opts, query, nowMs: 1_700_000_000_000 },
    );

    // Assess
    expect(out).toBe('1.235M on a');
    expect(calls).toEqual([['up == 0', 1_700_000_000_000]]);
  });

  it('renders execution errors into the result like Prometheus', async () => {
    // Act
    const out = await renderAlertTemplate('{{ humanize $labels.job }}', data, opts);

    // Assess
    expect(out).toBe(
      '<error expanding template: error executing template __alert_HighLatency: template: __alert_HighLatency:1:115: executing "__alert_HighLatency" at <humanize $labels.job>: error calling humanize: strconv.ParseFloat: parsing "api": invalid syntax>',
    );
  });

  it('renders the Go comparison error for an int literal compared with $value', async () => {
    // Act
    const out = await renderAlertTemplate('{{ if gt $value 0 }}x{{ end }}', data, opts);

    // Assess
    expect(out).toContain('error calling gt: incompatible types for comparison>');
  });

  it('renders parse errors and query failures instead of throwing', async () => {
    // Act
    const parse = await renderAlertTemplate('{{ nope }}', data, opts);
    const query = await renderAlertTemplate('{{ query "up" }}', data, {
      ...opts,
      query: async () => {
        throw new Error('store throttled');
      },
    });
    const noQuery = await renderAlertTemplate('{{ query "up" }}', data, opts);

    // Assess
    expect(parse).toBe(
      '<error expanding template: error parsing template __alert_HighLatency: template: __alert_HighLatency:1: function "nope" not defined>',
    );
    expect(query).toContain('error calling query: store throttled>');
    expect(noQuery).toContain('error calling query: no query function configured>');
  });
});

describe('Function: expandTemplate', () => {
  it('throws TemplateError with the phase and position', async () => {
    // Act
    const err = await expandTemplate('ok\n{{ .Nope }}', data, opts).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(TemplateError);
    expect(err).toMatchObject({ phase: 'execute', line: 2, column: 3 });
  });
});

describe('Function: checkTemplate', () => {
  it('accepts valid alert templates without executing them', () => {
    // Act
    const act = (): void =>
      checkTemplate(
        '{{ $labels.instance }} {{ query "up" | first | value | humanize }}',
        '__alert_X',
      );

    // Assess
    expect(act).not.toThrow();
  });

  it.each([
    ['{{ foo }}', 'template: __alert_X:1: function "foo" not defined'],
    ['{{ $nope }}', 'template: __alert_X:1: undefined variable "$nope"'],
    ['{{ tmpl "x" . }}', 'template: __alert_X:1: function "tmpl" not defined'],
    ['a\n{{ if }}', 'template: __alert_X:2: missing value for if'],
  ])('rejects %p like promtool', (text, message) => {
    // Act
    const act = (): void => checkTemplate(text, '__alert_X');

    // Assess
    expect(act).toThrow(TemplateError);
    expect(act).toThrow(message);
  });
});
