/**
 * Lexer of Go's text/template syntax with the default `{{ }}` delimiters: text, actions with trim
 * markers (`{{- ` and ` -}}`), comments (`{{/* … *\/}}`), and the tokens inside actions. It
 * mirrors Go's `text/template/parse/lex.go` state machine, error messages included.
 * @see https://github.com/golang/go/blob/master/src/text/template/parse/lex.go
 */

/** Token kinds; the keywords follow `Keyword` as in Go (`item > itemKeyword`). */
export const Item = {
  Error: 'error',
  Bool: 'bool',
  Char: 'char',
  CharConstant: 'charconst',
  Assign: 'assign',
  Declare: 'declare',
  EOF: 'EOF',
  Field: 'field',
  Identifier: 'identifier',
  LeftDelim: 'leftDelim',
  LeftParen: 'leftParen',
  Number: 'number',
  Pipe: 'pipe',
  RawString: 'rawString',
  RightDelim: 'rightDelim',
  RightParen: 'rightParen',
  Space: 'space',
  String: 'string',
  Text: 'text',
  Variable: 'variable',
  Dot: 'dot',
  Block: 'block',
  Break: 'break',
  Continue: 'continue',
  Define: 'define',
  Else: 'else',
  End: 'end',
  If: 'if',
  Nil: 'nil',
  Range: 'range',
  Template: 'template',
  With: 'with',
} as const;
export type Item = (typeof Item)[keyof typeof Item];

/** One token: kind, text, start offset (UTF-16 index) and 1-based line. */
export interface Token {
  readonly type: Item;
  readonly val: string;
  readonly pos: number;
  readonly line: number;
}

const KEYWORDS: Readonly<Record<string, Item>> = {
  '.': Item.Dot,
  block: Item.Block,
  break: Item.Break,
  continue: Item.Continue,
  define: Item.Define,
  else: Item.Else,
  end: Item.End,
  if: Item.If,
  range: Item.Range,
  nil: Item.Nil,
  template: Item.Template,
  with: Item.With,
};

/** Keyword items render as `<val>` in Go's error messages. */
const KEYWORD_ITEMS: ReadonlySet<Item> = new Set(
  Object.values(KEYWORDS).filter((k) => k !== Item.Dot),
);

const LEFT = '{{';
const RIGHT = '}}';
const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\r' || c === '\n';
const ALNUM_RE = /^[\p{L}\p{Nd}_]$/u;
const isAlphaNumeric = (c: string | undefined): boolean => c !== undefined && ALNUM_RE.test(c);

/** Go's `%#U`: `U+00A0 ' '`-style rune description (printable runes are shown quoted). */
const describeRune = (c: string): string => {
  const cp = c.codePointAt(0) as number;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(c) || c === ' ' ? `${hex} '${c}'` : hex;
};

/** Go's `item.String()`, used in "unexpected …" messages. */
const tokenString = (t: Token): string => {
  if (t.type === Item.EOF) return 'EOF';
  if (t.type === Item.Error) return t.val;
  if (KEYWORD_ITEMS.has(t.type)) return `<${t.val}>`;
  const q = JSON.stringify(t.val);
  return t.val.length > 10 ? `${JSON.stringify(t.val.slice(0, 10))}...` : q;
};

/** Tokenizes a whole template. The last token is `EOF` or `Error`. */
const lex = (input: string): Token[] => {
  const items: Token[] = [];
  let start = 0;
  let pos = 0;
  let parenDepth = 0;
  const lineAt = (p: number): number => {
    let n = 1;
    for (let i = input.indexOf('\n'); i >= 0 && i < p; i = input.indexOf('\n', i + 1)) n++;
    return n;
  };
  const emit = (type: Item, val = input.slice(start, pos), at = start): void => {
    items.push({ type, val, pos: at, line: lineAt(at) });
    start = pos;
  };
  const fail = (msg: string): Token[] => {
    items.push({ type: Item.Error, val: msg, pos: start, line: lineAt(start) });
    return items;
  };
  const atRightDelim = (): { delim: boolean; trim: boolean } => {
    if (isSpace(input[pos]) && input[pos + 1] === '-' && input.startsWith(RIGHT, pos + 2)) {
      return { delim: true, trim: true };
    }
    return { delim: input.startsWith(RIGHT, pos), trim: false };
  };
  const atTerminator = (): boolean => {
    const c = input[pos];
    return c === undefined || isSpace(c) || '.,|:)('.includes(c) || input.startsWith(RIGHT, pos);
  };
  const skipLeadingSpace = (): void => {
    while (isSpace(input[pos])) pos++;
    start = pos;
  };

  for (;;) {
    // Text up to the next left delimiter.
    const x = input.indexOf(LEFT, pos);
    if (x < 0) {
      pos = input.length;
      if (pos > start) emit(Item.Text);
      emit(Item.EOF);
      return items;
    }
    const trimLeft = input[x + 2] === '-' && isSpace(input[x + 3]);
    let textEnd = x;
    if (trimLeft) while (textEnd > start && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > start) {
      pos = textEnd;
      emit(Item.Text);
    }
    pos = x + LEFT.length;
    start = x;
    const afterMarker = trimLeft ? 2 : 0;
    if (input.startsWith('/*', pos + afterMarker)) {
      pos += afterMarker + 2;
      const end = input.indexOf('*/', pos);
      if (end < 0) return fail('unclosed comment');
      pos = end + 2;
      const { delim, trim } = atRightDelim();
      if (!delim) return fail('comment ends before closing delimiter');
      pos += (trim ? 2 : 0) + RIGHT.length;
      if (trim) skipLeadingSpace();
      start = pos;
      continue;
    }
    emit(Item.LeftDelim, LEFT, x);
    pos += afterMarker;
    start = pos;
    parenDepth = 0;
    // Inside the action.
    for (;;) {
      const { delim, trim } = atRightDelim();
      if (delim) {
        if (parenDepth !== 0) return fail('unclosed left paren');
        if (trim) pos += 2;
        start = pos;
        pos += RIGHT.length;
        emit(Item.RightDelim);
        if (trim) skipLeadingSpace();
        break;
      }
      const c = input[pos];
      if (c === undefined) return fail('unclosed action');
      if (isSpace(c)) {
        let n = 0;
        while (isSpace(input[pos])) {
          pos++;
          n++;
        }
        // A trim-marked right delimiter starts with the last space: leave it for the delimiter.
        if (input[pos] === '-' && input.startsWith(RIGHT, pos + 1)) {
          pos--;
          if (n === 1) continue;
        }
        emit(Item.Space);
        continue;
      }
      pos++;
      if (c === '=') emit(Item.Assign);
      else if (c === ':') {
        if (input[pos] !== '=') return fail('expected :=');
        pos++;
        emit(Item.Declare);
      } else if (c === '|') emit(Item.Pipe);
      else if (c === '"' || c === "'") {
        for (;;) {
          const q = input[pos++];
          const escaped = q === '\\' ? input[pos++] : '';
          if (escaped !== '' && escaped !== undefined && escaped !== '\n') continue;
          if (q === undefined || q === '\n' || q === '\\') {
            return fail(
              c === '"' ? 'unterminated quoted string' : 'unterminated character constant',
            );
          }
          if (q === c) break;
        }
        emit(c === '"' ? Item.String : Item.CharConstant);
      } else if (c === '`') {
        const end = input.indexOf('`', pos);
        if (end < 0) return fail('unterminated raw quoted string');
        pos = end + 1;
        emit(Item.RawString);
      } else if (c === '$' || (c === '.' && !/[0-9]/.test(input[pos] ?? ''))) {
        if (atTerminator()) {
          emit(c === '$' ? Item.Variable : Item.Dot);
          continue;
        }
        while (isAlphaNumeric(input[pos])) pos++;
        if (!atTerminator()) return fail(`bad character ${describeRune(input[pos] as string)}`);
        emit(c === '$' ? Item.Variable : Item.Field);
      } else if (c === '.' || c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        pos--;
        const m =
          /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]*)?|0[oO][0-7_]*|0[bB][01_]*|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]*)?)i?/.exec(
            input.slice(pos),
          ) as RegExpExecArray;
        pos += m[0].length;
        if (isAlphaNumeric(input[pos])) {
          pos++;
          return fail(`bad number syntax: ${JSON.stringify(input.slice(start, pos))}`);
        }
        emit(Item.Number);
      } else if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(input[pos])) pos++;
        const word = input.slice(start, pos);
        if (!atTerminator()) return fail(`bad character ${describeRune(input[pos] as string)}`);
        const kw = KEYWORDS[word];
        if (kw !== undefined && Object.hasOwn(KEYWORDS, word)) emit(kw);
        else if (word === 'true' || word === 'false') emit(Item.Bool);
        else emit(Item.Identifier);
      } else if (c === '(') {
        parenDepth++;
        emit(Item.LeftParen);
      } else if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) return fail('unexpected right paren');
        emit(Item.RightParen);
      } else if (c.charCodeAt(0) < 0x7f && c >= ' ') emit(Item.Char);
      else {
        const rune = String.fromCodePoint(input.codePointAt(pos - 1) as number);
        return fail(`unrecognized character in action: ${describeRune(rune)}`);
      }
    }
  }
};

export { lex, tokenString };
