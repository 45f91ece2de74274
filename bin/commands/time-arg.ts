import { parseDurationMs } from '../../lambdas/domain/promql/lexical';

/**
 * A time argument of the CLI (`--since`, `--until`): a duration back from now (`90s`, `15m`,
 * `2d`, `1w`, Prometheus-style compounds such as `1h30m`), epoch milliseconds, or a date-time
 * (`2026-11-25T10:00:00Z`); undefined when unreadable.
 */
const parseTimeArg = (text: string, nowMs: number): number | undefined => {
  const t = text.trim();
  const d = parseDurationMs(t);
  if (d !== undefined) return nowMs - d;
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
};

export { parseTimeArg };
