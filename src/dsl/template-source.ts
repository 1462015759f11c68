/**
 * Assembles a rule template's JavaScript from what the Generator (codegen.ts) emitted: the evaluator
 * (temporaries, the read prologue, the condition, a catch for exotic contexts) wrapped in the factory
 * that binds the runtime helpers, parameters and constants as closure constants.
 */
import type { Expr, LiteralNode } from './ast.js';
import { type ConstantRecipe, Generator } from './codegen.js';

export interface GeneratedTemplate {
  /** `function (rt, p, k) { …; return function evaluate(ctx, scope) {…}; }` */
  factorySource: string;
  /** Runtime helpers the rule calls. */
  bindings: string[];
  /** False when the code is the same whatever the salt, so one compiled rule serves every flag. */
  usesSalt: boolean;
  recipes: ConstantRecipe[];
  /** Parameter slots holding `segment("…")` names and `flag("…")` keys. */
  segmentSlots: number[];
  flagSlots: number[];
  /** The evaluator body, for showing the code to people (see `renderTemplate`). */
  evaluatorSource: string;
  /**
   * The parts a rule chain (rule-chain.ts) inlines: the condition, true exactly when the rule matches,
   * over `root`, `ctx`, `scope`, the parameters `p…`, the constants `k…` and the temporaries `t0…`.
   */
  condition: string;
  paramCount: number;
  temporaryCount: number;
  /** Whether the condition reads `root`, the context as rules read it (property-read.ts). */
  readsContext: boolean;
}

/** `  const p0 = p[0], p1 = p[1];`: `count` closure constants named `prefix…`, read from the array `source`. */
export function declarations(prefix: string, source: string, count: number): string[] {
  return count === 0
    ? []
    : [`  const ${Array.from({ length: count }, (_, i) => `${prefix}${i} = ${source}[${i}]`).join(', ')};`];
}

export function generateTemplate(root: Expr, slots: ReadonlyMap<LiteralNode, number>): GeneratedTemplate {
  const generator = new Generator(slots);
  const body = generator.condition(root);
  const prologue = generator.prologue;
  const temporaries = Array.from({ length: generator.temporaryCount }, (_, i) => `t${i}`);
  // Bind only the helpers this rule calls: compiling unused destructuring costs more than the rule.
  const bindings = [...generator.bindings];
  const evaluatorSource = [
    'function evaluate(ctx, scope, plain) {',
    ...(temporaries.length > 0 ? [`  let ${temporaries.join(', ')};`] : []),
    // Only an exotic context (a throwing getter, a revoked proxy) can throw here; such a rule does not match.
    '  try {',
    ...prologue.map((line) => `    ${line}`),
    `    return ${body};`,
    '  } catch {',
    '    return false;',
    '  }',
    '}',
  ].join('\n');
  // Parameters and constants become closure constants of the evaluator: as fast to read as literals.
  const factorySource = [
    'function (rt, p, k) {',
    ...(bindings.length > 0 ? [`  const { ${bindings.join(', ')} } = rt;`] : []),
    ...declarations('p', 'p', slots.size),
    ...declarations('k', 'k', generator.recipes.length),
    `  return ${evaluatorSource};`,
    '}',
  ].join('\n');
  return {
    factorySource,
    bindings,
    usesSalt: generator.usesSalt,
    recipes: generator.recipes,
    segmentSlots: generator.segmentSlots,
    flagSlots: generator.flagSlots,
    evaluatorSource,
    condition: body,
    paramCount: slots.size,
    temporaryCount: generator.temporaryCount,
    readsContext: generator.readsContext,
  };
}
