/**
 * Every custom metric a dashboard charts is mirrored to CloudWatch: the recorded dashboard series
 * (dashboard-series.ts) and the metrics of the user's widgets in the mirror namespace are added to
 * `cloudwatch.mirror`, so no widget is empty because its metric was never allow-listed.
 */
import type { CloudWatchConfig, MirrorRule } from '../config/types';
import type { ChannelsConfig } from '../notifications/channels-config';
import { TOPIC_SEVERITIES } from '../notifications/topics';
import { METRIC_NAME_RE } from '../series/labels';
import type { DashboardsConfig } from './dashboards-config';
import { recordedMirrorRules, type SeverityRouting } from './dashboard-series';

/** `channels:` → which `severity` label values reach each topic (itself, then its aliases). */
const severityRoutingOf = (
  channels: Pick<ChannelsConfig, 'aliases' | 'default'>,
): SeverityRouting => {
  const severities: Record<string, string[]> = {};
  for (const sev of TOPIC_SEVERITIES) severities[sev] = [sev];
  for (const [alias, sev] of Object.entries(channels.aliases)) severities[sev]?.push(alias);
  return { severities, default: channels.default };
};

const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/s, '$1');

/**
 * Metrics named by `SEARCH('{Namespace,dims…} MetricName="x" …', …)` expressions in
 * `namespace`. A SEARCH without a schema or without `MetricName` names no metric to mirror.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html
 */
const searchMirrorRules = (expression: string, namespace: string): MirrorRule[] => {
  const out: MirrorRule[] = [];
  for (const m of expression.matchAll(/SEARCH\(\s*'([^']*)'/g)) {
    const query = m[1] as string;
    const schema = /\{([^}]*)\}/.exec(query);
    const name = /MetricName\s*=\s*(?:"([^"]+)"|([A-Za-z0-9_:]+))/.exec(query);
    if (!schema || !name) continue;
    const [ns, ...dims] = (schema[1] as string).split(',').map(unquote);
    const metric = (name[1] ?? name[2]) as string;
    if (ns === namespace && METRIC_NAME_RE.test(metric)) out.push({ metric, dimensions: dims });
  }
  return out;
};

/**
 * The mirror rules the dashboards need: the recorded dashboard series, each user-widget metric
 * in the mirror namespace (with its dimension names), and the metrics named by user SEARCH
 * expressions over the mirror namespace.
 */
const dashboardMirrorRules = (
  config: DashboardsConfig,
  namespace: string,
  routing: SeverityRouting,
): MirrorRule[] => {
  if (!config.enabled) return [];
  const user = config.widgets.flatMap((w) => [
    ...w.metrics
      .filter((m) => (m.namespace ?? namespace) === namespace)
      .map((m) => ({ metric: m.metric, dimensions: Object.keys(m.dimensions) })),
    ...w.expressions.flatMap((e) => searchMirrorRules(e, namespace)),
  ]);
  return [...recordedMirrorRules(config, routing), ...user];
};

const ruleKey = (r: MirrorRule): string => JSON.stringify([r.metric, [...r.dimensions].sort()]);

/**
 * Union of allow-lists: `base` first and unchanged, then each rule of `extra` whose metric and
 * dimension set (order aside, as CloudWatch identifies a metric by the set) is not there yet.
 */
const mergeMirrorRules = (
  base: readonly MirrorRule[],
  extra: readonly MirrorRule[],
): MirrorRule[] => {
  const seen = new Set(base.map(ruleKey));
  const out = [...base];
  for (const r of extra) {
    const k = ruleKey(r);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(r);
    }
  }
  return out;
};

/**
 * `cloudwatch` with the dashboards' metrics added to `mirror`: what the functions get at run time.
 * @example
 * withDashboardMirrorRules(config.cloudwatch, config.dashboards, config.channels).mirror
 */
const withDashboardMirrorRules = (
  cloudwatch: CloudWatchConfig,
  dashboards: DashboardsConfig,
  channels: Pick<ChannelsConfig, 'aliases' | 'default'>,
): CloudWatchConfig => ({
  ...cloudwatch,
  mirror: mergeMirrorRules(
    cloudwatch.mirror,
    dashboardMirrorRules(dashboards, cloudwatch.namespace, severityRoutingOf(channels)),
  ),
});

export {
  dashboardMirrorRules,
  mergeMirrorRules,
  searchMirrorRules,
  severityRoutingOf,
  withDashboardMirrorRules,
};
