/**
 * The abstract syntax tree of a rule. Every node carries its source span (`start` inclusive, `end`
 * exclusive, both UTF-16 offsets) so diagnostics and `explain` can point at the exact text.
 */

export interface Span {
  start: number;
  end: number;
}

export type LiteralValue = string | number | boolean | null;

export interface LiteralNode extends Span {
  type: 'literal';
  value: LiteralValue;
}

export interface ListNode extends Span {
  type: 'list';
  items: Expr[];
}

/** `user.plan`, `attrs["x-y"]`: a path of property names read from the context. */
export interface PathNode extends Span {
  type: 'path';
  segments: string[];
}

export interface CallNode extends Span {
  type: 'call';
  name: string;
  nameSpan: Span;
  args: Expr[];
}

export type LogicalOperator = 'and' | 'or';

export interface LogicalNode extends Span {
  type: 'logical';
  operator: LogicalOperator;
  operands: Expr[];
}

export interface NotNode extends Span {
  type: 'not';
  operand: Expr;
}

export type BinaryOperator =
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'not in'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'matches';

export interface BinaryNode extends Span {
  type: 'binary';
  operator: BinaryOperator;
  operatorSpan: Span;
  left: Expr;
  right: Expr;
}

export type Expr = LiteralNode | ListNode | PathNode | CallNode | LogicalNode | NotNode | BinaryNode;

/** Renders a path the way a user writes it: `user.plan`, `attrs["x-y"]`. */
export function formatPath(segments: readonly string[]): string {
  let text = '';
  segments.forEach((segment, index) => {
    if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) text += index === 0 ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  });
  return text;
}
