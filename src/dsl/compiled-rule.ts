/**
 * A compiled rule: a rule's template filled with its own literal values. Its evaluator is a closure
 * made by the template's factory; the AST (for `explain`) is rebuilt only when asked for.
 */
import type { IToken } from 'chevrotain';
import type { Expr, LiteralValue } from './ast.js';
import { type Analysis, analyse } from './analyse.js';
import { InvalidLiteral } from './codegen.js';
import { Explainer, type Explanation } from './explain.js';
import { buildFactories, runtimeOf } from './factory.js';
import type { CompileOptions } from './options.js';
import { renderTemplate } from './render-template.js';
import type { RuleTemplate } from './template.js';

export interface CompiledRule {
  readonly source: string;
  /**
   * True exactly when the rule evaluates to `true` for this context. Never throws for any context.
   * `plain`: pass true only when `isPlainObject(context)` holds (the engine checks once per evaluation
   * and vouches for every rule it runs), to skip that check.
   */
  readonly evaluate: (context: unknown, scope?: unknown, plain?: boolean) => boolean;
  /** The evaluation tree: every sub-expression with its span and value. */
  explain(context: unknown, scope?: unknown): Explanation;
  /** Attribute paths the rule reads, as written (`user.plan`, `attrs["x-y"]`). */
  readonly attributes: readonly string[];
  /** Segment names referenced through `segment("…")`. */
  readonly segments: readonly string[];
  /** Flag keys referenced through `flag("…")`. */
  readonly flags: readonly string[];
  /** The generated JavaScript, with this rule's literal values filled in (rendered on demand). */
  readonly js: string;
}

/** A rule resolved to its template, with its own literal values and the constants computed from them. */
export interface PreparedRule {
  template: RuleTemplate;
  params: LiteralValue[];
  constants: unknown[];
}

const none: readonly string[] = Object.freeze([]);

function namesAt(template: RuleTemplate, slots: readonly number[], params: readonly LiteralValue[]): readonly string[] {
  return slots.length === 0 ? none : Object.freeze(template.namesAt(slots, params));
}

/** One compiled rule: its evaluator is a closure made by its template's factory. */
export class TemplatedRule implements CompiledRule {
  readonly evaluate: (context: unknown, scope?: unknown, plain?: boolean) => boolean;
  readonly attributes: readonly string[];
  readonly segments: readonly string[];
  readonly flags: readonly string[];
  /** Built on first use: most rules are never explained, and the AST is the bulk of a rule's memory. */
  #explainer: { explainer: Explainer; ast: Expr } | null = null;

  constructor(
    readonly source: string,
    /** Read by rule chains (rule-chain.ts), which inline the rule's template with its literals. */
    readonly options: CompileOptions,
    readonly prepared: PreparedRule,
  ) {
    const { template, params, constants } = prepared;
    if (!template.factory) buildFactories([template]);
    this.evaluate = template.factory!(runtimeOf(options.resolvers), params, constants);
    this.attributes = template.attributes;
    this.segments = namesAt(template, template.generated.segmentSlots, params);
    this.flags = namesAt(template, template.generated.flagSlots, params);
    Object.freeze(this);
  }

  get js(): string {
    return renderTemplate(this.prepared.template.generated, this.prepared.params, this.prepared.constants);
  }

  explain(context: unknown, scope?: unknown): Explanation {
    if (!this.#explainer) {
      const analysis = analyse(this.source, this.options) as Analysis;
      this.#explainer = { explainer: new Explainer(this.source, analysis.positions, this.options), ast: analysis.ast };
    }
    return this.#explainer.explainer.explain(this.#explainer.ast, context, scope);
  }
}

/** Fills a template with a rule's literals, or null when one of them is invalid for the rule. */
export function fill(
  template: RuleTemplate,
  literals: readonly IToken[],
  options: CompileOptions,
): PreparedRule | null {
  const params = template.paramsOf(literals);
  if (!params) return null;
  try {
    return { template, params, constants: template.constantsOf(params, options.salt ?? '') };
  } catch (error) {
    if (error instanceof InvalidLiteral) return null;
    throw error;
  }
}
