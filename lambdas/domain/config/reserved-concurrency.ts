/**
 * How many concurrent executions a deployment of a config reserves: one each for the rule
 * evaluator, the scrape function and the Slack notifier when they exist and
 * `reservedConcurrency` is on, none otherwise. `vigil doctor` compares it with the account's
 * Lambda quota; the infrastructure tests compare it with the synthesized template.
 */
import { withDashboardRules } from '../dashboards/dashboard-series';
import { severityRoutingOf } from '../dashboards/mirror-rules';
import { TOPIC_SEVERITIES } from '../notifications/topics';
import type { VigilConfig } from './types';

/** The functions that reserve concurrency, with what each reserves. */
const reservedFunctionsOf = (config: VigilConfig): Readonly<Record<string, number>> => {
  if (!config.reservedConcurrency) return {};
  // The evaluator runs for rule files and for the dashboards' recording rules alike.
  const evaluator =
    config.rules.length > 0 ||
    withDashboardRules(undefined, config.dashboards, severityRoutingOf(config.channels), config) !==
      undefined;
  const slack = TOPIC_SEVERITIES.some((s) => config.channels.severities[s].slack);
  return {
    ...(evaluator ? { evaluateRules: 1 } : {}),
    ...(config.scrape.jobs.length > 0 ? { scrapeTargets: 1 } : {}),
    ...(slack ? { notifySlack: 1 } : {}),
  };
};

/** Total concurrent executions the config reserves. */
const reservedConcurrencyOf = (config: VigilConfig): number =>
  Object.values(reservedFunctionsOf(config)).reduce((a, b) => a + b, 0);

export { reservedConcurrencyOf, reservedFunctionsOf };
