/**
 * Executes a parsed template against Go-like data, following `text/template/exec.go` with
 * `missingkey=zero`: the same evaluation order, the same `at <node>` tracking and the same error
 * texts (`template: t:1:21: executing "t" at <first>: error calling first: …`).
 * Execution is async so functions such as `query` may await I/O.
 * @see https://github.com/golang/go/blob/master/src/text/template/exec.go
 */
import type {
  ArgNode,
  BranchNode,
  ChainNode,
  CommandNode,
  FieldNode,
  IdentifierNode,
  Node,
  NumberNode,
  PipeNode,
  StatementNode,
  TemplateNode,
  Tree,
  VariableNode,
} from './ast';
import { nodeString } from './ast';
import { TemplateError, TemplatePhase } from './errors';
import { type FunctionMap, ParamKind, type TemplateFunction } from './functions';
import { formatValue } from './go-fmt';
import { formatTime } from './go-time';
import { GoMap, GoSlice, GoStruct, GoTime, type GoValue, goTypeName, isTrue } from './values';

/** Nesting limit of `{{template}}` calls (Go allows 100000; the JS stack allows far fewer). */
const MAX_EXEC_DEPTH = 1000;

const MISSING = Symbol('missing');
type Final = GoValue | typeof MISSING;
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');

interface Variable {
  readonly name: string;
  value: GoValue;
}

/** Methods callable on `*time.Time` values (from `toTime`). */
const timeMethods = (t: GoTime): Readonly<Record<string, TemplateFunction>> => ({
  Format: {
    params: [ParamKind.String],
    call: ([layout]) => formatTime(t.epochMs, layout as string),
  },
  String: { params: [], call: () => formatValue(t) },
  UTC: { params: [], call: () => t },
  Unix: { params: [], call: () => BigInt(Math.floor(t.epochMs / 1000)) },
  UnixMilli: { params: [], call: () => BigInt(t.epochMs) },
  Year: { params: [], call: () => BigInt(new Date(t.epochMs).getUTCFullYear()) },
});

const matchesKind = (v: GoValue, kind: ParamKind): boolean => {
  switch (kind) {
    case ParamKind.Any:
      return true;
    case ParamKind.Float64:
      return typeof v === 'number';
    case ParamKind.Int:
      return typeof v === 'bigint';
    case ParamKind.String:
      return typeof v === 'string';
    default:
      return (v instanceof GoStruct || v instanceof GoSlice) && v.typeName === kind;
  }
};

const CAN_BE_NIL: ReadonlySet<ParamKind> = new Set([
  ParamKind.Any,
  ParamKind.QueryResult,
  ParamKind.Sample,
]);

/** Shared, per-execution context. */
interface Context {
  readonly parseName: string;
  readonly text: string;
  readonly trees: ReadonlyMap<string, Tree>;
  readonly funcs: FunctionMap;
  out: string;
}

class State {
  private node: Node | undefined;

  constructor(
    private readonly ctx: Context,
    private readonly tmplName: string,
    private vars: Variable[],
    private readonly depth: number,
  ) {}

  private at(node: Node): void {
    this.node = node;
  }

  private errorf(msg: string): never {
    const { parseName, text } = this.ctx;
    if (!this.node) {
      throw new TemplateError(`template: ${this.tmplName}: ${msg}`, {
        phase: TemplatePhase.Execute,
        templateName: this.tmplName,
        line: 1,
      });
    }
    const before = text.slice(0, this.node.pos);
    const nl = before.lastIndexOf('\n');
    const line = before.split('\n').length;
    const column = new TextEncoder().encode(before.slice(nl + 1)).length;
    const message = `template: ${parseName}:${line}:${column}: executing ${JSON.stringify(this.tmplName)} at <${nodeString(this.node)}>: ${msg}`;
    throw new TemplateError(message, {
      phase: TemplatePhase.Execute,
      templateName: this.tmplName,
      line,
      column,
    });
  }

  // Variables.

  private push(name: string, value: GoValue): void {
    this.vars.push({ name, value });
  }

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private findVar(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: GoValue): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }

  // Statements.

  async walk(dot: GoValue, node: StatementNode): Promise<void> {
    this.at(node);
    switch (node.type) {
      case 'Action': {
        const val = await this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'Break':
        throw BREAK;
      case 'Continue':
        throw CONTINUE;
      case 'If':
      case 'With':
        return this.walkIfOrWith(dot, node);
      case 'List':
        for (const n of node.nodes) await this.walk(dot, n);
        return;
      case 'Range':
        return this.walkRange(dot, node);
      case 'Template':
        return this.walkTemplate(dot, node);
      case 'Text':
        this.ctx.out += node.text;
        return;
      default: {
        const never: never = node;
        this.errorf(`unknown node: ${JSON.stringify(never)}`);
      }
    }
  }

  private printValue(node: Node, v: GoValue): void {
    this.at(node);
    if (v === undefined) this.ctx.out += '<no value>';
    else if (v instanceof GoStruct && v.pointer) this.ctx.out += formatValue(v).slice(1);
    else this.ctx.out += formatValue(v);
  }

  private async walkIfOrWith(dot: GoValue, node: BranchNode): Promise<void> {
    const mark = this.mark();
    try {
      const val = await this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) await this.walk(node.type === 'With' ? val : dot, node.list);
      else if (node.elseList) await this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private async walkRange(dot: GoValue, node: BranchNode): Promise<void> {
    this.at(node);
    const outer = this.mark();
    try {
      const val = await this.evalPipeline(dot, node.pipe);
      const mark = this.mark();
      const { decl, isAssign } = node.pipe;
      const oneIteration = async (index: GoValue, elem: GoValue): Promise<void> => {
        if (decl.length > 0) {
          const target = decl.length > 1 ? index : elem;
          if (isAssign) this.findVar((decl[0] as VariableNode).ident[0] as string).value = target;
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (isAssign) this.findVar((decl[1] as VariableNode).ident[0] as string).value = elem;
          else this.setTopVar(2, index);
        }
        try {
          await this.walk(elem, node.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };
      let iterated = false;
      if (val instanceof GoSlice) {
        for (let i = 0; i < val.items.length; i++) await oneIteration(BigInt(i), val.items[i]);
        iterated = val.items.length > 0;
      } else if (val instanceof GoMap) {
        for (const k of val.sortedKeys()) await oneIteration(k, val.entries.get(k));
        iterated = val.entries.size > 0;
      } else if (typeof val === 'bigint') {
        if (decl.length > 1) this.errorf(`can't use ${val} to iterate over more than one variable`);
        for (let i = 0n; i < val; i++) await oneIteration(i, i);
        iterated = val > 0n;
      } else if (val !== undefined) {
        this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (!iterated && node.elseList) await this.walk(dot, node.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.pop(outer);
    }
  }

  private async walkTemplate(dot: GoValue, node: TemplateNode): Promise<void> {
    this.at(node);
    const tree = this.ctx.trees.get(node.name);
    if (!tree) this.errorf(`template ${JSON.stringify(node.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH)
      this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = node.pipe ? await this.evalPipeline(dot, node.pipe) : undefined;
    const state = new State(this.ctx, node.name, [{ name: '$', value: newDot }], this.depth + 1);
    await state.walk(newDot, tree.root);
  }

  // Expressions.

  private async evalPipeline(dot: GoValue, pipe: PipeNode): Promise<GoValue> {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = await this.evalCommand(dot, cmd, value);
    const result = value === MISSING ? undefined : value;
    for (const v of pipe.decl) {
      const name = v.ident[0] as string;
      if (pipe.isAssign) this.findVar(name).value = result;
      else this.push(name, result);
    }
    return result;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.errorf(`can't give argument to non-function ${nodeString(args[0] as ArgNode)}`);
    }
  }

  private async evalCommand(dot: GoValue, cmd: CommandNode, final: Final): Promise<GoValue> {
    const first = cmd.args[0] as ArgNode;
    switch (first.type) {
      case 'Field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'Chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'Identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'Pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'Variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
      default:
        break;
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'Bool':
        return first.value;
      case 'Dot':
        return dot;
      case 'Nil':
        return this.errorf('nil is not a command');
      case 'Number':
        return this.idealConstant(first);
      default:
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): GoValue {
    this.at(n);
    const hexInt = /^[+-]?0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    const runeInt = n.text.startsWith("'");
    if (n.float !== undefined && !hexInt && !runeInt && /[.eEpP]/.test(n.text)) return n.float;
    if (n.int !== undefined) return n.int;
    return this.errorf(`${n.text} overflows int`);
  }

  private async evalFieldNode(
    dot: GoValue,
    field: FieldNode,
    args: readonly ArgNode[] | undefined,
    final: Final,
  ): Promise<GoValue> {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private async evalChainNode(
    dot: GoValue,
    chain: ChainNode,
    args: readonly ArgNode[] | undefined,
    final: Final,
  ): Promise<GoValue> {
    this.at(chain);
    if (chain.node.type === 'Nil')
      this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = await this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.fields, args, final);
  }

  private async evalVariableNode(
    dot: GoValue,
    variable: VariableNode,
    args: readonly ArgNode[] | undefined,
    final: Final,
  ): Promise<GoValue> {
    this.at(variable);
    const value = this.findVar(variable.ident[0] as string).value;
    if (variable.ident.length === 1) {
      this.notAFunction(args ?? [variable], final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  private async evalFieldChain(
    dot: GoValue,
    receiver: GoValue,
    node: Node,
    ident: readonly string[],
    args: readonly ArgNode[] | undefined,
    final: Final,
  ): Promise<GoValue> {
    let r = receiver;
    for (let i = 0; i < ident.length - 1; i++) {
      r = await this.evalField(dot, ident[i] as string, node, undefined, MISSING, r);
    }
    return this.evalField(dot, ident[ident.length - 1] as string, node, args, final, r);
  }

  private async evalField(
    dot: GoValue,
    fieldName: string,
    node: Node,
    args: readonly ArgNode[] | undefined,
    final: Final,
    receiver: GoValue,
  ): Promise<GoValue> {
    if (receiver === undefined) return undefined;
    if (receiver instanceof GoTime) {
      const method = timeMethods(receiver)[fieldName];
      if (method && Object.hasOwn(timeMethods(receiver), fieldName)) {
        return this.evalCall(dot, method, node, fieldName, args, final);
      }
    }
    const hasArgs = (args !== undefined && args.length > 1) || final !== MISSING;
    if (receiver instanceof GoStruct && receiver.fields.has(fieldName)) {
      if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
      return receiver.fields.get(fieldName);
    }
    if (receiver instanceof GoMap) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return receiver.entries.has(fieldName) ? receiver.entries.get(fieldName) : receiver.zero;
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${goTypeName(receiver)}`);
  }

  private async evalFunction(
    dot: GoValue,
    node: IdentifierNode,
    cmd: Node,
    args: readonly ArgNode[] | undefined,
    final: Final,
  ): Promise<GoValue> {
    this.at(node);
    const fn = this.ctx.funcs.get(node.ident);
    if (!fn) return this.errorf(`${JSON.stringify(node.ident)} is not a defined function`);
    return this.evalCall(dot, fn, cmd, node.ident, args, final);
  }

  private async evalCall(
    dot: GoValue,
    fn: TemplateFunction,
    node: Node,
    name: string,
    args: readonly ArgNode[] | undefined,
    final: Final,
  ): Promise<GoValue> {
    const argNodes = args ? args.slice(1) : [];
    const numIn = argNodes.length + (final === MISSING ? 0 : 1);
    const { params, variadic } = fn;
    if (variadic) {
      if (numIn < params.length) {
        this.errorf(
          `wrong number of args for ${name}: want at least ${params.length} got ${argNodes.length}`,
        );
      }
    } else if (numIn !== params.length) {
      this.errorf(`wrong number of args for ${name}: want ${params.length} got ${numIn}`);
    }
    const kindAt = (i: number): ParamKind =>
      i < params.length ? (params[i] as ParamKind) : (variadic as ParamKind);
    if (this.ctx.funcs.get(name) === fn && (name === 'and' || name === 'or')) {
      let v: GoValue;
      for (const a of argNodes) {
        v = await this.evalArg(dot, ParamKind.Any, a);
        if (isTrue(v) === (name === 'or')) return v;
      }
      return final === MISSING ? v : final;
    }
    const argv: GoValue[] = [];
    for (let i = 0; i < argNodes.length; i++)
      argv.push(await this.evalArg(dot, kindAt(i), argNodes[i] as ArgNode));
    if (final !== MISSING) argv.push(this.validateType(final, kindAt(numIn - 1)));
    try {
      return await fn.call(argv);
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      this.at(node);
      return this.errorf(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private validateType(value: GoValue, kind: ParamKind | undefined): GoValue {
    if (kind === undefined) return value;
    if (value === undefined) {
      if (CAN_BE_NIL.has(kind)) return undefined;
      return this.errorf(`invalid value; expected ${kind}`);
    }
    if (!matchesKind(value, kind)) {
      this.errorf(`wrong type for value; expected ${kind}; got ${goTypeName(value)}`);
    }
    return value;
  }

  private async evalArg(dot: GoValue, kind: ParamKind | undefined, n: ArgNode): Promise<GoValue> {
    this.at(n);
    switch (n.type) {
      case 'Dot':
        return this.validateType(dot, kind);
      case 'Nil':
        if (kind === undefined || CAN_BE_NIL.has(kind)) return undefined;
        return this.errorf(`cannot assign nil to ${kind}`);
      case 'Field':
        return this.validateType(await this.evalFieldNode(dot, n, [n], MISSING), kind);
      case 'Variable':
        return this.validateType(await this.evalVariableNode(dot, n, undefined, MISSING), kind);
      case 'Pipe':
        return this.validateType(await this.evalPipeline(dot, n), kind);
      case 'Identifier':
        return this.validateType(await this.evalFunction(dot, n, n, undefined, MISSING), kind);
      case 'Chain':
        return this.validateType(await this.evalChainNode(dot, n, undefined, MISSING), kind);
      default:
        break;
    }
    switch (kind) {
      case ParamKind.Float64:
        if (n.type === 'Number' && n.float !== undefined) return n.float;
        return this.errorf(`expected float; found ${nodeString(n)}`);
      case ParamKind.Int:
        if (n.type === 'Number' && n.int !== undefined) return n.int;
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case ParamKind.String:
        if (n.type === 'String') return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case ParamKind.Any:
      case undefined:
        if (n.type === 'Bool') return n.value;
        if (n.type === 'Number') return this.idealConstant(n);
        return n.text;
      default:
        return this.errorf(`can't handle ${nodeString(n)} for arg of type ${kind}`);
    }
  }
}

/**
 * Executes the template `name` of `trees` with `data` as dot and `$`, and returns the output.
 * Throws {@link TemplateError} with Go's message when execution fails.
 */
const executeTemplate = async (
  trees: ReadonlyMap<string, Tree>,
  name: string,
  text: string,
  data: GoValue,
  funcs: FunctionMap,
): Promise<string> => {
  const tree = trees.get(name);
  const ctx: Context = { parseName: name, text, trees, funcs, out: '' };
  const state = new State(ctx, name, [{ name: '$', value: data }], 0);
  if (!tree) {
    throw new TemplateError(`template: ${name}: "${name}" is an incomplete or empty template`, {
      phase: TemplatePhase.Execute,
      templateName: name,
      line: 1,
    });
  }
  await state.walk(data, tree.root);
  return ctx.out;
};

export { executeTemplate };
