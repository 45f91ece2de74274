import { BadRequestError } from '../errors';

/** Longest part of the offending line an {@link ExpositionParseError} quotes. */
const SNIPPET_MAX_CHARS = 200;

/**
 * A text exposition payload (format 0.0.4) is malformed.
 *
 * The message has the shape of Go's `expfmt.ParseError`
 * (`text format parsing error in line N: …`), so a client sees what the Pushgateway would say.
 * It extends {@link BadRequestError}, so the HTTP layer answers 400.
 * @see https://github.com/prometheus/common/blob/main/expfmt/text_parse.go
 */
class ExpositionParseError extends BadRequestError {
  override readonly name: string = 'ExpositionParseError';
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column (in UTF-16 code units) where the parser stopped. */
  readonly column: number;
  /** The offending line, truncated to {@link SNIPPET_MAX_CHARS} characters. */
  readonly snippet: string;
  /** The message without the `text format parsing error in line N: ` prefix. */
  readonly reason: string;

  constructor(
    reason: string,
    position: { line: number; column: number; snippet: string },
    options?: ErrorOptions,
  ) {
    const message = `text format parsing error in line ${position.line}: ${reason}`;
    const snippet = position.snippet.slice(0, SNIPPET_MAX_CHARS);
    super(message, [`line ${position.line}, column ${position.column}: ${snippet}`], options);
    this.line = position.line;
    this.column = position.column;
    this.snippet = snippet;
    this.reason = reason;
  }
}

export { ExpositionParseError, SNIPPET_MAX_CHARS };
