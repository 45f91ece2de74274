/**
 * Level spellings, so a query for `warn` finds events logged as `WARNING` and pino's `40`.
 * Mirrors the folding `parseLogEvents` applies (WARNING → WARN, ERR → ERROR, CRIT → CRITICAL;
 * pino's numeric levels, https://getpino.io/#/docs/api?id=levels).
 */

const ALIASES: Readonly<Record<string, string>> = {
  WARNING: 'WARN',
  ERR: 'ERROR',
  CRIT: 'CRITICAL',
};

const PINO_LEVELS: Readonly<Record<string, number>> = {
  TRACE: 10,
  DEBUG: 20,
  INFO: 30,
  WARN: 40,
  ERROR: 50,
  FATAL: 60,
};

/** The normalised level `parseLogEvents` stores for a spelling (`warning` → `WARN`). */
const normalizeLevel = (level: string): string => {
  const up = level.trim().toUpperCase();
  return ALIASES[up] ?? up;
};

/** Every upper-case spelling of a normalised level (`WARN` → `WARN`, `WARNING`). */
const levelSpellings = (level: string): string[] => {
  const norm = normalizeLevel(level);
  return [norm, ...Object.keys(ALIASES).filter((k) => ALIASES[k] === norm)];
};

/** pino's number for a normalised level, if it has one. */
const pinoLevelOf = (level: string): number | undefined => PINO_LEVELS[normalizeLevel(level)];

export { levelSpellings, normalizeLevel, pinoLevelOf };
