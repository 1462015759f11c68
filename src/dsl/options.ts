/** Options of `compileRule`, and the resolvers through which the flag model gives meaning to `segment()` and `flag()`. */

/**
 * Resolvers called at evaluation time. `scope` is whatever the caller passes as the second argument of
 * `evaluate`/`explain` (the engine passes its compiled snapshot), so a compiled rule never holds on to
 * a particular snapshot and can be reused across them.
 */
export interface RuleResolvers {
  /** `segment("name")`: is the context in that segment? */
  segment?: (name: string, context: unknown, scope: unknown) => boolean;
  /** `flag("key")`: the value that flag serves the same context. */
  flag?: (key: string, context: unknown, scope: unknown) => unknown;
}

export interface CompileOptions {
  /** Default salt of `bucket(value)`; normally the flag's salt (its key). @default "" */
  salt?: string;
  /** Without a resolver, `segment()` / `flag()` are compile errors. */
  resolvers?: RuleResolvers;
}

export const limits = {
  /** Longest source, in UTF-8 bytes. */
  maxSourceBytes: 16 * 1024,
  /** Deepest nesting of expressions, parentheses and lists. */
  maxDepth: 64,
  maxListItems: 10_000,
} as const;
