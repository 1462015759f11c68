/**
 * `explain(ctx)`: evaluates a rule by walking its AST and records every sub-expression's value and span,
 * to answer "why did this user match?". It uses the same value helpers as the generated code and
 * short-circuits the same way, so its verdict always equals `evaluate(ctx)`.
 */
import type { BinaryNode, Expr } from './ast.js';
import type { SourcePositions } from './diagnostics.js';
import { childrenOf, compilePattern } from './checker.js';
import { bucket } from './functions/bucket.js';
import { builtinFunctions } from './functions/index.js';
import type { CompileOptions } from './options.js';
import { compare, contains, endsWith, equals, isIn, normalize, readProperty, startsWith } from './values.js';
import type { RE2JS } from 're2js';

export interface ExplainNode {
  /** The kind of sub-expression: literal, list, path, call, logical, not or binary. */
  kind: Expr['type'];
  /** The operator or function name, where there is one. */
  operator?: string;
  /** The source text of the sub-expression. */
  text: string;
  start: number;
  end: number;
  line: number;
  column: number;
  /** The value, as JSON (dates and versions as strings); absent when short-circuiting skipped this node. */
  value?: unknown;
  evaluated: boolean;
  children: ExplainNode[];
}

export interface Explanation {
  /** Whether the rule matches: the whole expression evaluated to exactly `true`. */
  matched: boolean;
  tree: ExplainNode;
}

/** JSON-friendly form of a value: versions as their text, dates as ISO-8601 (via toJSON). */
function presentable(value: unknown): unknown {
  if (value === undefined) return null;
  if (
    value !== null &&
    typeof value === 'object' &&
    'version' in value &&
    typeof (value as { version: unknown }).version === 'string'
  ) {
    return (value as { version: string }).version;
  }
  return value;
}

export class Explainer {
  constructor(
    private readonly source: string,
    private readonly positions: SourcePositions,
    private readonly options: CompileOptions,
  ) {}

  explain(root: Expr, context: unknown, scope: unknown): Explanation {
    const tree = this.node(root);
    try {
      return { matched: this.evaluate(root, tree, context, scope) === true, tree };
    } catch {
      // Only an exotic context (a throwing getter, a revoked proxy) gets here; evaluate() says false too.
      return { matched: false, tree };
    }
  }

  /** Builds the unevaluated node for an expression (children built lazily as they are evaluated). */
  private node(expr: Expr): ExplainNode {
    const { line, column } = this.positions.diagnostic('', expr.start, 0);
    const operator =
      expr.type === 'binary' || expr.type === 'logical'
        ? expr.operator
        : expr.type === 'call'
          ? expr.name
          : expr.type === 'not'
            ? 'not'
            : undefined;
    return {
      kind: expr.type,
      ...(operator ? { operator } : {}),
      text: this.source.slice(expr.start, expr.end),
      start: expr.start,
      end: expr.end,
      line,
      column,
      evaluated: false,
      children: [],
    };
  }

  private evaluate(expr: Expr, node: ExplainNode, ctx: unknown, scope: unknown): unknown {
    const child = (sub: Expr): unknown => {
      const subNode = this.node(sub);
      node.children.push(subNode);
      return this.evaluate(sub, subNode, ctx, scope);
    };
    const value = this.compute(expr, child, ctx, scope, node);
    node.evaluated = true;
    node.value = presentable(value);
    return value;
  }

  private compute(expr: Expr, child: (sub: Expr) => unknown, ctx: unknown, scope: unknown, node: ExplainNode): unknown {
    switch (expr.type) {
      case 'literal':
        return expr.value;
      case 'path':
        return normalize(expr.segments.reduce<unknown>((target, key) => readProperty(target, key), ctx));
      case 'list':
        return expr.items.map((item) => normalize(child(item)));
      case 'not':
        return child(expr.operand) !== true;
      case 'logical':
        return this.logical(expr.operator, expr.operands, child, node);
      case 'call':
        return this.call(expr, child, ctx, scope);
      case 'binary':
        return this.binary(expr, child);
    }
  }

  private logical(operator: 'and' | 'or', operands: Expr[], child: (sub: Expr) => unknown, node: ExplainNode): boolean {
    // Short-circuit like the generated `&&` / `||`: later operands stay in the tree, unevaluated.
    for (let i = 0; i < operands.length; i++) {
      const isTrue = child(operands[i]!) === true;
      if ((operator === 'and' && !isTrue) || (operator === 'or' && isTrue)) {
        for (const skipped of operands.slice(i + 1)) node.children.push(this.unevaluated(skipped));
        return isTrue;
      }
    }
    return operator === 'and';
  }

  /** A sub-tree that short-circuiting skipped: spans and text, no values. */
  private unevaluated(expr: Expr): ExplainNode {
    const node = this.node(expr);
    node.children = childrenOf(expr).map((child) => this.unevaluated(child));
    return node;
  }

  private call(
    expr: Extract<Expr, { type: 'call' }>,
    child: (sub: Expr) => unknown,
    ctx: unknown,
    scope: unknown,
  ): unknown {
    const args = expr.args.map(child);
    if (expr.name === 'segment') return this.options.resolvers?.segment?.(String(args[0]), ctx, scope) === true;
    if (expr.name === 'flag') return normalize(this.options.resolvers?.flag?.(String(args[0]), ctx, scope));
    if (expr.name === 'bucket') return bucket(args[0], args.length > 1 ? args[1] : (this.options.salt ?? ''));
    return normalize(builtinFunctions.get(expr.name)!.implementation(...args));
  }

  private binary(expr: BinaryNode, child: (sub: Expr) => unknown): boolean {
    const left = child(expr.left);
    const right = child(expr.right);
    switch (expr.operator) {
      case '==':
        return equals(left, right);
      case '!=':
        return !equals(left, right);
      case '<':
        return compare(left, right) < 0;
      case '<=':
        return compare(left, right) <= 0;
      case '>':
        return compare(left, right) > 0;
      case '>=':
        return compare(left, right) >= 0;
      case 'in':
        return isIn(left, right);
      case 'not in':
        return !isIn(left, right);
      case 'contains':
        return contains(left, right);
      case 'startsWith':
        return startsWith(left, right);
      case 'endsWith':
        return endsWith(left, right);
      case 'matches':
        return typeof left === 'string' && (compilePattern(String(right)) as RE2JS).test(left);
    }
  }
}
