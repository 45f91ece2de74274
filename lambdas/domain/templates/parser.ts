/**
 * Parser of Go's text/template, following `text/template/parse/parse.go`: actions, pipelines with
 * declarations (`$x := …`, `$x = …`, `range $i, $e := …`), `if`/`else if`/`with`/`else with`/
 * `range`/`break`/`continue`/`define`/`template`/`block`, parenthesized pipelines and chains.
 * Functions and variables are checked at parse time, as Go does: an unknown function fails with
 * `function "foo" not defined`.
 * @see https://github.com/golang/go/blob/master/src/text/template/parse/parse.go
 */
import { unquoteString } from '../promql/lexical';
import type {
  ArgNode,
  BranchNode,
  CommandNode,
  ListNode,
  NumberNode,
  PipeNode,
  StatementNode,
  TemplateNode,
  Tree,
  VariableNode,
} from './ast';
import { nodeString } from './ast';
import { TemplateError, TemplatePhase } from './errors';
import { Item, lex, type Token, tokenString } from './lexer';

type EndOrElse = { readonly type: 'End' | 'Else'; readonly pos: number };

/** Parses Go number literals into int and/or float forms (parse.go `newNumber`). */
const parseNumber = (text: string, pos: number, charConst: boolean): NumberNode | string => {
  if (charConst) {
    let r: string;
    try {
      r = unquoteString(`"${text.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`).value;
    } catch {
      return `malformed character constant: ${text}`;
    }
    if ([...r].length !== 1) return `malformed character constant: ${text}`;
    const cp = BigInt(r.codePointAt(0) as number);
    return { type: 'Number', pos, text, int: cp, float: Number(cp) };
  }
  if (text.endsWith('i')) return `complex numbers are not supported: ${text}`;
  const neg = text.startsWith('-');
  const body = text.replace(/^[+-]/, '').replace(/_/g, '');
  let int: bigint | undefined;
  if (/^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/.test(body)) int = BigInt(body);
  else if (/^0[0-7]+$/.test(body)) int = BigInt(`0o${body.slice(1)}`);
  if (int !== undefined) {
    if (neg) int = -int;
    if (int >= -(2n ** 63n) && int < 2n ** 63n)
      return { type: 'Number', pos, text, int, float: Number(int) };
    if (!/[.eEpP]/.test(body)) return `integer overflow: ${JSON.stringify(text)}`;
  }
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) {
    const float = (neg ? -1 : 1) * Number(body);
    const asInt = Number.isInteger(float) && Math.abs(float) < 2 ** 63 ? BigInt(float) : undefined;
    return asInt === undefined
      ? { type: 'Number', pos, text, float }
      : { type: 'Number', pos, text, int: asInt, float };
  }
  return `illegal number syntax: ${JSON.stringify(text)}`;
};

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private current: Token;
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly name: string,
    text: string,
    private readonly functions: ReadonlySet<string>,
    private readonly trees: Map<string, Tree>,
  ) {
    this.tokens = lex(text);
    this.current = this.tokens[0] as Token;
  }

  parse(): void {
    const nodes: StatementNode[] = [];
    while (this.peek().type !== Item.EOF) {
      if (this.peek().type === Item.LeftDelim) {
        const save = this.index;
        this.next();
        if (this.peekNonSpace().type === Item.Define) {
          this.nextNonSpace();
          this.parseDefinition();
          continue;
        }
        this.index = save;
      }
      const n = this.textOrAction();
      if (n.type === 'End' || n.type === 'Else') this.errorf(`unexpected ${this.endString(n)}`);
      nodes.push(n as StatementNode);
    }
    this.add(this.name, { type: 'List', pos: 0, nodes });
  }

  private endString(n: EndOrElse): string {
    return n.type === 'End' ? '{{end}}' : '{{else}}';
  }

  private add(name: string, root: ListNode): void {
    const existing = this.trees.get(name);
    if (existing && existing.root.nodes.length > 0 && root.nodes.length > 0 && name !== this.name) {
      this.errorf(`template: multiple definition of template ${JSON.stringify(name)}`);
    }
    if (!existing || root.nodes.length > 0) this.trees.set(name, { name, root });
  }

  private errorf(msg: string): never {
    throw new TemplateError(`template: ${this.name}:${this.current.line}: ${msg}`, {
      phase: TemplatePhase.Parse,
      templateName: this.name,
      line: this.current.line,
    });
  }

  private next(): Token {
    this.current = this.tokens[Math.min(this.index++, this.tokens.length - 1)] as Token;
    return this.current;
  }

  private peek(): Token {
    return this.tokens[Math.min(this.index, this.tokens.length - 1)] as Token;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === Item.Space) t = this.next();
    return t;
  }

  /** Like Go's: skips (consumes) spaces, then peeks. */
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  private backup(): void {
    this.index--;
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === Item.Error) this.errorf(t.val);
    this.errorf(`unexpected ${tokenString(t)} in ${context}`);
  }

  private expect(type: Item, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== Item.String && nameTok.type !== Item.RawString)
      this.unexpected(nameTok, context);
    const name = this.unquote(nameTok.val);
    this.expect(Item.RightDelim, context);
    const saved = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    this.vars = saved;
    if (end.type !== 'End') this.errorf(`unexpected ${this.endString(end)} in ${context}`);
    this.add(name, list);
  }

  private unquote(quoted: string): string {
    try {
      return unquoteString(quoted).value;
    } catch {
      return this.errorf('invalid syntax');
    }
  }

  private itemList(): [ListNode, EndOrElse] {
    const pos = this.peekNonSpace().pos;
    const nodes: StatementNode[] = [];
    while (this.peekNonSpace().type !== Item.EOF) {
      const n = this.textOrAction();
      if (n.type === 'End' || n.type === 'Else')
        return [{ type: 'List', pos, nodes }, n as EndOrElse];
      nodes.push(n as StatementNode);
    }
    return this.errorf('unexpected EOF');
  }

  private textOrAction(): StatementNode | EndOrElse {
    const t = this.nextNonSpace();
    if (t.type === Item.Text) return { type: 'Text', pos: t.pos, text: t.val };
    if (t.type === Item.LeftDelim) return this.action();
    return this.unexpected(t, 'input');
  }

  private action(): StatementNode | EndOrElse {
    const t = this.nextNonSpace();
    switch (t.type) {
      case Item.Block:
        return this.blockControl();
      case Item.Break:
      case Item.Continue: {
        const word = t.type;
        if (this.rangeDepth === 0) this.errorf(`{{${word}}} outside {{range}}`);
        this.expect(Item.RightDelim, `{{${word}}}`);
        return { type: word === Item.Break ? 'Break' : 'Continue', pos: t.pos };
      }
      case Item.Else: {
        const p = this.peekNonSpace();
        if (p.type === Item.If || p.type === Item.With) return { type: 'Else', pos: p.pos };
        return { type: 'Else', pos: this.expect(Item.RightDelim, 'else').pos };
      }
      case Item.End:
        return { type: 'End', pos: this.expect(Item.RightDelim, 'end').pos };
      case Item.If:
        return this.control('If');
      case Item.Range:
        return this.control('Range');
      case Item.Template:
        return this.templateControl();
      case Item.With:
        return this.control('With');
      default: {
        this.backup();
        const pipe = this.pipeline('command', Item.RightDelim);
        return { type: 'Action', pos: t.pos, pipe };
      }
    }
  }

  private control(type: BranchNode['type']): BranchNode {
    const context = type.toLowerCase();
    const mark = this.vars.length;
    const pipe = this.pipeline(context, Item.RightDelim);
    if (type === 'Range') this.rangeDepth++;
    const [list, next] = this.itemList();
    if (type === 'Range') this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.type === 'Else') {
      const p = this.peek();
      if ((type === 'If' && p.type === Item.If) || (type === 'With' && p.type === Item.With)) {
        this.next();
        elseList = { type: 'List', pos: next.pos, nodes: [this.control(type)] };
      } else {
        const [els, end] = this.itemList();
        if (end.type !== 'End') this.errorf(`expected end; found ${this.endString(end)}`);
        elseList = els;
      }
    }
    this.vars.length = mark;
    return elseList
      ? { type, pos: pipe.pos, pipe, list, elseList }
      : { type, pos: pipe.pos, pipe, list };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const t = this.nextNonSpace();
    if (t.type !== Item.String && t.type !== Item.RawString) this.unexpected(t, context);
    const name = this.unquote(t.val);
    if (this.nextNonSpace().type === Item.RightDelim) return { type: 'Template', pos: t.pos, name };
    this.backup();
    const pipe = this.pipeline(context, Item.RightDelim);
    return { type: 'Template', pos: t.pos, name, pipe };
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const t = this.nextNonSpace();
    if (t.type !== Item.String && t.type !== Item.RawString) this.unexpected(t, context);
    const name = this.unquote(t.val);
    const pipe = this.pipeline(context, Item.RightDelim);
    const saved = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    this.vars = saved;
    if (end.type !== 'End') this.errorf(`unexpected ${this.endString(end)} in ${context}`);
    this.add(name, list);
    return { type: 'Template', pos: t.pos, name, pipe };
  }

  private pipeline(context: string, end: Item): PipeNode {
    const pos = this.peekNonSpace().pos;
    const decl: VariableNode[] = [];
    let isAssign = false;
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== Item.Variable) break;
      const save = this.index;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === Item.Assign || next.type === Item.Declare) {
        isAssign = next.type === Item.Assign;
        this.nextNonSpace();
        decl.push({ type: 'Variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        break;
      }
      if (next.type === Item.Char && next.val === ',') {
        this.nextNonSpace();
        decl.push({ type: 'Variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && decl.length < 2) {
          const p = this.peekNonSpace().type;
          if (p === Item.Variable || p === Item.RightDelim || p === Item.RightParen) continue;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      }
      this.index = save;
      break;
    }
    const cmds: CommandNode[] = [];
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        if (cmds.length === 0) this.errorf(`missing value for ${context}`);
        cmds.slice(1).forEach((c, i) => {
          const head = c.args[0]?.type;
          if (
            head === 'Bool' ||
            head === 'Dot' ||
            head === 'Nil' ||
            head === 'Number' ||
            head === 'String'
          ) {
            this.errorf(`non executable command in pipeline stage ${i + 2}`);
          }
        });
        return { type: 'Pipe', pos, isAssign, decl, cmds };
      }
      switch (t.type) {
        case Item.Bool:
        case Item.CharConstant:
        case Item.Dot:
        case Item.Field:
        case Item.Identifier:
        case Item.Number:
        case Item.Nil:
        case Item.RawString:
        case Item.String:
        case Item.Variable:
        case Item.LeftParen:
          this.backup();
          cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private command(): CommandNode {
    const pos = this.peekNonSpace().pos;
    const args: ArgNode[] = [];
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) args.push(operand);
      const t = this.next();
      if (t.type === Item.Space) continue;
      if (t.type === Item.RightDelim || t.type === Item.RightParen) this.backup();
      else if (t.type !== Item.Pipe) this.unexpected(t, 'operand');
      break;
    }
    if (args.length === 0) this.errorf('empty command');
    return { type: 'Command', pos, args };
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (!node || this.peek().type !== Item.Field) return node;
    const pos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === Item.Field) fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'Field':
        return { type: 'Field', pos, ident: [...node.ident, ...fields] };
      case 'Variable':
        return { type: 'Variable', pos, ident: [...node.ident, ...fields] };
      case 'Bool':
      case 'String':
      case 'Number':
      case 'Nil':
      case 'Dot':
        return this.errorf(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      default:
        return { type: 'Chain', pos, node, fields };
    }
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case Item.Identifier:
        if (!this.functions.has(t.val))
          this.errorf(`function ${JSON.stringify(t.val)} not defined`);
        return { type: 'Identifier', pos: t.pos, ident: t.val };
      case Item.Dot:
        return { type: 'Dot', pos: t.pos };
      case Item.Nil:
        return { type: 'Nil', pos: t.pos };
      case Item.Variable:
        if (!this.vars.includes(t.val)) this.errorf(`undefined variable ${JSON.stringify(t.val)}`);
        return { type: 'Variable', pos: t.pos, ident: [t.val] };
      case Item.Field:
        return { type: 'Field', pos: t.pos, ident: [t.val.slice(1)] };
      case Item.Bool:
        return { type: 'Bool', pos: t.pos, value: t.val === 'true' };
      case Item.CharConstant:
      case Item.Number: {
        const n = parseNumber(t.val, t.pos, t.type === Item.CharConstant);
        return typeof n === 'string' ? this.errorf(n) : n;
      }
      case Item.LeftParen: {
        const pipe = this.pipeline('parenthesized pipeline', Item.RightParen);
        return pipe;
      }
      case Item.String:
      case Item.RawString:
        return { type: 'String', pos: t.pos, quoted: t.val, text: this.unquote(t.val) };
      default:
        this.backup();
        return undefined;
    }
  }
}

/**
 * Parses a template and the templates it defines. Returns every tree by name; the main one is
 * under `name`. Throws {@link TemplateError} with Go's message on a syntax error.
 * @param functions names of the functions the template may call (checked at parse time, as Go does)
 */
const parseTemplate = (
  name: string,
  text: string,
  functions: ReadonlySet<string>,
): Map<string, Tree> => {
  const trees = new Map<string, Tree>();
  new Parser(name, text, functions, trees).parse();
  return trees;
};

export { parseTemplate };
