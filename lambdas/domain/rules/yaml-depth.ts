/**
 * A bound on how deeply YAML collections may nest, checked before a document is composed.
 *
 * The `yaml` package composes nested collections recursively: a few thousand `[` or indented
 * `- ` end in "Maximum call stack size exceeded", an error that names neither the cause nor a
 * useful place. Its concrete-syntax parser is iterative, so the nesting is measured on its tree
 * first and a document past {@link MAX_YAML_DEPTH} is refused at the collection that crosses it.
 * (go-yaml v3, which Prometheus uses, has a similar guard: "exceeded max depth of 10000".)
 */
import { type CST, Parser } from 'yaml';

/** Sequences and mappings inside one another; rule files need about 6. */
const MAX_YAML_DEPTH = 256;

interface YamlDepthViolation {
  /** Offset in the text of the first collection deeper than the limit. */
  readonly offset: number;
  readonly reason: string;
}

const isCollection = (t: CST.Token): t is CST.BlockMap | CST.BlockSequence | CST.FlowCollection =>
  t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection';

/**
 * The first place `text` nests collections deeper than `maxDepth`, or `undefined`.
 * @example findYamlDepthViolation('a: [[[1]]]', 2) // { offset: 5, reason: 'yaml: collections nested more than 2 levels deep' }
 */
const findYamlDepthViolation = (
  text: string,
  maxDepth: number = MAX_YAML_DEPTH,
): YamlDepthViolation | undefined => {
  const pending: { token: CST.Token; depth: number }[] = [];
  for (const token of new Parser().parse(text)) pending.push({ token, depth: 0 });
  while (pending.length > 0) {
    const { token, depth } = pending.pop() as { token: CST.Token; depth: number };
    if (token.type === 'document') {
      if (token.value) pending.push({ token: token.value, depth });
      continue;
    }
    if (!isCollection(token)) continue;
    const inner = depth + 1;
    if (inner > maxDepth)
      return {
        offset: token.offset,
        reason: `yaml: collections nested more than ${maxDepth} levels deep`,
      };
    for (const item of token.items) {
      if ('key' in item && item.key) pending.push({ token: item.key, depth: inner });
      if (item.value) pending.push({ token: item.value, depth: inner });
    }
  }
  return undefined;
};

export type { YamlDepthViolation };
export { findYamlDepthViolation, MAX_YAML_DEPTH };
