/** Public surface of the rule language. */
export {
  compileRule,
  checkRule,
  configureRuleCache,
  RuleCompiler,
  type CompiledRule,
  type RuleCheck,
} from './compile.js';
export type { RuleChain } from './rule-chain.js';
export { RuleError, isRuleError, type Diagnostic } from './diagnostics.js';
export type { Explanation, ExplainNode } from './explain.js';
export type { CompileOptions, RuleResolvers } from './options.js';
export { limits as ruleLimits } from './options.js';
export { bucket, bucketIndex, hashSaltedText } from './functions/bucket.js';
export { internalize } from './internalize.js';
