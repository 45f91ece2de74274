/**
 * Parse tree of a Go text/template, as in `text/template/parse/node.go`: every node carries its
 * byte-independent offset `pos` (a UTF-16 index into the template text), and `nodeString` renders a
 * node as Go's `Node.String()` does for the `executing "x" at <…>` part of error messages.
 * Node types are kept alphabetical.
 * @see https://github.com/golang/go/blob/master/src/text/template/parse/node.go
 */

export interface ActionNode {
  readonly type: 'Action';
  readonly pos: number;
  readonly pipe: PipeNode;
}
export interface BoolNode {
  readonly type: 'Bool';
  readonly pos: number;
  readonly value: boolean;
}
export interface BreakNode {
  readonly type: 'Break';
  readonly pos: number;
}
export interface ChainNode {
  readonly type: 'Chain';
  readonly pos: number;
  readonly node: ArgNode;
  readonly fields: readonly string[];
}
export interface CommandNode {
  readonly type: 'Command';
  readonly pos: number;
  readonly args: readonly ArgNode[];
}
export interface ContinueNode {
  readonly type: 'Continue';
  readonly pos: number;
}
export interface DotNode {
  readonly type: 'Dot';
  readonly pos: number;
}
export interface FieldNode {
  readonly type: 'Field';
  readonly pos: number;
  readonly ident: readonly string[];
}
export interface IdentifierNode {
  readonly type: 'Identifier';
  readonly pos: number;
  readonly ident: string;
}
/** `if`, `range` and `with` share one shape. */
export interface BranchNode {
  readonly type: 'If' | 'Range' | 'With';
  readonly pos: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList?: ListNode;
}
export interface ListNode {
  readonly type: 'List';
  readonly pos: number;
  readonly nodes: readonly StatementNode[];
}
export interface NilNode {
  readonly type: 'Nil';
  readonly pos: number;
}
export interface NumberNode {
  readonly type: 'Number';
  readonly pos: number;
  readonly text: string;
  /** Set when the literal fits an int64 (Go's `IsInt`). */
  readonly int?: bigint;
  /** Set when the literal parses as a float64 (Go's `IsFloat`; integers too). */
  readonly float?: number;
}
export interface PipeNode {
  readonly type: 'Pipe';
  readonly pos: number;
  readonly isAssign: boolean;
  readonly decl: readonly VariableNode[];
  readonly cmds: readonly CommandNode[];
}
export interface StringNode {
  readonly type: 'String';
  readonly pos: number;
  readonly quoted: string;
  readonly text: string;
}
export interface TemplateNode {
  readonly type: 'Template';
  readonly pos: number;
  readonly name: string;
  readonly pipe?: PipeNode;
}
export interface TextNode {
  readonly type: 'Text';
  readonly pos: number;
  readonly text: string;
}
export interface VariableNode {
  readonly type: 'Variable';
  readonly pos: number;
  readonly ident: readonly string[];
}

/** Operands of a command. */
export type ArgNode =
  | BoolNode
  | ChainNode
  | DotNode
  | FieldNode
  | IdentifierNode
  | NilNode
  | NumberNode
  | PipeNode
  | StringNode
  | VariableNode;

/** Nodes of a list. */
export type StatementNode =
  | ActionNode
  | BranchNode
  | BreakNode
  | ContinueNode
  | ListNode
  | TemplateNode
  | TextNode;

export type Node = ArgNode | CommandNode | StatementNode;

/** A parsed template: its name and body. */
export interface Tree {
  readonly name: string;
  readonly root: ListNode;
}

const argString = (n: ArgNode): string =>
  n.type === 'Pipe' ? `(${nodeString(n)})` : nodeString(n);

/** Go's `Node.String()`. */
const nodeString = (n: Node): string => {
  switch (n.type) {
    case 'Action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'Bool':
      return String(n.value);
    case 'Break':
      return '{{break}}';
    case 'Chain':
      return `${argString(n.node)}.${n.fields.join('.')}`;
    case 'Command':
      return n.args.map(argString).join(' ');
    case 'Continue':
      return '{{continue}}';
    case 'Dot':
      return '.';
    case 'Field':
      return `.${n.ident.join('.')}`;
    case 'Identifier':
      return n.ident;
    case 'If':
    case 'Range':
    case 'With': {
      const name = n.type.toLowerCase();
      const els = n.elseList ? `{{else}}${nodeString(n.elseList)}` : '';
      return `{{${name} ${nodeString(n.pipe)}}}${nodeString(n.list)}${els}{{end}}`;
    }
    case 'List':
      return n.nodes.map(nodeString).join('');
    case 'Nil':
      return 'nil';
    case 'Number':
      return n.text;
    case 'Pipe': {
      const decl = n.decl.length
        ? `${n.decl.map(nodeString).join(', ')} ${n.isAssign ? '=' : ':='} `
        : '';
      return decl + n.cmds.map(nodeString).join(' | ');
    }
    case 'String':
      return n.quoted;
    case 'Template':
      return `{{template ${JSON.stringify(n.name)}${n.pipe ? ` ${nodeString(n.pipe)}` : ''}}}`;
    case 'Text':
      return n.text;
    case 'Variable':
      return n.ident.join('.');
    default: {
      const never: never = n;
      throw new Error(`unknown node ${JSON.stringify(never)}`);
    }
  }
};

export { nodeString };
