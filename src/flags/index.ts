/** Public surface of the flag model and engine. */
export * from './model.js';
export * from './evaluation.js';
export { ValidationError, isValidationError, type ValidationIssue } from './errors.js';
export { validateFlag, validateSegment, flagKeyPattern, environmentKeyPattern, segmentKeyPattern } from './validate.js';
export { checkFlagReferences, prerequisitesOf, type FlagWorld } from './references.js';
export { FlagEngine, type EngineChange, type EngineState, type TouchedFlags, type EngineOptions } from './engine.js';
export { EnvironmentSnapshot } from './snapshot.js';
export type { FlagExplanation, RuleExplanation, RolloutExplanation } from './explain-flag.js';
export { UsageRecorder, type UsageEntry } from './usage.js';
export { seedFlag } from './seed.js';
