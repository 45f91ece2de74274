/**
 * Names of the environment variables the functions read. The CDK constructs that set them and
 * `config.ts` that reads them both import these constants, so a rename cannot drift.
 */
export const ENV = {
  /** Timestream database holding the `samples` table. */
  SAMPLES_DATABASE: 'VIGIL_SAMPLES_DATABASE',
  /** Timestream table of raw samples. */
  SAMPLES_TABLE: 'VIGIL_SAMPLES_TABLE',
  /** DynamoDB table holding Pushgateway groups. */
  PUSH_GROUPS_TABLE: 'VIGIL_PUSH_GROUPS_TABLE',
  /** DynamoDB table counting distinct series per metric (cardinality guard). */
  SERIES_INDEX_TABLE: 'VIGIL_SERIES_INDEX_TABLE',
  /** DynamoDB table of alert state, dispatcher state and silences (AlertStateStore). */
  ALERT_STATE_TABLE: 'VIGIL_ALERT_STATE_TABLE',
  /** JSON object: severity → SNS topic ARN, plus `default`. */
  ALERT_TOPICS: 'VIGIL_ALERT_TOPICS',
  /** Path (inside the function bundle) of the compiled rules document (rule groups + evaluation + alerting). */
  RULES_DOCUMENT: 'VIGIL_RULES_DOCUMENT',
  /** Secrets Manager ARN of the Slack incoming-webhook URL (the value is never in env). */
  SLACK_WEBHOOK_SECRET: 'VIGIL_SLACK_WEBHOOK_SECRET',
  /** Secrets Manager ARN of the PagerDuty Events API v2 routing key. */
  PAGERDUTY_ROUTING_KEY_SECRET: 'VIGIL_PAGERDUTY_ROUTING_KEY_SECRET',
  /** JSON of the channels config (dashboard URL, PagerDuty events URL), no secrets. */
  CHANNELS: 'VIGIL_CHANNELS',
  /** JSON of the runtime part of vigil.config.yaml (limits, CloudWatch mirror, pushgateway). */
  RUNTIME_CONFIG: 'VIGIL_RUNTIME_CONFIG',
  /** Local mode: comma-separated API keys; unset means no key is required. */
  API_KEYS: 'VIGIL_API_KEYS',
  /** Local mode: directory of the embedded store. */
  DATA_DIR: 'VIGIL_DATA_DIR',
  /** Path of vigil.config.yaml (default: ./vigil.config.yaml). */
  CONFIG_PATH: 'VIGIL_CONFIG',
  /** Local mode: TCP port (default 8080). */
  PORT: 'PORT',
  /** Timestream database holding the `events` table (prediction events). */
  EVENTS_DATABASE: 'VIGIL_EVENTS_DATABASE',
  /** Timestream table of prediction events (multi-measure records, read by drift). */
  EVENTS_TABLE: 'VIGIL_EVENTS_TABLE',
  /** JSON `{ project, logs }`: the `logs:` config section of the log ingest functions. */
  LOGS_CONFIG: 'VIGIL_LOGS_CONFIG',
  /** JSON of the GPU import settings: `{ scheduleMinutes, periodSeconds }` (gpu.import). */
  GPU_IMPORT: 'VIGIL_GPU_IMPORT',
  /** Path (inside the function bundle) of the drift document (`drift:` config + baseline CSVs). */
  DRIFT_DOCUMENT: 'VIGIL_DRIFT_DOCUMENT',
  /** S3 bucket of drift monitor reports. */
  DRIFT_REPORTS_BUCKET: 'VIGIL_DRIFT_REPORTS_BUCKET',
  /** Name of the drift monitor function (`POST /api/drift/monitors/{name}/run` invokes it). */
  DRIFT_FUNCTION: 'VIGIL_DRIFT_FUNCTION',
  /** Path (inside the function bundle) of the scrape jobs JSON (`scrape_configs`, validated; secrets only as Secrets Manager ids). */
  SCRAPE_JOBS: 'VIGIL_SCRAPE_JOBS',
  /** Sample store of this deployment: `timestream` | `amp` (`store:` of the config). */
  STORE: 'VIGIL_STORE',
  /** Amazon Managed Service for Prometheus workspace id (`store: amp`). */
  AMP_WORKSPACE_ID: 'VIGIL_AMP_WORKSPACE_ID',
  /**
   * Workspace URL, `https://aps-workspaces.<region>.amazonaws.com/workspaces/<id>` (no trailing
   * slash): remote write at `+ '/api/v1/remote_write'`, the Prometheus query API at `+ '/api/v1/…'`.
   */
  AMP_WORKSPACE_URL: 'VIGIL_AMP_WORKSPACE_URL',
  /** Region of the workspace, for SigV4 signing (service `aps`). */
  AMP_REGION: 'VIGIL_AMP_REGION',
  /** S3 bucket of prediction events (`S3EventStore`) when the store has no events table. */
  EVENTS_BUCKET: 'VIGIL_EVENTS_BUCKET',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
