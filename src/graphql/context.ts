/** What every resolver receives: who is calling, and the gateway's services. */
import type { FlagEngine } from '../flags/engine.js';
import type { EngineSync } from '../store/engine-sync.js';
import type { FlagStore } from '../store/store.js';
import type { EvaluationHub } from './live/evaluation-hub.js';
import type { FlagChangeHub } from './live/flag-change-hub.js';
import type { Principal } from './principal.js';

export interface GatewayServices {
  store: FlagStore;
  engine: FlagEngine;
  sync: EngineSync;
  live: { evaluations: EvaluationHub; flagChanges: FlagChangeHub };
  /** Issues a new API key secret and stores its hash; returns the secret once. */
  createApiKey(
    input: { name: string; kind: Principal['kind']; environment: string | null },
    actor: string,
  ): Promise<{ secret: string; record: import('../store/types.js').ApiKeyRecord }>;
}

export interface GatewayContext {
  /** Null for a request without an Authorization header. */
  principal: Principal | null;
  /** The WebSocket, or the HTTP request: what per-connection subscription limits count against. */
  connection: object;
  services: GatewayServices;
}
