/** Small helpers shared by the rule-language tests. */
import { compileRule, RuleError, type CompileOptions, type Diagnostic } from '../../src/index.js';

/** Compiles `source` and evaluates it on `context`. */
export function matches(source: string, context: unknown = {}, options?: CompileOptions): boolean {
  return compileRule(source, options).evaluate(context);
}

/** The value of the whole expression, as `explain` reports it (literals, lists, function results…). */
export function valueOf(source: string, context: unknown = {}, options?: CompileOptions): unknown {
  return compileRule(source, options).explain(context).tree.value;
}

/** The diagnostics of a source that must not compile; fails if it compiles or throws anything else. */
export function diagnosticsOf(source: string, options?: CompileOptions): Diagnostic[] {
  try {
    compileRule(source, options);
  } catch (error) {
    if (error instanceof RuleError) return [...error.diagnostics];
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} not to compile`);
}

/** The messages of a source that must not compile. */
export function messagesOf(source: string, options?: CompileOptions): string[] {
  return diagnosticsOf(source, options).map((d) => d.message);
}
