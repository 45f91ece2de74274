/**
 * Prometheus alert-template rendering: a Go text/template engine (lexer → parser → executor) with
 * Prometheus' template functions.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/template_reference/
 */
export type { AlertTemplateData, RenderOptions } from './alert-template';
export {
  checkTemplate,
  expandTemplate,
  renderAlertTemplate,
  TEMPLATE_DEFS,
} from './alert-template';
export type { TemplateErrorOptions } from './errors';
export { TemplateError, TemplateFunctionError, TemplatePhase } from './errors';
export type { TemplateQueryFn, TemplateQuerySample } from './prometheus-functions';
