/**
 * Test helper: every metric a dashboard body references, from metric rows and from the SEARCH
 * expressions of metric math rows, as `{ namespace, metric, dimensions }`.
 */
interface ReferencedMetric {
  readonly namespace: string;
  readonly metric: string;
  /** Dimension names, sorted. */
  readonly dimensions: readonly string[];
}

interface BodyJson {
  readonly widgets: readonly {
    readonly type: string;
    readonly properties: { readonly metrics?: readonly (readonly unknown[])[] };
  }[];
}

const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/s, '$1');

const fromSearch = (expression: string): ReferencedMetric[] =>
  [...expression.matchAll(/SEARCH\('\{([^}]*)\}\s*MetricName="([^"]+)"/g)].map((m) => {
    const [namespace, ...dims] = (m[1] as string).split(',').map(unquote);
    return { namespace: namespace as string, metric: m[2] as string, dimensions: dims.sort() };
  });

/** Every metric the body's metric widgets reference. */
const referencedMetrics = (json: unknown): ReferencedMetric[] =>
  (json as BodyJson).widgets
    .filter((w) => w.type === 'metric')
    .flatMap((w) => w.properties.metrics ?? [])
    .flatMap((row): ReferencedMetric[] => {
      const first = row[0];
      if (typeof first === 'object' && first !== null && 'expression' in first) {
        return fromSearch(String((first as { expression: string }).expression));
      }
      const strings = row.filter((x): x is string => typeof x === 'string');
      const [namespace, metric, ...pairs] = strings;
      const dimensions = pairs.filter((_, i) => i % 2 === 0).sort();
      return [{ namespace: namespace as string, metric: metric as string, dimensions }];
    });

export type { BodyJson, ReferencedMetric };
export { referencedMetrics };
