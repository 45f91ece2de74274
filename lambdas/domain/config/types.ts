/**
 * The typed shape of `vigil.config.yaml`, inferred from its schema (schema.ts and each feature's
 * section schema). `validateConfig` (validate.ts) turns the parsed YAML into a `VigilConfig` with
 * every default filled in, or returns every error with its path.
 */
import type { OtlpConfig } from '../otlp/otlp-settings';
import type { RelabelConfig } from '../scrape/relabel';
import type { VigilConfig } from './schema';

export type { StoreKind } from './store';
export type { VigilConfig };

/** Ingestion limits, enforced before anything is stored. See the limits documentation. */
export type IngestLimits = VigilConfig['limits'];
/** One metric mirrored to CloudWatch, with the label names kept as dimensions. */
export type MirrorRule = VigilConfig['cloudwatch']['mirror'][number];
export type CloudWatchConfig = VigilConfig['cloudwatch'];
export type PushgatewayConfig = VigilConfig['pushgateway'];
/** Throttling of one API client (API Gateway usage plan). */
export type ApiClientConfig = VigilConfig['api']['clients'][number];
export type TimestreamConfig = VigilConfig['timestream'];
/** The Amazon Managed Service for Prometheus workspace (`store: amp`). */
export type AmpConfig = VigilConfig['amp'];
/** How rule groups are evaluated (Prometheus `global:` equivalents). */
export type EvaluationConfig = VigilConfig['evaluation'];

/** The runtime part of the config handed to functions through `ENV.RUNTIME_CONFIG`. */
export interface RuntimeConfig
  extends Pick<VigilConfig, 'limits' | 'cloudwatch' | 'pushgateway' | 'maxSampleAgeMs'> {
  /**
   * Prometheus `write_relabel_configs`, applied to every ingested series before validation and
   * limits (a runtime config without them, from an older deployment, relabels nothing). @default []
   */
  readonly writeRelabelConfigs?: readonly RelabelConfig[];
  /** `otlp:` (a runtime config from an older deployment has none: the defaults apply). */
  readonly otlp?: OtlpConfig;
}
