/**
 * Errors of the alert-template engine. Messages follow Go's text/template wording, so
 * `vigil rules check` reports what promtool would, e.g.
 * `template: __alert_X:1: function "foo" not defined`.
 * @see https://pkg.go.dev/text/template
 */

/** Where a template failed: while parsing it, or while executing it. */
export const TemplatePhase = { Parse: 'parse', Execute: 'execute' } as const;
export type TemplatePhase = (typeof TemplatePhase)[keyof typeof TemplatePhase];

/** Options of {@link TemplateError}. */
export interface TemplateErrorOptions extends ErrorOptions {
  readonly phase: TemplatePhase;
  /** The template's name (`__alert_<alertname>` for alert templates). */
  readonly templateName: string;
  /** 1-based line of the failure in the template text. */
  readonly line: number;
  /** 0-based byte column as Go reports it (execution errors only). */
  readonly column?: number;
}

/** A template that does not parse, or fails while executing. `message` is Go's error text. */
class TemplateError extends Error {
  readonly phase: TemplatePhase;
  readonly templateName: string;
  readonly line: number;
  readonly column?: number;

  constructor(message: string, options: TemplateErrorOptions) {
    super(message, options);
    this.name = 'TemplateError';
    this.phase = options.phase;
    this.templateName = options.templateName;
    this.line = options.line;
    if (options.column !== undefined) this.column = options.column;
  }
}

/**
 * Thrown by a template function to report a failure; the executor wraps it as Go does:
 * `error calling <fn>: <message>`.
 */
class TemplateFunctionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TemplateFunctionError';
  }
}

export { TemplateError, TemplateFunctionError };
