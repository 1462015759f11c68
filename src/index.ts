/** The `vexil` package entry: the rule language (more layers are exported as they are built). */
export * from './dsl/index.js';
