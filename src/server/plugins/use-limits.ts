/** Abuse limits on GraphQL documents: depth, aliases, tokens, directives and cost (graphql-armor). */
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';

export interface LimitOptions {
  /** @default 12 */
  maxDepth?: number;
  /** @default 30 */
  maxAliases?: number;
  /** @default 5000 */
  maxTokens?: number;
  /** @default 20 */
  maxDirectives?: number;
  /** @default 20000 */
  maxCost?: number;
}

export function useLimits({
  maxDepth = 12,
  maxAliases = 30,
  maxTokens = 5000,
  maxDirectives = 20,
  maxCost = 20_000,
}: LimitOptions = {}): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: maxAliases },
    maxTokens: { n: maxTokens },
    maxDirectives: { n: maxDirectives },
    costLimit: { maxCost, ignoreIntrospection: true },
    // Field suggestions ("did you mean …") would let a caller map the schema without introspection rights.
    blockFieldSuggestion: { enabled: true },
  }) as Plugin;
}
