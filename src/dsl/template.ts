/**
 * A compiled rule template: the code shared by every rule of one shape (see shape.ts), and how to fill
 * it with one rule's literals. A string literal that names a property (`attrs["x-y"]`) is part of the
 * code, not a parameter, so templates of one shape come in variants by those names.
 */
import type { IToken } from 'chevrotain';
import type { LiteralValue } from './ast.js';
import type { GeneratedTemplate } from './template-source.js';
import { internalize } from './internalize.js';
import { decodeStringLiteral } from './string-literal.js';
import { StringLiteral } from './tokens.js';
import type { Evaluator } from './factory.js';

export type RuleFactory = (rt: Record<string, unknown>, p: readonly LiteralValue[], k: readonly unknown[]) => Evaluator;

let nextTemplateId = 0;

export class RuleTemplate {
  /** Identifies the template in rule chains' cache keys (rule-chain.ts). */
  readonly id = nextTemplateId++;
  /** Built in batches (one script per many templates; see factory.ts), so null until then. */
  factory: RuleFactory | null = null;
  private readonly pathLiteralSet: ReadonlySet<number>;

  constructor(
    readonly generated: GeneratedTemplate,
    /** Attribute paths the rule reads: part of the shape. */
    readonly attributes: readonly string[],
    /** Indexes (among the literal tokens) of the bracket-path property names, and their text. */
    private readonly pathLiterals: readonly number[],
    private readonly pathImages: readonly string[],
  ) {
    this.pathLiteralSet = new Set(pathLiterals);
  }

  /** Whether this variant's property names are the ones in `literals`. */
  fits(literals: readonly IToken[]): boolean {
    for (let i = 0; i < this.pathLiterals.length; i++)
      if (literals[this.pathLiterals[i]!]?.image !== this.pathImages[i]) return false;
    return true;
  }

  /**
   * The rule's parameters: its literal values in source order. Null when a literal is invalid (a bad
   * escape, a number out of range): the rule is then analysed in full to report it.
   */
  paramsOf(literals: readonly IToken[]): LiteralValue[] | null {
    const params: LiteralValue[] = [];
    for (let i = 0; i < literals.length; i++) {
      if (this.pathLiteralSet.has(i)) continue;
      const token = literals[i]!;
      if (token.tokenType === StringLiteral) {
        const decoded = decodeStringLiteral(token.image);
        if (decoded.error) return null;
        params.push(internalize(decoded.value));
      } else {
        const value = Number(token.image);
        if (!Number.isFinite(value)) return null;
        params.push(value);
      }
    }
    return params;
  }

  /** The rule's constants; throws `InvalidLiteral` when a literal is invalid for its use (a bad pattern). */
  constantsOf(params: readonly LiteralValue[], salt: string): unknown[] {
    return this.generated.recipes.map((recipe) => recipe(params, salt));
  }

  /** Distinct parameters at the given slots (segment names, flag keys). */
  namesAt(slots: readonly number[], params: readonly LiteralValue[]): string[] {
    const names: string[] = [];
    for (const slot of slots) {
      const name = params[slot] as string;
      if (!names.includes(name)) names.push(name);
    }
    return names;
  }
}
