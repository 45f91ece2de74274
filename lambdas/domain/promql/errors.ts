/**
 * PromQL errors, named after Prometheus's error types (`bad_data`, `execution`, `timeout`).
 * @see https://github.com/prometheus/prometheus/blob/main/promql/parser/parse.go (ParseErr)
 * @see https://github.com/prometheus/prometheus/blob/main/promql/engine.go (ErrTooManySamples, ErrQueryTimeout)
 */

/** Where a parse error happened: 1-based line and column, and the query text. */
export interface PromqlParseErrorDetails {
  readonly line: number;
  readonly column: number;
  readonly query: string;
}

/** A query that does not parse or type-check. Message like Prometheus's `1:5: parse error: ...`. */
class PromqlParseError extends Error {
  override readonly name = 'PromqlParseError';
  readonly line: number;
  readonly column: number;
  readonly query: string;
  /** The message without the `line:col: parse error:` prefix. */
  readonly reason: string;
  constructor(reason: string, details: PromqlParseErrorDetails, options?: ErrorOptions) {
    super(`${details.line}:${details.column}: parse error: ${reason}`, options);
    this.reason = reason;
    this.line = details.line;
    this.column = details.column;
    this.query = details.query;
  }
}

/** A query that fails while it is evaluated (Prometheus `errorType: execution`). */
class PromqlExecutionError extends Error {
  override readonly name: string = 'PromqlExecutionError';
}

/** The query would hold more samples in memory than `maxSamples` (`--query.max-samples`). */
class PromqlTooManySamplesError extends PromqlExecutionError {
  override readonly name = 'PromqlTooManySamplesError';
  constructor(options?: ErrorOptions) {
    super('query processing would load too many samples into memory in query execution', options);
  }
}

/** The query ran past its timeout (Prometheus `errorType: timeout`). */
class PromqlTimeoutError extends Error {
  override readonly name = 'PromqlTimeoutError';
  constructor(stage: string, options?: ErrorOptions) {
    super(`query timed out in ${stage}`, options);
  }
}

/** Computes the 1-based line and column of a character offset, as Prometheus reports them. */
const positionOf = (query: string, offset: number): { line: number; column: number } => {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < query.length; i++) {
    if (query[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
};

export {
  PromqlExecutionError,
  PromqlParseError,
  PromqlTimeoutError,
  PromqlTooManySamplesError,
  positionOf,
};
