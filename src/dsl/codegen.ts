/**
 * Generates the JavaScript body of a compiled rule from its checked AST.
 *
 * Security: user text reaches the generated code only as JSON-escaped string literals (`jsString`) or
 * as numbers that went through `Number()`; names of functions and helpers come from our own tables.
 * Non-primitive constants (lists, sets, patterns, folded versions and dates) live in the constant pool
 * `k` and are referenced by index.
 *
 * Speed: common shapes get specialised code (`x === "lit"`, `typeof t === "number" && t > 30`, chained
 * `===` for short literal lists, a Set for long ones) so evaluation costs about what hand-written JS does.
 */
import type { BinaryNode, CallNode, Expr, LiteralValue } from './ast.js';
import { compilePattern } from './checker.js';
import { builtinFunctions } from './functions/index.js';
import { isInheritableName } from './values.js';

interface Code {
  code: string;
  /** True when the code always yields a boolean. */
  boolean: boolean;
}

export interface GeneratedRule {
  /** The complete source of the single-rule factory body, shown in the playground. */
  js: string;
  /** Runtime helpers the rule calls. */
  bindings: string[];
  /** False when the code is the same whatever the salt, so one compiled rule serves every flag. */
  usesSalt: boolean;
  constants: unknown[];
  /** The evaluator as a function expression; `prelude` is inserted first in its body. */
  evaluatorSource(prelude: string): string;
}

const shortListLimit = 8;

/** A string as a JavaScript literal; U+2028/U+2029 are escaped too, so no text can end a line of code. */
export function jsString(value: string): string {
  const json = JSON.stringify(value);
  return /[\u2028\u2029]/.test(json) ? json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029') : json;
}

function jsLiteral(value: LiteralValue): string {
  if (typeof value === 'string') return jsString(value);
  if (typeof value === 'number') return value < 0 || Object.is(value, -0) ? `(${String(value)})` : String(value);
  return String(value);
}

function isPrimitiveLiteral(node: Expr): node is Extract<Expr, { type: 'literal' }> {
  return node.type === 'literal';
}

class Generator {
  readonly constants: unknown[] = [];
  /** Runtime helpers the generated code calls. */
  readonly bindings = new Set<string>();
  private temporaries = 0;
  /** Whether the code depends on the compile-time salt (a one-argument `bucket()`). */
  usesSalt = false;

  constructor(private readonly salt: string) {}

  get temporaryCount(): number {
    return this.temporaries;
  }

  expression(node: Expr): Code {
    switch (node.type) {
      case 'literal':
        return { code: jsLiteral(node.value), boolean: typeof node.value === 'boolean' };
      case 'path':
        return { code: node.segments.reduce((target, key) => this.propertyRead(target, key), 'ctx'), boolean: false };
      case 'list':
        return this.list(node.items);
      case 'call':
        return this.call(node);
      case 'not':
        return { code: `!${this.condition(node.operand)}`, boolean: true };
      case 'logical':
        return { code: `(${node.operands.map((operand) => this.condition(operand)).join(node.operator === 'and' ? ' && ' : ' || ')})`, boolean: true };
      case 'binary':
        return { code: this.binary(node), boolean: true };
    }
  }

  /** Code that is true exactly when the expression is `true` (only `true` counts as true). */
  condition(node: Expr): string {
    const { code, boolean } = this.expression(node);
    return boolean ? code : `(${code} === true)`;
  }

  /** A call of a runtime helper; records the binding so the factory destructures only what is used. */
  private use(binding: string, args: string): string {
    this.bindings.add(binding);
    return `${binding}(${args})`;
  }

  private propertyRead(target: string, key: string): string {
    if (isInheritableName(key)) return this.use('rd', `${target}, ${jsString(key)}`);
    return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${target}?.${key}` : `${target}?.[${jsString(key)}]`;
  }

  private constant(value: unknown): string {
    this.constants.push(value);
    return `k[${this.constants.length - 1}]`;
  }

  private temporary(): string {
    return `t${this.temporaries++}`;
  }

  private list(items: Expr[]): Code {
    if (items.every(isPrimitiveLiteral)) return { code: this.constant(Object.freeze(items.map((item) => item.value))), boolean: false };
    return { code: `[${items.map((item) => this.expression(item).code).join(', ')}]`, boolean: false };
  }

  private call(node: CallNode): Code {
    if (node.name === 'segment' || node.name === 'flag') {
      const key = jsString(String((node.args[0] as { value: unknown }).value));
      return node.name === 'segment'
        ? { code: `(${this.use('resolveSegment', `${key}, ctx, scope`)} === true)`, boolean: true }
        : { code: this.use('resolveFlag', `${key}, ctx, scope`), boolean: false };
    }
    const builtin = builtinFunctions.get(node.name)!;
    const args = node.args.map((arg) => this.expression(arg).code);
    if (node.name === 'bucket' && args.length === 1) {
      this.usesSalt = true;
      args.push(jsString(this.salt));
    }
    if (builtin.pure && node.args.every(isPrimitiveLiteral)) return this.folded(builtin.implementation(...node.args.map((arg) => arg.value), this.salt));
    return { code: this.use(builtin.binding, args.join(', ')), boolean: false };
  }

  private folded(value: unknown): Code {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return { code: jsLiteral(value), boolean: typeof value === 'boolean' };
    }
    return { code: this.constant(value), boolean: false };
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
        return this.matches(left, right);
    }
  }

  private equality(left: Expr, right: Expr): string {
    const [literal, other] = isPrimitiveLiteral(right) ? [right, left] : isPrimitiveLiteral(left) ? [left, right] : [null, null];
    if (!literal || !other) return this.use('eq', `${this.expression(left).code}, ${this.expression(right).code}`);
    // A missing attribute is undefined at run time and must equal null: loose `== null` covers both.
    if (literal.value === null) return `(${this.expression(other).code} == null)`;
    return `(${this.expression(other).code} === ${jsLiteral(literal.value)})`;
  }

  private ordering(operator: '<' | '<=' | '>' | '>=', left: Expr, right: Expr): string {
    if (isPrimitiveLiteral(right) && (typeof right.value === 'number' || typeof right.value === 'string')) {
      const t = this.temporary();
      return `((${t} = ${this.expression(left).code}), typeof ${t} === "${typeof right.value}" && ${t} ${operator} ${jsLiteral(right.value)})`;
    }
    return `(${this.use('cmp', `${this.expression(left).code}, ${this.expression(right).code}`)} ${operator} 0)`;
  }

  private membership(item: Expr, list: Expr): string {
    const value = this.expression(item).code;
    if (list.type !== 'list' || !list.items.every(isPrimitiveLiteral)) return this.use('isIn', `${value}, ${this.expression(list).code}`);
    const literals = list.items.map((entry) => entry.value);
    if (literals.length === 0) return `(${value}, false)`;
    const t = this.temporary();
    if (literals.length <= shortListLimit) {
      const tests = literals.map((literal) => (literal === null ? `${t} == null` : `${t} === ${jsLiteral(literal)}`));
      return `((${t} = ${value}), ${tests.join(' || ')})`;
    }
    return `((${t} = ${value}), ${this.constant(new Set(literals))}.has(${t} === undefined ? null : ${t}))`;
  }

  private affix(operator: 'startsWith' | 'endsWith', left: Expr, right: Expr): string {
    if (isPrimitiveLiteral(right) && typeof right.value === 'string') {
      const t = this.temporary();
      return `((${t} = ${this.expression(left).code}), typeof ${t} === "string" && ${t}.${operator}(${jsString(right.value)}))`;
    }
    return this.use(operator, `${this.expression(left).code}, ${this.expression(right).code}`);
  }

  private matches(left: Expr, right: Expr): string {
    const pattern = compilePattern(String((right as { value: unknown }).value));
    const t = this.temporary();
    return `((${t} = ${this.expression(left).code}), typeof ${t} === "string" && ${this.constant(pattern)}.test(${t}))`;
  }
}

export function generate(root: Expr, salt: string): GeneratedRule {
  const generator = new Generator(salt);
  const body = generator.condition(root);
  const temporaries = Array.from({ length: generator.temporaryCount }, (_, i) => `t${i}`);
  // Bind only the helpers this rule calls: compiling unused destructuring costs more than the rule.
  const bindings = [...generator.bindings];
  const evaluatorSource = (prelude: string) =>
    [
      'function evaluate(ctx, scope) {',
      ...(prelude ? [`  ${prelude}`] : []),
      ...(temporaries.length > 0 ? [`  let ${temporaries.join(', ')};`] : []),
      // Only an exotic context (a throwing getter, a revoked proxy) can throw here; such a rule does not match.
      '  try {',
      `    return ${body};`,
      '  } catch {',
      '    return false;',
      '  }',
      '}',
    ].join('\n');
  const js = ['"use strict";', ...(bindings.length > 0 ? [`const { ${bindings.join(', ')} } = rt;`] : []), `return ${evaluatorSource('')};`].join('\n');
  return { js, bindings, usesSalt: generator.usesSalt, constants: generator.constants, evaluatorSource };
}
