/**
 * Generates a rule *template* from its checked AST: JavaScript in which every string and number literal
 * of the rule is a parameter (`p0`, `p1`, …) and every value derived from literals at compile time
 * (frozen lists, sets, RE2 patterns, folded calls, the salt) is a constant (`k0`, `k1`, …) computed by
 * a recipe. Rules that differ only in their literals — `userId in ["a", "b"] and country == "US"` for
 * ten thousand flags — therefore share one template and one V8 function; each rule is a closure over
 * its own parameters and constants (see shape.ts and template.ts; template-source.ts wraps the code).
 *
 * Security: user text never reaches the generated code, except property names of bracket paths
 * (`attrs["x-y"]`), which appear as JSON-escaped string literals (`jsString`); literal values arrive
 * as closure variables. Attribute reads see only own properties of plain objects (property-read.ts). Names of functions and helpers come from our own tables.
 *
 * Speed: common shapes get specialised code (`x === p0`, `typeof t === "number" && t > p1`, chained
 * `===` for short literal lists, a Set for long ones) so evaluation costs about what hand-written JS does.
 */
import type { BinaryNode, CallNode, Expr, LiteralNode, LiteralValue } from './ast.js';
import { compilePattern } from './checker.js';
import { builtinFunctions } from './functions/index.js';
import { nestedReadCode, type ReadCode, rootDeclaration, rootReadCode } from './property-read.js';

interface Code {
  code: string;
  /** True when the code always yields a boolean. */
  boolean: boolean;
}

/** Computes one constant from the rule's literal values and its salt. May throw `InvalidLiteral`. */
export type ConstantRecipe = (params: readonly LiteralValue[], salt: string) => unknown;

/** A literal value that makes a rule invalid although another rule of the same shape was valid. */
export class InvalidLiteral extends Error {}

const shortListLimit = 8;

function isPrimitiveLiteral(node: Expr): node is LiteralNode {
  return node.type === 'literal';
}

/** Walks a checked AST and emits the evaluator body, recording parameters, constants and helpers. */
export class Generator {
  readonly recipes: ConstantRecipe[] = [];
  /** Runtime helpers the generated code calls. */
  readonly bindings = new Set<string>();
  readonly segmentSlots: number[] = [];
  readonly flagSlots: number[] = [];
  private temporaries = 0;
  private readTemporaries: [string, string] | undefined;
  private readsRoot = false;
  /** Whether the code depends on the compile-time salt (a one-argument `bucket()`). */
  usesSalt = false;

  constructor(private readonly slots: ReadonlyMap<LiteralNode, number>) {}

  get temporaryCount(): number {
    return this.temporaries;
  }

  expression(node: Expr): Code {
    switch (node.type) {
      case 'literal':
        return { code: this.literal(node), boolean: typeof node.value === 'boolean' };
      case 'path':
        return {
          code: node.segments.reduce((target, key, i) => this.propertyRead(i === 0 ? null : target, key), ''),
          boolean: false,
        };
      case 'list':
        return this.list(node.items);
      case 'call':
        return this.call(node);
      case 'not':
        return { code: `!${this.condition(node.operand)}`, boolean: true };
      case 'logical':
        return {
          code: `(${node.operands.map((operand) => this.condition(operand)).join(node.operator === 'and' ? ' && ' : ' || ')})`,
          boolean: true,
        };
      case 'binary':
        return { code: this.binary(node), boolean: true };
    }
  }

  /** Code that is true exactly when the expression is `true` (only `true` counts as true). */
  condition(node: Expr): string {
    const { code, boolean } = this.expression(node);
    return boolean ? code : `(${code} === true)`;
  }

  /** A literal: its parameter for strings and numbers; `true`, `false` and `null` are part of the shape. */
  private literal(node: LiteralNode): string {
    const slot = this.slots.get(node);
    return slot === undefined ? String(node.value) : `p${slot}`;
  }

  /** How to get a literal's value from a rule's parameters. */
  private valueOf(node: LiteralNode): (params: readonly LiteralValue[]) => LiteralValue {
    const slot = this.slots.get(node);
    const fixed = node.value;
    return slot === undefined ? () => fixed : (params) => params[slot]!;
  }

  /** A call of a runtime helper; records the binding so the factory destructures only what is used. */
  private use(binding: string, args: string): string {
    this.bindings.add(binding);
    return `${binding}(${args})`;
  }

  /** Whether the code reads the context (through `root`, which the prologue declares). */
  get readsContext(): boolean {
    return this.readsRoot;
  }

  /** Code that the evaluator runs first: the context as rules read it (see property-read.ts). */
  get prologue(): string[] {
    return this.readsRoot ? [this.bind(rootDeclaration())] : [];
  }

  /** One path step (`target` null for the context). Its temporaries serve every read of the rule. */
  private propertyRead(target: string | null, key: string): string {
    const [object, value] = (this.readTemporaries ??= [this.temporary(), this.temporary()]);
    if (target !== null) return this.bind(nestedReadCode(target, key, object, value));
    this.readsRoot = true;
    return this.bind(rootReadCode(key, value));
  }

  private bind({ code, bindings }: ReadCode): string {
    for (const binding of bindings) this.bindings.add(binding);
    return code;
  }

  private constant(recipe: ConstantRecipe): string {
    this.recipes.push(recipe);
    return `k${this.recipes.length - 1}`;
  }

  private temporary(): string {
    return `t${this.temporaries++}`;
  }

  private list(items: Expr[]): Code {
    if (!items.every(isPrimitiveLiteral))
      return { code: `[${items.map((item) => this.expression(item).code).join(', ')}]`, boolean: false };
    const values = items.map((item) => this.valueOf(item));
    return { code: this.constant((params) => Object.freeze(values.map((value) => value(params)))), boolean: false };
  }

  private call(node: CallNode): Code {
    if (node.name === 'segment' || node.name === 'flag') {
      const argument = node.args[0] as LiteralNode;
      (node.name === 'segment' ? this.segmentSlots : this.flagSlots).push(this.slots.get(argument)!);
      const key = this.literal(argument);
      return node.name === 'segment'
        ? { code: `(${this.use('resolveSegment', `${key}, ctx, scope`)} === true)`, boolean: true }
        : { code: this.use('resolveFlag', `${key}, ctx, scope`), boolean: false };
    }
    const builtin = builtinFunctions.get(node.name)!;
    const args = node.args.map((arg) => this.expression(arg).code);
    if (node.name === 'bucket' && args.length === 1) {
      this.usesSalt = true;
      args.push(this.constant((_params, salt) => salt));
    }
    if (builtin.pure && node.args.every(isPrimitiveLiteral)) {
      // Folded at compile time, per rule: `semver("2.3.0")`, `bucket("fixed")`.
      const values = node.args.map((arg) => this.valueOf(arg));
      const implementation = builtin.implementation;
      return {
        code: this.constant((params, salt) => implementation(...values.map((value) => value(params)), salt)),
        boolean: false,
      };
    }
    return { code: this.use(builtin.binding, args.join(', ')), boolean: false };
  }

  private binary(node: BinaryNode): string {
    const { left, right } = node;
    switch (node.operator) {
      case '==':
        return this.equality(left, right);
      case '!=':
        return `!${this.equality(left, right)}`;
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.ordering(node.operator, left, right);
      case 'in':
        return this.membership(left, right);
      case 'not in':
        return `!${this.membership(left, right)}`;
      case 'contains':
        return this.use('contains', `${this.expression(left).code}, ${this.expression(right).code}`);
      case 'startsWith':
      case 'endsWith':
        return this.affix(node.operator, left, right);
      case 'matches':
        return this.matches(left, right as LiteralNode);
    }
  }

  private equality(left: Expr, right: Expr): string {
    const [literal, other] = isPrimitiveLiteral(right)
      ? [right, left]
      : isPrimitiveLiteral(left)
        ? [left, right]
        : [null, null];
    if (!literal || !other) return this.use('eq', `${this.expression(left).code}, ${this.expression(right).code}`);
    // A missing attribute is undefined at run time and must equal null: loose `== null` covers both.
    if (literal.value === null) return `(${this.expression(other).code} == null)`;
    return `(${this.expression(other).code} === ${this.literal(literal)})`;
  }

  private ordering(operator: '<' | '<=' | '>' | '>=', left: Expr, right: Expr): string {
    if (isPrimitiveLiteral(right) && (typeof right.value === 'number' || typeof right.value === 'string')) {
      const t = this.temporary();
      return `((${t} = ${this.expression(left).code}), typeof ${t} === "${typeof right.value}" && ${t} ${operator} ${this.literal(right)})`;
    }
    return `(${this.use('cmp', `${this.expression(left).code}, ${this.expression(right).code}`)} ${operator} 0)`;
  }

  private membership(item: Expr, list: Expr): string {
    const value = this.expression(item).code;
    if (list.type !== 'list' || !list.items.every(isPrimitiveLiteral))
      return this.use('isIn', `${value}, ${this.expression(list).code}`);
    const literals = list.items as LiteralNode[];
    if (literals.length === 0) return `(${value}, false)`;
    const t = this.temporary();
    if (literals.length <= shortListLimit) {
      const tests = literals.map((literal) =>
        literal.value === null ? `${t} == null` : `${t} === ${this.literal(literal)}`,
      );
      return `((${t} = ${value}), ${tests.join(' || ')})`;
    }
    const values = literals.map((literal) => this.valueOf(literal));
    const set = this.constant((params) => new Set(values.map((entry) => entry(params))));
    return `((${t} = ${value}), ${set}.has(${t} === undefined ? null : ${t}))`;
  }

  private affix(operator: 'startsWith' | 'endsWith', left: Expr, right: Expr): string {
    if (isPrimitiveLiteral(right) && typeof right.value === 'string') {
      const t = this.temporary();
      return `((${t} = ${this.expression(left).code}), typeof ${t} === "string" && ${t}.${operator}(${this.literal(right)}))`;
    }
    return this.use(operator, `${this.expression(left).code}, ${this.expression(right).code}`);
  }

  private matches(left: Expr, right: LiteralNode): string {
    const source = this.valueOf(right);
    const pattern = this.constant((params) => {
      const compiled = compilePattern(String(source(params)));
      if (typeof compiled === 'string') throw new InvalidLiteral(compiled);
      return compiled;
    });
    const t = this.temporary();
    return `((${t} = ${this.expression(left).code}), typeof ${t} === "string" && ${pattern}.test(${t}))`;
  }
}
