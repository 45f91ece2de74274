import type { CoverageRun } from './coverage-run';
import { grantedActions } from './iam-coverage';
import { wildcardMatch } from './policy-evaluator';
import { asyncFailureDestinations } from './service-paths';

/**
 * Actions Lambda itself uses with the execution role, not the handler's code: X-Ray segments
 * (tracing on) and the function's own log stream.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
 */
const RUNTIME_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
]);

/** One function's least-privilege figures. */
export interface FunctionFigures {
  readonly handler: string;
  /**
   * Distinct actions its code's calls need (implicit ones included), and those Lambda needs of
   * the role to send failed asynchronous invocations to their queue.
   */
  readonly used: readonly string[];
  /** Distinct actions its role allows (as written, wildcards kept). */
  readonly granted: readonly string[];
  /** Granted actions no recorded call needs, Lambda's own runtime actions aside. */
  readonly unused: readonly string[];
  /** Needed permissions the role lacks. */
  readonly missing: number;
}

/** Per function: used / granted actions, the slack between them, and what is missing. */
const figuresOf = (run: CoverageRun): FunctionFigures[] => {
  const asyncFailures = asyncFailureDestinations(run.model);
  return run.recordings
    .map((r) => {
      const result = run.results.get(r.fn.logicalId);
      const failures = asyncFailures
        .filter((d) => d.functionId === r.fn.logicalId)
        .flatMap((d) => d.needs);
      const used = [
        ...new Set([...(result?.required ?? []), ...failures].map((p) => p.action)),
      ].sort();
      const granted = grantedActions(run.model, r.fn.roleId).sort();
      const unused = granted.filter(
        (g) => !RUNTIME_ACTIONS.has(g) && !used.some((u) => wildcardMatch(g, u, true)),
      );
      return {
        handler: r.fn.handlerName,
        used,
        granted,
        unused,
        missing: result?.findings.length ?? 0,
      };
    })
    .sort((a, b) => a.handler.localeCompare(b.handler));
};

/** The figures as a Markdown table. */
const figuresTable = (figures: readonly FunctionFigures[]): string =>
  [
    '| function | actions used | actions granted | granted, unused by the code | missing |',
    '| --- | ---: | ---: | --- | ---: |',
    ...figures.map(
      (f) =>
        `| ${f.handler} | ${f.used.length} | ${f.granted.length} | ${f.unused.length === 0 ? '—' : f.unused.join(', ')} | ${f.missing} |`,
    ),
  ].join('\n');

export { figuresOf, figuresTable, RUNTIME_ACTIONS };
