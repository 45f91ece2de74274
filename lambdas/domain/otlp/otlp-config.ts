import { bool, fail, list, section, show, str } from '../config/schema-kit';
import { DEFAULT_OTLP_CONFIG } from './otlp-settings';

/**
 * `otlp:` in vigil.config.yaml: how `POST /v1/metrics` translates resources, with Prometheus's
 * own key names (`otlp:` of prometheus.yml).
 */
const otlpSchema = section({
  /** Resource attributes copied onto every series of the resource, as labels. */
  promote_resource_attributes: list(str('must be an attribute name'))
    .superRefine((keys, ctx) => {
      const seen = new Set<string>();
      keys.forEach((k, i) => {
        if (k.trim() === '') fail(ctx, `must not be empty, got ${show(k)}`, [i]);
        else if (seen.has(k)) fail(ctx, `${show(k)} is listed twice`, [i]);
        seen.add(k);
      });
    })
    .default([]),
  /** Also keep `service.name`, `service.namespace` and `service.instance.id` in `target_info`. */
  keep_identifying_resource_attributes: bool().default(false),
}).transform((c) => ({
  promoteResourceAttributes: c.promote_resource_attributes.map((k) => k.trim()),
  keepIdentifyingResourceAttributes: c.keep_identifying_resource_attributes,
}));

export { DEFAULT_OTLP_CONFIG, otlpSchema };
