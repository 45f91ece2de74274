/**
 * The function table shape shared by Go's builtins and Prometheus' template functions. Each
 * function declares Go parameter types, so arguments are checked and converted the way Go's
 * reflection-based `evalCall` does ("wrong type for value; expected string; got float64").
 * @see https://github.com/golang/go/blob/master/src/text/template/exec.go (evalCall, evalArg)
 */
import type { GoValue } from './values';

/** The Go parameter types template functions use. */
export const ParamKind = {
  Any: 'interface {}',
  Float64: 'float64',
  Int: 'int',
  QueryResult: 'template.queryResult',
  Sample: '*template.sample',
  String: 'string',
} as const;
export type ParamKind = (typeof ParamKind)[keyof typeof ParamKind];

/** One callable template function. Throw `TemplateFunctionError` (or any Error) to fail the call. */
export interface TemplateFunction {
  readonly params: readonly ParamKind[];
  /** Element type of a trailing `...` parameter. */
  readonly variadic?: ParamKind;
  readonly call: (args: GoValue[]) => GoValue | Promise<GoValue>;
}

/** Functions by name. */
export type FunctionMap = ReadonlyMap<string, TemplateFunction>;
