import { unquoteString } from '../promql/lexical';

/** Why a text is not a plain selector; the message says it (`do not parse: …`, `only = …`). */
class SelectorTextError extends Error {}

interface ScannedMatcher {
  readonly name: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
  /** The quoted text held bytes that are not UTF-8 (`"\xff"`). */
  readonly invalidUtf8: boolean;
}

/** A plain selector's parts: `name`, `name{l op "v", ...}` or `{l op "v", ...}`. */
interface ScannedSelector {
  readonly name: string | undefined;
  readonly matchers: readonly ScannedMatcher[];
}

const METRIC_NAME_AT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME_AT = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const OP_AT = /=~|!~|!=|=/y;
const SPACE_AT = /[ \t\r\n]*/y;

/** The quoted string (quotes included) at `at`; PromQL's lexer ends `"` and `'` strings at a newline. */
const quotedAt = (text: string, at: number): string => {
  const q = text[at];
  if (q !== '"' && q !== "'" && q !== '`')
    throw new SelectorTextError(`do not parse: expected a quoted value at offset ${at}`);
  for (let j = at + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\n' && q !== '`') break;
    if (c === '\\' && q !== '`') j++;
    else if (c === q) return text.slice(at, j + 1);
  }
  throw new SelectorTextError('do not parse: unterminated quoted string');
};

/**
 * Reads a selector of the plain shapes as PromQL's grammar writes them (Go-quoted or raw strings,
 * optional trailing comma), without the PromQL parser; throws {@link SelectorTextError} for
 * anything else. `equalOnly` refuses `!=`, `=~` and `!~` where they are met.
 */
const scanSelector = (text: string, options: { equalOnly?: boolean } = {}): ScannedSelector => {
  let i = 0;
  const token = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (m === null) return undefined;
    i = re.lastIndex;
    return m[0];
  };
  const notASelector = () => new SelectorTextError(`are not a {name="value", ...} label set`);
  token(SPACE_AT);
  const name = token(METRIC_NAME_AT);
  token(SPACE_AT);
  const matchers: ScannedMatcher[] = [];
  if (text[i] === '{') {
    i++;
    for (;;) {
      token(SPACE_AT);
      if (text[i] === '}') break;
      const label = token(LABEL_NAME_AT);
      if (label === undefined)
        throw new SelectorTextError(`do not parse: expected a label name at offset ${i}`);
      token(SPACE_AT);
      const op = token(OP_AT) as ScannedMatcher['op'] | undefined;
      if (op === undefined) throw new SelectorTextError(`do not parse: expected = after ${label}`);
      token(SPACE_AT);
      const quoted = quotedAt(text, i);
      if (options.equalOnly && op !== '=')
        throw new SelectorTextError(`only = is allowed, got ${label}${op}`);
      i += quoted.length;
      let unquoted: ReturnType<typeof unquoteString>;
      try {
        unquoted = unquoteString(quoted);
      } catch (e) {
        throw new SelectorTextError(`do not parse: ${(e as Error).message}`);
      }
      matchers.push({
        name: label,
        op,
        value: unquoted.value,
        invalidUtf8: unquoted.invalidUtf8Quoted !== undefined,
      });
      token(SPACE_AT);
      if (text[i] === ',') i++;
      else if (text[i] !== '}')
        throw new SelectorTextError(`do not parse: expected , or } at offset ${i}`);
    }
    i++;
    token(SPACE_AT);
  } else if (name === undefined) {
    throw new SelectorTextError(
      `do not parse: unexpected ${JSON.stringify(text[i] ?? 'end of input')}`,
    );
  }
  if (i < text.length) throw notASelector();
  return { name, matchers };
};

export { type ScannedMatcher, type ScannedSelector, scanSelector, SelectorTextError };
