/** CloudWatch dashboards as code: config, recorded series, mirror rules and dashboard bodies. */
export * from './build-dashboards';
export * from './dashboard-series';
export * from './dashboards-config';
export * from './mirror-rules';
export * from './mirroring-series-store';
export * from './widgets';
