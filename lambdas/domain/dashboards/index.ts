/** CloudWatch dashboards as code: config, recorded series, mirror rules, dashboard bodies and
 * Metrics Insights queries. */
export * from './build-dashboards';
export * from './dashboard-series';
export * from './dashboards-config';
export * from './metrics-insights';
export * from './mirror-rules';
export * from './mirroring-series-store';
export * from './widgets';
