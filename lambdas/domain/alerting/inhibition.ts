/**
 * Inhibition: a firing source alert mutes target alerts.
 * @see https://github.com/prometheus/alertmanager/blob/main/inhibit/inhibit.go (Mutes, hasEqual)
 */
import type { Labels } from '../series/labels';
import type { InhibitRule } from './config';
import { matchesAll } from './matchers';

/** A candidate source alert: its labels and whether it is firing now. */
interface InhibitionSource {
  readonly fingerprint: string;
  readonly labels: Labels;
  readonly firing: boolean;
}

/**
 * The fingerprint of the alert inhibiting `labels`, or `undefined`. A rule mutes a target that
 * matches its `target_matchers` while a firing alert matches its `source_matchers` with equal
 * values (absent = `''`) for every `equal` label. When the target also matches the source
 * matchers, sources that also match the target matchers are skipped, so an alert never
 * inhibits itself or its like.
 */
const inhibitedBy = (
  labels: Labels,
  rules: readonly InhibitRule[],
  sources: readonly InhibitionSource[],
): string | undefined => {
  for (const rule of rules) {
    if (!matchesAll(rule.targetMatchers, labels)) continue;
    const excludeTwoSided = matchesAll(rule.sourceMatchers, labels);
    for (const s of sources) {
      if (!s.firing || !matchesAll(rule.sourceMatchers, s.labels)) continue;
      if (!rule.equal.every((n) => (s.labels[n] ?? '') === (labels[n] ?? ''))) continue;
      if (excludeTwoSided && matchesAll(rule.targetMatchers, s.labels)) continue;
      return s.fingerprint;
    }
  }
  return undefined;
};

export type { InhibitionSource };
export { inhibitedBy };
