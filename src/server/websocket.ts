/**
 * GraphQL over WebSocket (graphql-ws) on the same port and path as HTTP. Subscriptions run through
 * yoga's envelop, so they get the same plugins as HTTP (limits, masking). The key is checked once,
 * in `connection_init`: missing → close 4401, unknown or revoked → close 4403; revoking a key later
 * closes its sockets with 4403. Pings detect dead peers.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../graphql/principal.js';
import type { KeyRegistry } from './key-registry.js';
import type { Logger } from './logger.js';
import { admit, executionArgs, isAdmitted } from './request/admit.js';
import { bearerSecret } from './request/authenticate.js';
import type { GatewayYoga } from './yoga.js';

export interface WebSocketOptions {
  /** Interval of keep-alive pings; a peer that missed the previous one is terminated. @default 12000 */
  pingIntervalMs?: number;
}

interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/** The key of a connection: `Bearer <secret>`, or the bare secret, in connection_init or the upgrade's header. */
function secretFrom(params: Record<string, unknown> | undefined, request: IncomingMessage): string | null {
  const raw = params?.authorization ?? params?.Authorization ?? request.headers.authorization;
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  return bearerSecret(raw) ?? raw.trim();
}

export function attachWebSocket(
  server: Server,
  yoga: GatewayYoga,
  keys: KeyRegistry,
  logger: Logger,
  { pingIntervalMs = 12_000 }: WebSocketOptions = {},
) {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const principals = new WeakMap<WebSocket, Principal>();
  const alive = new WeakSet<WebSocket>();

  const disposable = useServer<Record<string, unknown> | undefined, { socket: WebSocket; request: IncomingMessage }>(
    {
      execute: (args) => (args.rootValue as Enveloped).execute(args) as never,
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as never,
      onConnect: (ctx) => {
        const { socket, request } = ctx.extra;
        const secret = secretFrom(ctx.connectionParams, request);
        if (!secret) {
          socket.close(4401, 'Unauthorized: send {"authorization": "Bearer <key>"} in connection_init');
          return false;
        }
        const principal = keys.authenticate(secret);
        if (!principal) {
          socket.close(4403, 'Forbidden: unknown or revoked API key');
          return false;
        }
        principals.set(socket, principal);
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        const socket = ctx.extra.socket;
        const authenticated = { principal: principals.get(socket) ?? null, connection: socket };
        const admission = admit(yoga, { ...ctx, req: ctx.extra.request, socket, params, authenticated });
        // A bad document (or a broken limit) fails this operation only, never the connection and its
        // other subscriptions: graphql-ws sends the coded errors as this operation's error message.
        if (!isAdmitted(admission)) return admission;
        const { execute, subscribe, contextFactory } = admission.enveloped;
        return { ...executionArgs(admission, params, await contextFactory()), rootValue: { execute, subscribe } };
      },
    },
    wss,
  );

  wss.on('connection', (socket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
  });
  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, pingIntervalMs);
  pinger.unref();

  const onRevoked = (keyId: string) => {
    for (const socket of wss.clients)
      if (principals.get(socket)?.keyId === keyId) socket.close(4403, 'Forbidden: API key revoked');
  };
  keys.on('revoked', onRevoked);
  wss.on('error', (error) => logger.error({ err: error }, 'websocket server error'));

  return {
    clients: () => wss.clients.size,
    async close(): Promise<void> {
      clearInterval(pinger);
      keys.off('revoked', onRevoked);
      for (const socket of wss.clients) socket.close(1001, 'server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
