/**
 * Test helper mirroring Prometheus' `Expander.Expand` for arbitrary data (template/template.go):
 * parse with Go's builtins plus Prometheus' functions, execute with `missingkey=zero`, and wrap
 * errors as `error parsing template <name>: …` / `error executing template <name>: …`.
 */
import { BUILTINS } from '../../../../lambdas/domain/templates/builtins';
import { TemplateError } from '../../../../lambdas/domain/templates/errors';
import { executeTemplate } from '../../../../lambdas/domain/templates/executor';
import type { TemplateFunction } from '../../../../lambdas/domain/templates/functions';
import { parseTemplate } from '../../../../lambdas/domain/templates/parser';
import {
  prometheusFunctions,
  type TemplateQuerySample,
} from '../../../../lambdas/domain/templates/prometheus-functions';
import { GoSlice, type GoValue } from '../../../../lambdas/domain/templates/values';

const EXTERNAL_URL = 'http://testhost:9090/path/prefix';

/** Expands `text` named `test` with `input` as data; resolves to the output or Go's error text. */
const expand = async (
  text: string,
  input: GoValue = undefined,
  queryResult: readonly TemplateQuerySample[] = [],
): Promise<{ output?: string; error?: string }> => {
  const funcs = new Map<string, TemplateFunction>(BUILTINS);
  const prom = prometheusFunctions({
    query: async () => queryResult,
    nowMs: 0,
    externalURL: EXTERNAL_URL,
  });
  for (const [k, v] of prom) funcs.set(k, v);
  let trees: ReturnType<typeof parseTemplate>;
  try {
    trees = parseTemplate('test', text, new Set(funcs.keys()));
  } catch (e) {
    if (e instanceof TemplateError) return { error: `error parsing template test: ${e.message}` };
    throw e;
  }
  try {
    return { output: await executeTemplate(trees, 'test', text, input, funcs) };
  } catch (e) {
    if (e instanceof TemplateError) return { error: `error executing template test: ${e.message}` };
    throw e;
  }
};

/** A Go slice value for range-based test inputs. */
const slice = (typeName: string, items: GoValue[]): GoSlice => new GoSlice(typeName, items);

export { expand, slice };
