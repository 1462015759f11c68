/**
 * What every real-client test (test/clients/*) runs against: the default gateway (fast lane and
 * evaluation plan on), one boolean flag, an evaluation key for production, and the `flagChanged`
 * subscription. Each client file drives the same five things: an evaluation query, a flag query with
 * the admin key, toggleFlag with a comment, a subscription that sees that kind of change, and a
 * GraphQL error with its `extensions.code`.
 *
 * `VEXIL_FAST_LANE=false npx vitest run test/clients` runs them against a gateway without the
 * node:http lanes (yoga alone), to tell a client problem from a lane problem.
 */
import { parse, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { AuditLogDocument, CreateFlagDocument } from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD } from '../fixtures/gateway/flags.js';
import { dataOf, startTestGateway, type TestGateway } from '../support/gateway.js';
import { eventually } from '../support/live-clients.js';

export { PROD };

export interface ClientScenario {
  gw: TestGateway;
  /** An EVALUATION key bound to production. */
  evalKey: string;
  /** The flag every test reads and toggles (production serves `on` to `plan == "pro"`). */
  flagKey: string;
  /** ws://…/graphql */
  wsUrl: string;
}

export async function startScenario(flagKey: string): Promise<ClientScenario> {
  const gw = await startTestGateway({ seed: false, env: { VEXIL_FAST_LANE: process.env.VEXIL_FAST_LANE } });
  dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag(flagKey) }));
  const evalKey = (await gw.createKey('EVALUATION', PROD)).secret;
  return { gw, evalKey, flagKey, wsUrl: gw.endpoint.replace(/^http/, 'ws') };
}

export interface FlagChanged {
  flagChanged: { key: string; environment: string | null; kind: string; version: number; actor: string | null };
}

export const FlagChangedDocument: TypedDocumentNode<FlagChanged, { keys?: string[] }> = parse(/* GraphQL */ `
  subscription FlagChanged($keys: [String!]) {
    flagChanged(keys: $keys) { key environment kind version actor }
  }
`) as DocumentNode as TypedDocumentNode<FlagChanged, { keys?: string[] }>;

/** Resolves once the gateway has `count` flagChanged watchers, i.e. a subscription is live server-side. */
export function watchersReady(scenario: ClientScenario, count = 1): Promise<void> {
  return eventually(
    () => scenario.gw.gateway.live.flagChanges.size >= count,
    `${count} flagChanged subscriber(s) on the gateway`,
  );
}

/** The comment the audit log recorded for the newest change of a flag. */
export async function latestComment(scenario: ClientScenario): Promise<string | null | undefined> {
  const page = dataOf(await scenario.gw.gql(AuditLogDocument, { key: scenario.flagKey, first: 1 })).auditLog;
  return page.entries[0]?.comment;
}

/**
 * Collects unhandled promise rejections while a test runs: a client that tears a response down badly
 * (urql aborting an event stream it had not finished reading) rejects where no test awaits.
 */
export function trackUnhandledRejections(): { settle(): Promise<unknown[]>; stop(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown) => reasons.push(reason);
  process.on('unhandledRejection', listener);
  return {
    // Rejections are reported after the microtask queue drains; give them a moment to arrive.
    settle: () =>
      new Promise((resolve) =>
        setTimeout(
          () =>
            resolve(reasons.map((reason) => (reason instanceof Error ? `${reason.name}: ${reason.message}` : reason))),
          50,
        ),
      ),
    stop: () => process.off('unhandledRejection', listener),
  };
}

/** The promise's outcome, or a timeout error naming what was awaited (a hung client fails fast and says why). */
export function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Plans asked in turn and the flag value each gets: a client must not serve a cached answer. */
export const planEvaluations = [
  ['pro', true],
  ['free', false],
  ['pro', true],
] as const;
