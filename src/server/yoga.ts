/**
 * The GraphQL server (graphql-yoga): one composition of plugins, shared by HTTP, SSE and WebSocket.
 * Parsed and validated documents are cached by yoga itself (`parserAndValidationCache`).
 */
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GatewayContext, GatewayServices } from '../graphql/context.js';
import { gatewaySchema } from '../graphql/schema-builder.js';
import { renderOfflineGraphiQL } from './graphiql.js';
import type { KeyRegistry } from './key-registry.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import { useErrorCodes } from './plugins/use-error-codes.js';
import { type LimitOptions, useLimits } from './plugins/use-limits.js';
import { useSharedSubscriptionResults } from './plugins/use-shared-subscription-results.js';
import { type Authenticated, principalFromHeader } from './request/authenticate.js';

export interface YogaOptions {
  services: GatewayServices;
  keys: KeyRegistry;
  logger: Logger;
  metrics: GatewayMetrics;
  /** Serve GraphiQL at /graphql. @default false */
  graphiql?: boolean;
  limits?: LimitOptions | false;
  /** Largest batch of operations in one request. @default 10 */
  maxBatch?: number;
}

export type GatewayYoga = YogaServerInstance<Record<string, unknown>, GatewayContext>;

export function createGatewayYoga({
  services,
  keys,
  logger,
  metrics,
  graphiql = false,
  limits = {},
  maxBatch = 10,
}: YogaOptions): GatewayYoga {
  return createYoga<Record<string, unknown>, GatewayContext>({
    schema: gatewaySchema(),
    graphqlEndpoint: '/graphql',
    graphiql,
    renderGraphiQL: renderOfflineGraphiQL,
    landingPage: false,
    batching: { limit: maxBatch },
    logging: {
      debug: (...args) => logger.debug(args.length === 1 ? args[0] : args),
      info: (...args) => logger.info(args.length === 1 ? args[0] : args),
      warn: (...args) => logger.warn(args.length === 1 ? args[0] : args),
      error: (...args) => logger.error(args.length === 1 ? args[0] : args),
    },
    // Unexpected errors become "Unexpected error." for the client; the original is logged here.
    maskedErrors: true,
    // HTTP requests carry the key in a header; WebSocket connections (at connection_init) and the fast
    // lane authenticate before they reach yoga and pass the result in.
    context: (initial: { request?: Request; authenticated?: Authenticated }) => {
      if (initial.authenticated) return { ...initial.authenticated, services };
      return {
        principal: principalFromHeader(initial.request?.headers.get('authorization'), keys),
        connection: initial.request ?? {},
        services,
      };
    },
    plugins: [
      limits !== false && useLimits(limits),
      useErrorCodes((code) => metrics.graphqlErrors.inc({ code })),
      useSharedSubscriptionResults(),
    ].filter(Boolean) as never[],
  });
}
