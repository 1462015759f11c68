/**
 * Vexil's own providers behind one face for the provider tests: a client of the server SDK or the web
 * SDK, set up on its own domain for one context, whose `details` answers like the server SDK's (a
 * promise) whichever paradigm runs underneath. A fetch wrapper counts the provider's requests.
 */
import { OpenFeature as ServerFeature } from '@openfeature/server-sdk';
import { type EvaluationContext, OpenFeature as WebFeature } from '@openfeature/web-sdk';
import { VexilServerProvider } from '../../src/providers/server/index.js';
import type { LiveOptions } from '../../src/providers/shared/live-evaluations.js';
import { VexilWebProvider } from '../../src/providers/web/index.js';

export type Paradigm = 'server' | 'web';
export const paradigms: readonly Paradigm[] = ['server', 'web'];

type Kind = 'boolean' | 'string' | 'number' | 'object';

export interface ProviderEvent {
  type: string;
  flagsChanged?: string[];
  at: number;
}

export interface TestClient {
  details(kind: Kind, key: string, defaultValue: any): Promise<any>;
  /** Every provider event since setup, in order. */
  events: ProviderEvent[];
  /** Requests the provider has started. */
  requests(): number;
  close(): Promise<void>;
}

const eventTypes = ['PROVIDER_READY', 'PROVIDER_CONFIGURATION_CHANGED', 'PROVIDER_STALE', 'PROVIDER_ERROR'] as const;
let domains = 0;

/** A client on a fresh domain; rejects like `setProviderAndWait` when the provider fails to start. */
export async function providerClient(
  paradigm: Paradigm,
  options: LiveOptions,
  context: Record<string, unknown>,
): Promise<TestClient> {
  let requests = 0;
  const fetch: typeof globalThis.fetch = (input, init) => {
    requests++;
    return globalThis.fetch(input, init);
  };
  const domain = `${paradigm}-${++domains}`;
  const events: ProviderEvent[] = [];
  const record = (type: string) => (details?: { flagsChanged?: string[] }) =>
    events.push({ type, at: Date.now(), ...(details?.flagsChanged ? { flagsChanged: details.flagsChanged } : {}) });
  const settings = { ...options, fetch, backoff: { initialMs: 50, maxMs: 200, ...options.backoff } };
  if (paradigm === 'server') {
    const provider = new VexilServerProvider(settings);
    for (const type of eventTypes) provider.events.addHandler(type as never, record(type) as never);
    const client = ServerFeature.getClient(domain);
    const ready = ServerFeature.setProviderAndWait(domain, provider);
    await ready;
    const call = {
      boolean: 'getBooleanDetails',
      string: 'getStringDetails',
      number: 'getNumberDetails',
      object: 'getObjectDetails',
    } as const;
    return {
      details: (kind, key, defaultValue) => (client as any)[call[kind]](key, defaultValue, context),
      events,
      requests: () => requests,
      close: () => provider.onClose(),
    };
  }
  const provider = new VexilWebProvider(settings);
  for (const type of eventTypes) provider.events.addHandler(type as never, record(type) as never);
  const client = WebFeature.getClient(domain);
  await WebFeature.setProviderAndWait(domain, provider, context as EvaluationContext);
  const call = {
    boolean: 'getBooleanDetails',
    string: 'getStringDetails',
    number: 'getNumberDetails',
    object: 'getObjectDetails',
  } as const;
  return {
    details: async (kind, key, defaultValue) => (client as any)[call[kind]](key, defaultValue),
    events,
    requests: () => requests,
    close: () => provider.onClose(),
  };
}

/** Waits until `predicate` holds, polling; throws with `what` after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
