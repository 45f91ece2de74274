/**
 * What the Lambda bundles load in place of `@lezer/highlight` (esbuild `alias` in
 * `lib/constructs/lambda-bundle.ts`). `@prometheus-io/lezer-promql` imports it only to attach
 * editor highlighting tags to its node types (`propSources`); Vigil never highlights, and
 * building those tags is about a third of the parser's load time. The parse trees are the same.
 */

/** Any tag, and any tag modifier applied to one: the same inert value. */
const inertTag: unknown = new Proxy(() => inertTag, {
  get: () => inertTag,
  apply: () => inertTag,
});

/** `styleTags`: a node prop source that adds no prop to any node type. */
const styleTags = (_spec: Readonly<Record<string, unknown>>) => (): undefined => undefined;

const tags = inertTag;

export { styleTags, tags };
