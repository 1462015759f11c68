/**
 * SERVER keys and the server provider's local evaluation: what a server key may do (download its
 * environment's flag set, evaluate, follow flagChanged) and may not (admin reads, mutations); that an
 * evaluation key never gets the flag set; that local evaluation agrees with the gateway on 10,000
 * random contexts over the rich flag set; and that a change reaches the local provider within 1 s.
 */
import { randomInt } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenFeature } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ToggleFlagDocument } from '../../src/client/generated/graphql.js';
import { serializeFlagsFile, toFlagsFile } from '../../src/flags-file/index.js';
import type { FlagType } from '../../src/providers/shared/evaluation-cache.js';
import { VexilServerProvider } from '../../src/providers/server/index.js';
import { PROD } from '../fixtures/flags/flags.js';
import { richState } from '../fixtures/flags/rich-state.js';
import { cliAgainst } from '../support/cli.js';
import { codeOf, dataOf, ensureBuilt, startTestGateway, type TestGateway } from '../support/gateway.js';
import { freePort } from '../support/live-clients.js';
import { until } from './support.js';

vi.mock('graphql', async () => (await import('node:module')).createRequire(import.meta.url)('graphql'));

let gw: TestGateway;
let server: string;
let evaluation: string;
const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString();
const kinds: Record<string, FlagType> = { boolean: 'boolean', string: 'string', number: 'number', json: 'object' };

beforeAll(async () => {
  await ensureBuilt();
  gw = await startTestGateway({ seed: false });
  const work = await mkdtemp(join(tmpdir(), 'vexil-local-'));
  try {
    const file = join(work, 'rich.yaml');
    await writeFile(file, serializeFlagsFile(toFlagsFile(richState(nextYear)), 'yaml'));
    const imported = await cliAgainst(gw)('import', [file, '-m', 'rich flag set']);
    expect(imported.code, imported.stderr).toBe(0);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  server = (await gw.createKey('SERVER', PROD)).secret;
  evaluation = (await gw.createKey('EVALUATION', PROD)).secret;
}, 240_000);

afterAll(async () => {
  await OpenFeature.close();
  await gw?.stop();
});

const flagSet = (key: string | null, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}/sdk/v1/flag-set`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });

describe('SERVER keys', () => {
  it('are bound to one environment and recognisable by their prefix', async () => {
    expect(server).toMatch(/^vxl_srv_/);
    const unbound = await gw.gql('mutation { createApiKey(name: "s", kind: SERVER) { secret } }');
    expect(codeOf(unbound)).toBe('VALIDATION');
  });

  it('download their environment flag set, with an ETag answering 304 while it is unchanged', async () => {
    const response = await flagSet(server);
    expect(response.status).toBe(200);
    const document = await response.json();
    expect(document.environment).toBe(PROD);
    expect(document.flags.map((flag: { key: string }) => flag.key)).toContain('new_checkout');
    // Only that environment's config: no other environment's name anywhere, no metadata.
    const text = JSON.stringify(document);
    expect(text).not.toMatch(/staging|development|"owner"|"description"/);
    const etag = response.headers.get('etag')!;
    expect((await flagSet(server, { 'if-none-match': etag })).status).toBe(304);
  });

  it('are refused everything else: admin reads and mutations are FORBIDDEN', async () => {
    expect(codeOf(await gw.gql('{ environments { key } }', {}, server))).toBe('FORBIDDEN');
    expect(codeOf(await gw.gql('{ apiKeys { id } }', {}, server))).toBe('FORBIDDEN');
    expect(
      codeOf(await gw.gql(ToggleFlagDocument, { key: 'new_checkout', environment: PROD, on: false }, server)),
    ).toBe('FORBIDDEN');
    const evaluated = await gw.gql<{ evaluate: { key: string } }, unknown>(
      '{ evaluate(key: "new_checkout", context: { targetingKey: "u1" }) { key } }',
      {},
      server,
    );
    expect(dataOf(evaluated).evaluate.key).toBe('new_checkout');
  });

  it('are the only keys that get the flag set: evaluation and admin keys 403, none 401', async () => {
    expect((await flagSet(evaluation)).status).toBe(403);
    expect((await flagSet(gw.adminKey)).status).toBe(403);
    expect((await flagSet(null)).status).toBe(401);
  });
});

function randomContext(): Record<string, unknown> {
  const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;
  const context: Record<string, unknown> = { targetingKey: pick(['u1', 'u2', 'u3', `user-${randomInt(1e6)}`]) };
  if (randomInt(4) > 0) context.userId = `id-${randomInt(1e6)}`;
  if (randomInt(2)) context.country = pick(['US', 'CA', 'FR', 'DE']);
  if (randomInt(2)) context.plan = pick(['beta', 'pro', 'free']);
  if (randomInt(3) === 0) context.email = pick(['a@company.com', 'b@example.org']);
  return context;
}

interface GatewayEvaluation {
  key: string;
  value: unknown;
  variation: string | null;
  reason: string;
  errorCode: string | null;
}

/** `evaluateAll` for each context, 25 contexts a request (aliases; the gateway allows 30). */
async function gatewayAnswers(contexts: Record<string, unknown>[]): Promise<GatewayEvaluation[][]> {
  const answers: GatewayEvaluation[][] = [];
  for (let start = 0; start < contexts.length; start += 25) {
    const batch = contexts.slice(start, start + 25);
    const fields = batch.map((_, i) => `c${i}: evaluateAll(context: $c${i}) { key value variation reason errorCode }`);
    const query = `query(${batch.map((_, i) => `$c${i}: JSON!`).join(', ')}) { ${fields.join(' ')} }`;
    const variables = Object.fromEntries(batch.map((context, i) => [`c${i}`, context]));
    const data = dataOf(await gw.gql<Record<string, GatewayEvaluation[]>, unknown>(query, variables, evaluation));
    for (let i = 0; i < batch.length; i++) answers.push(data[`c${i}`]!);
  }
  return answers;
}

describe('the server provider with a SERVER key (local evaluation)', () => {
  it('agrees with the gateway on value, variant and reason for 10,000 random contexts', async () => {
    const provider = new VexilServerProvider({ url: gw.url, apiKey: server });
    await provider.initialize();
    const valueTypes = new Map(richState().flags.map((flag) => [flag.key, kinds[flag.valueType]!]));
    const contexts = Array.from({ length: 10_000 }, randomContext);
    const answers = await gatewayAnswers(contexts);
    const disagreements: string[] = [];
    let compared = 0;
    for (let i = 0; i < contexts.length; i++) {
      for (const expected of answers[i]!) {
        const resolve = {
          boolean: provider.resolveBooleanEvaluation,
          string: provider.resolveStringEvaluation,
          number: provider.resolveNumberEvaluation,
          object: provider.resolveObjectEvaluation,
        }[valueTypes.get(expected.key)!];
        const local = await resolve.call(provider, expected.key, null as never, contexts[i]! as never);
        const got = {
          value: expected.errorCode ? null : local.value,
          variation: local.variant ?? null,
          reason: local.reason,
          errorCode: local.errorCode ?? null,
        };
        const want = {
          value: expected.value,
          variation: expected.variation,
          reason: expected.reason,
          errorCode: expected.errorCode,
        };
        compared++;
        if (JSON.stringify(got) !== JSON.stringify(want))
          disagreements.push(
            `${expected.key} ${JSON.stringify(contexts[i])}: ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`,
          );
      }
    }
    expect(disagreements.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(40_000);
    expect(new Set(answers.flat().map((answer) => answer.reason))).toEqual(
      new Set(['TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'DISABLED', 'ERROR']),
    );
    await provider.onClose();
  }, 120_000);

  it('has a flag change within 1 s of the mutation, without a request per evaluation', async () => {
    let requests = 0;
    const provider = new VexilServerProvider({
      url: gw.url,
      apiKey: server,
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const changes: Array<{ at: number; keys: string[] }> = [];
    provider.events.addHandler(
      'PROVIDER_CONFIGURATION_CHANGED' as never,
      ((details: { flagsChanged?: string[] }) =>
        changes.push({ at: Date.now(), keys: details.flagsChanged ?? [] })) as never,
    );
    await provider.initialize();
    const context = { targetingKey: 'u9' };
    expect(await provider.resolveNumberEvaluation('search_timeout_ms', 0, context)).toMatchObject({
      reason: 'DISABLED',
    });
    const before = requests;
    for (let i = 0; i < 1000; i++) await provider.resolveNumberEvaluation('search_timeout_ms', 0, context);
    expect(requests).toBe(before);

    dataOf(await gw.gql(ToggleFlagDocument, { key: 'search_timeout_ms', environment: PROD, on: true }));
    const acknowledged = Date.now();
    await until(() => changes.length > 0, 'PROVIDER_CONFIGURATION_CHANGED');
    expect(changes[0]!.keys).toEqual(['search_timeout_ms']);
    expect(changes[0]!.at - acknowledged).toBeLessThan(1000);
    expect((await provider.resolveNumberEvaluation('search_timeout_ms', 0, context)).reason).not.toBe('DISABLED');
    await provider.onClose();
  });
});

describe('bootstrap documents', () => {
  it('vexil bootstrap downloads the flag set (server key) or the bulk evaluation of --context (evaluation key)', async () => {
    const flagSetRun = await cliAgainst(gw)('bootstrap', [], server);
    expect(flagSetRun.code, flagSetRun.stderr).toBe(0);
    expect(JSON.parse(flagSetRun.stdout)).toMatchObject({ environment: PROD, flags: expect.any(Array) });
    const bulk = await cliAgainst(gw)('bootstrap', ['--context', '{"targetingKey":"u1","plan":"beta"}'], evaluation);
    expect(bulk.code, bulk.stderr).toBe(0);
    const flags = JSON.parse(bulk.stdout).flags as Array<{ key: string; value: unknown }>;
    expect(flags.find((flag) => flag.key === 'new_checkout')).toMatchObject({ value: true, reason: 'TARGETING_MATCH' });
    const refused = await cliAgainst(gw)('bootstrap', [], gw.adminKey);
    expect(refused.code).toBe(1);
    const bad = await cliAgainst(gw)('bootstrap', ['--context', '[1]'], evaluation);
    expect(bad.code).toBe(2);
  });

  it('let local evaluation serve a downloaded flag set (reason CACHED) while no gateway answers', async () => {
    const bootstrap = await (await flagSet(server)).json();
    const port = await freePort();
    const provider = new VexilServerProvider({
      url: `http://127.0.0.1:${port}`,
      apiKey: server,
      bootstrap,
      errorAfterMs: 60_000,
    });
    await provider.initialize();
    const context = { targetingKey: 'u1', plan: 'beta' };
    expect(await provider.resolveBooleanEvaluation('new_checkout', false, context)).toMatchObject({
      value: true,
      reason: 'CACHED',
      variant: 'on',
    });
    expect(await provider.resolveNumberEvaluation('search_timeout_ms', 0, context)).toMatchObject({ value: 800 });
    await provider.onClose();
  });
});
