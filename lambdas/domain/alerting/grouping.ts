/**
 * Grouping of alerts into aggregation groups, as Alertmanager's root route does.
 * @see https://github.com/prometheus/alertmanager/blob/main/dispatch/dispatch.go (getGroupLabels, aggrGroup)
 */
import type { Labels } from '../series/labels';
import { GROUP_BY_ALL } from './defaults';
import { labelSetString } from './label-set';

/** `Route.Key()` of the root route: the only route Vigil has. */
const ROOT_ROUTE_KEY = '{}';

/** The alert's labels named in `group_by` (all of them for `...`); absent labels are left out. */
const groupLabelsOf = (labels: Labels, groupBy: readonly string[]): Labels => {
  const all = groupBy.includes(GROUP_BY_ALL);
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) {
    const v = labels[name];
    if (v !== undefined && v !== '' && (all || groupBy.includes(name))) out[name] = v;
  }
  return out;
};

/**
 * The group key as Alertmanager prints it: `<route key>:<group labels>`.
 * @example groupKeyOf({ alertname: 'X' }) // '{}:{alertname="X"}'
 */
const groupKeyOf = (groupLabels: Labels): string =>
  `${ROOT_ROUTE_KEY}:${labelSetString(groupLabels)}`;

/** `model.LabelSet.Before`: compares sorted names, then values, then length. */
const labelSetBefore = (a: Labels, b: Labels): boolean => {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    const x = an[i] ?? '';
    const y = bn[i] ?? '';
    if (x !== y) return x < y;
    const xv = a[x] ?? '';
    const yv = b[y] ?? '';
    if (xv !== yv) return xv < yv;
  }
  return an.length < bn.length;
};

/**
 * Order of alerts in a notification (`types.AlertSlice.Less`): by `job`, then `instance`
 * (alerts that have the label first), then by the whole label set.
 */
const compareAlertLabels = (a: Labels, b: Labels): number => {
  for (const key of ['job', 'instance']) {
    const av = a[key];
    const bv = b[key];
    if (av === undefined && bv === undefined) continue;
    if (av === undefined) return 1;
    if (bv === undefined) return -1;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  if (labelSetBefore(a, b)) return -1;
  return labelSetBefore(b, a) ? 1 : 0;
};

/** Labels (or annotations) with the same value in every set (`template.Data` common labels). */
const commonOf = (sets: readonly Labels[]): Labels => {
  const first = sets[0];
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const name of Object.keys(first).sort()) {
    const v = first[name];
    if (v !== undefined && sets.every((s) => s[name] === v)) out[name] = v;
  }
  return out;
};

export { commonOf, compareAlertLabels, groupKeyOf, groupLabelsOf, ROOT_ROUTE_KEY };
