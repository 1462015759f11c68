/** The `vexil` package entry: the rule language and the flag engine. */
export * from './dsl/index.js';
export * from './flags/index.js';
