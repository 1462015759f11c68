/**
 * Concurrent writers over HTTP. Two writers holding the same expected version race: exactly one wins,
 * the other gets CONFLICT with the current version, and nothing is lost (the loser can re-read and
 * re-apply). Operator actions without a version (toggles) never block each other and all land.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  CreateEnvironmentDocument,
  CreateFlagDocument,
  CreateSegmentDocument,
  FlagDocument,
  SetFlagEnvironmentDocument,
  ToggleFlagDocument,
  UpdateFlagDocument,
  UpdateSegmentDocument,
} from '../../src/client/generated/graphql.js';
import { booleanFlag, PROD, segmentInput, serveAll } from '../fixtures/gateway/flags.js';
import { dataOf, type GqlResult, startTestGateway, type TestGateway } from '../support/gateway.js';

let gw: TestGateway;
/** A second admin key, so the two writers are distinguishable in the audit log. */
let otherAdmin: string;

beforeAll(async () => {
  gw = await startTestGateway({ seed: false });
  otherAdmin = (await gw.createKey('ADMIN', undefined, 'writer-b')).secret;
});

afterAll(async () => {
  await gw?.stop();
});

/** Splits two racing results into the winner and the loser; fails unless exactly one succeeded. */
function winnerAndLoser<T>(results: Array<GqlResult<T>>): { winner: number; loser: number } {
  const succeeded = results.map((result, index) => (result.errors?.length ? -1 : index)).filter((index) => index >= 0);
  expect(succeeded, results.map((result) => result.text).join('\n')).toHaveLength(1);
  const winner = succeeded[0]!;
  return { winner, loser: 1 - winner };
}

const ruleOf = (name: string) =>
  serveAll('off', [{ id: name, condition: `team == "${name}"`, serve: { variation: 'on' } }]);
const ruleIds = async (key: string) =>
  dataOf(await gw.gql(FlagDocument, { key }))
    .flag!.environments.find((environment) => environment.environment === PROD)!
    .rules.map((rule) => rule.id);

describe('two writers with the same expected version', () => {
  it('lets exactly one setFlagEnvironment win; the other gets CONFLICT with the current version', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('race-env') }));
    const results = await Promise.all([
      gw.gql(
        SetFlagEnvironmentDocument,
        { key: 'race-env', environment: PROD, expectedVersion: 1, config: ruleOf('writer-a') },
        gw.adminKey,
      ),
      gw.gql(
        SetFlagEnvironmentDocument,
        { key: 'race-env', environment: PROD, expectedVersion: 1, config: ruleOf('writer-b') },
        otherAdmin,
      ),
    ]);
    const { winner, loser } = winnerAndLoser(results);
    expect(dataOf(results[winner]!).setFlagEnvironment.version).toBe(2);
    expect(results[loser]!.errors![0]!.extensions).toMatchObject({
      code: 'CONFLICT',
      currentVersion: 2,
      expectedVersion: 1,
    });
    expect(await ruleIds('race-env')).toEqual([winner === 0 ? 'writer-a' : 'writer-b']);
  });

  it('loses nothing: the loser re-reads the current version and its change lands on top', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('race-retry') }));
    const configs = [ruleOf('first'), ruleOf('second')];
    const results = await Promise.all(
      configs.map((config, index) =>
        gw.gql(
          SetFlagEnvironmentDocument,
          { key: 'race-retry', environment: PROD, expectedVersion: 1, config },
          index === 0 ? gw.adminKey : otherAdmin,
        ),
      ),
    );
    const { winner, loser } = winnerAndLoser(results);
    const current = results[loser]!.errors![0]!.extensions!.currentVersion as number;
    const winnerRules = configs[winner]!.rules!;
    const merged = { ...configs[loser]!, rules: [...winnerRules, ...configs[loser]!.rules!] };
    expect(
      dataOf(
        await gw.gql(SetFlagEnvironmentDocument, {
          key: 'race-retry',
          environment: PROD,
          expectedVersion: current,
          config: merged,
        }),
      ).setFlagEnvironment.version,
    ).toBe(3);
    expect((await ruleIds('race-retry')).sort()).toEqual(['first', 'second']);
    const log = dataOf(await gw.gql(AuditLogDocument, { key: 'race-retry' })).auditLog;
    expect(log.entries.map((entry) => [entry.action, entry.version])).toEqual([
      ['update', 3],
      ['update', 2],
      ['create', 1],
    ]);
  });

  it('holds over many rounds of racing writers: one winner per round, versions without gaps', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('race-rounds') }));
    let version = 1;
    for (let round = 0; round < 8; round++) {
      const results = await Promise.all(
        ['a', 'b', 'c'].map((writer) =>
          gw.gql(SetFlagEnvironmentDocument, {
            key: 'race-rounds',
            environment: PROD,
            expectedVersion: version,
            config: ruleOf(`${writer}${round}`),
          }),
        ),
      );
      const winners = results.filter((result) => !result.errors?.length);
      expect(winners).toHaveLength(1);
      for (const loser of results.filter((result) => result.errors?.length))
        expect(loser.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: version + 1 });
      version++;
    }
    const log = dataOf(await gw.gql(AuditLogDocument, { key: 'race-rounds', first: 50 })).auditLog;
    expect(log.entries.map((entry) => entry.version)).toEqual(Array.from({ length: 9 }, (_, index) => 9 - index));
  });

  it('lets exactly one updateFlag win', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('race-update') }));
    const results = await Promise.all([
      gw.gql(UpdateFlagDocument, { key: 'race-update', expectedVersion: 1, input: { name: 'by A' } }, gw.adminKey),
      gw.gql(UpdateFlagDocument, { key: 'race-update', expectedVersion: 1, input: { name: 'by B' } }, otherAdmin),
    ]);
    const { winner, loser } = winnerAndLoser(results);
    expect(results[loser]!.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    expect(dataOf(await gw.gql(FlagDocument, { key: 'race-update' })).flag!.name).toBe(winner === 0 ? 'by A' : 'by B');
  });

  it('lets exactly one updateSegment win', async () => {
    dataOf(await gw.gql(CreateSegmentDocument, { input: segmentInput('race-seg') }));
    const results = await Promise.all([
      gw.gql(
        UpdateSegmentDocument,
        { environment: PROD, key: 'race-seg', expectedVersion: 1, input: { included: ['a'] } },
        gw.adminKey,
      ),
      gw.gql(
        UpdateSegmentDocument,
        { environment: PROD, key: 'race-seg', expectedVersion: 1, input: { included: ['b'] } },
        otherAdmin,
      ),
    ]);
    const { winner, loser } = winnerAndLoser(results);
    expect(results[loser]!.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    expect(dataOf(results[winner]!).updateSegment.included).toEqual([winner === 0 ? 'a' : 'b']);
  });

  it('lets exactly one of two creations of the same key win', async () => {
    const results = await Promise.all([
      gw.gql(CreateFlagDocument, { input: booleanFlag('race-create', { name: 'A' }) }),
      gw.gql(CreateFlagDocument, { input: booleanFlag('race-create', { name: 'B' }) }, otherAdmin),
    ]);
    const { winner, loser } = winnerAndLoser(results);
    expect(results[loser]!.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
    expect(dataOf(await gw.gql(FlagDocument, { key: 'race-create' })).flag!.name).toBe(winner === 0 ? 'A' : 'B');
  });

  it('lets exactly one of two creations of the same environment win', async () => {
    const results = await Promise.all([
      gw.gql(CreateEnvironmentDocument, { key: 'race-env-key' }),
      gw.gql(CreateEnvironmentDocument, { key: 'race-env-key' }, otherAdmin),
    ]);
    const { loser } = winnerAndLoser(results);
    expect(results[loser]!.errors![0]!.extensions?.code).toBe('CONFLICT');
  });
});

describe('writers without an expected version', () => {
  it('never block each other: concurrent toggles of different environments all land', async () => {
    dataOf(await gw.gql(CreateFlagDocument, { input: booleanFlag('race-toggles') }));
    const environments = ['development', 'staging', PROD];
    for (let index = 0; index < 3; index++)
      dataOf(await gw.gql(CreateEnvironmentDocument, { key: `toggle-env-${index}` }));
    const targets = [...environments, 'toggle-env-0', 'toggle-env-1', 'toggle-env-2'];
    const results = await Promise.all(
      targets.map((environment, index) =>
        gw.gql(
          ToggleFlagDocument,
          { key: 'race-toggles', environment, on: index % 2 === 0 },
          index % 2 ? gw.adminKey : otherAdmin,
        ),
      ),
    );
    for (const result of results) expect(result.errors, result.text).toBeUndefined();
    const flag = dataOf(await gw.gql(FlagDocument, { key: 'race-toggles' })).flag!;
    const state = Object.fromEntries(flag.environments.map((environment) => [environment.environment, environment.on]));
    expect(targets.map((environment) => state[environment])).toEqual(targets.map((_, index) => index % 2 === 0));
    // Every toggle but production's (already on) changed something: five changes, five versions, none lost.
    expect(flag.version).toBe(6);
    const toggles = dataOf(await gw.gql(AuditLogDocument, { key: 'race-toggles' })).auditLog.entries.filter(
      (entry) => entry.action === 'toggle',
    );
    expect(toggles.map((entry) => entry.version).sort()).toEqual([2, 3, 4, 5, 6]);
  });
});
