/** `otlp:` of vigil.config.yaml, as the functions read it (validated by `otlp-config.ts`). */
export interface OtlpConfig {
  /** Resource attributes added as labels to every series of the resource (Prometheus's `promote_resource_attributes`). */
  readonly promoteResourceAttributes: readonly string[];
  /** Keep `service.name`, `service.namespace`, `service.instance.id` in `target_info` too. */
  readonly keepIdentifyingResourceAttributes: boolean;
}

export const DEFAULT_OTLP_CONFIG: OtlpConfig = {
  promoteResourceAttributes: [],
  keepIdentifyingResourceAttributes: false,
};
