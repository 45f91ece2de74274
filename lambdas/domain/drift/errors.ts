/** Drift errors: bad options or input the caller can fix (all map to HTTP 400). */
import { BadRequestError } from '../errors';

/** An unknown method, a method that does not apply to a column, or a bad threshold. */
class DriftOptionsError extends BadRequestError {
  override readonly name: string = 'DriftOptionsError';
}

/** A CSV document that cannot be read; `line` is 1-based (the header is line 1). */
class CsvParseError extends BadRequestError {
  override readonly name: string = 'CsvParseError';
  readonly line: number;
  constructor(message: string, line: number, options?: ErrorOptions) {
    super(`line ${line}: ${message}`, [`line ${line}: ${message}`], options);
    this.line = line;
  }
}

export { CsvParseError, DriftOptionsError };
