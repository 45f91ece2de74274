import {
  alarmStatus,
  graph,
  layout,
  MAX_METRICS_PER_DASHBOARD,
  MAX_WIDGETS_PER_DASHBOARD,
  metricRow,
  paginate,
  searchExpression,
  text,
  type Widget,
} from '../../../../lambdas/domain/dashboards/widgets';

const small = (n: number, metrics = 1): Widget =>
  graph({
    title: `w${n}`,
    region: 'eu-west-1',
    stat: 'Average',
    periodSeconds: 60,
    metrics: Array.from({ length: metrics }, (_, i) => metricRow('Vigil', `m${i}`, {})),
  });

describe('Function: searchExpression', () => {
  it('writes the schema, the exact metric name and the dimension filters', () => {
    // Act
    const expr = searchExpression(
      'Vigil',
      ['job', 'quantile'],
      'vigil_dashboard:x:rate5m',
      'Average',
      60,
      {
        job: 'rxvision-api',
      },
    );

    // Assess
    expect(expr).toBe(
      `SEARCH('{Vigil,job,quantile} MetricName="vigil_dashboard:x:rate5m" job="rxvision-api"', 'Average', 60)`,
    );
  });

  it('quotes namespace and dimension names with other characters than letters, digits, / . _ -', () => {
    // Act
    const expr = searchExpression('My Metrics', ['AWS/EC2', 'gpu index'], 'm', 'Maximum', 300);

    // Assess
    expect(expr).toBe(
      `SEARCH('{"My Metrics",AWS/EC2,"gpu index"} MetricName="m"', 'Maximum', 300)`,
    );
  });
});

describe('Function: layout', () => {
  it('fills the 24-column grid left to right and wraps under the tallest widget of the row', () => {
    // Prepare
    const widgets = [text('# t', 2), small(1), small(2), small(3), small(4)];

    // Act
    const placed = layout(widgets);

    // Assess
    expect(placed.map((w) => [w.x, w.y])).toEqual([
      [0, 0],
      [0, 2],
      [8, 2],
      [16, 2],
      [0, 8],
    ]);
  });
});

describe('Function: paginate', () => {
  it('keeps a small dashboard on one page', () => {
    // Act
    const pages = paginate([text('# t'), small(1)]);

    // Assess
    expect(pages).toHaveLength(1);
    expect(pages[0]).toHaveLength(2);
  });

  it('splits at 500 widgets per dashboard', () => {
    // Prepare
    const widgets = Array.from({ length: 1001 }, (_, i) => small(i));

    // Act
    const pages = paginate(widgets);

    // Assess
    expect(pages.map((p) => p.length)).toEqual([MAX_WIDGETS_PER_DASHBOARD, 500, 1]);
    expect(pages[1]?.[0]).toMatchObject({ x: 0, y: 0 });
  });

  it('splits at 2,500 metrics per dashboard', () => {
    // Prepare: 6 widgets of 500 metrics
    const widgets = Array.from({ length: 6 }, (_, i) => small(i, 500));

    // Act
    const pages = paginate(widgets);

    // Assess
    expect(pages.map((p) => p.length)).toEqual([5, 1]);
    const metrics = (p: Widget[]) =>
      p.reduce((n, w) => n + (w.type === 'metric' ? w.properties.metrics.length : 0), 0);
    expect(metrics(pages[0] as Widget[])).toBe(MAX_METRICS_PER_DASHBOARD);
  });

  it('gives one empty page for no widgets', () => {
    // Assess
    expect(paginate([])).toEqual([[]]);
  });
});

describe('Function: alarmStatus', () => {
  it('lists at most 100 alarms per widget', () => {
    // Prepare
    const arns = Array.from(
      { length: 230 },
      (_, i) => `arn:aws:cloudwatch:eu-west-1:1:alarm:a${i}`,
    );

    // Act
    const widgets = alarmStatus('Vigil alarms', arns);

    // Assess
    expect(widgets.map((w) => w.properties.alarms.length)).toEqual([100, 100, 30]);
    expect(widgets.map((w) => w.properties.title)).toEqual([
      'Vigil alarms (1)',
      'Vigil alarms (2)',
      'Vigil alarms (3)',
    ]);
    expect(widgets[0]?.type).toBe('alarm');
  });

  it('makes no widget without alarms', () => {
    // Assess
    expect(alarmStatus('none', [])).toEqual([]);
  });
});

describe('Function: metricRow', () => {
  it('writes namespace, name, dimension pairs, then rendering options', () => {
    // Assess
    expect(
      metricRow('AWS/Lambda', 'Errors', { FunctionName: 'f' }, { stat: 'Sum', label: 'f' }),
    ).toEqual(['AWS/Lambda', 'Errors', 'FunctionName', 'f', { stat: 'Sum', label: 'f' }]);
    expect(metricRow('Vigil', 'up', {})).toEqual(['Vigil', 'up']);
  });
});
