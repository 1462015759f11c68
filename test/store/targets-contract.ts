/**
 * Individual targets on the storage contract: stored with the flag environment, kept by writes that
 * leave them out (an edit of the rules, the kill switch), cleared by an explicit empty list, rejected
 * with VALIDATION at their field, and still there after a restart. Runs on both stores, like contract.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/flags/errors.js';
import { FlagEngine } from '../../src/flags/engine.js';
import { FlagStore } from '../../src/store/store.js';
import type { WriteMeta } from '../../src/store/types.js';
import { type ContractFactory, type ContractFixture, flagInput } from './contract.js';

const alice: WriteMeta = { actor: 'alice' };
const targets = [
  { variation: 'off', values: ['user-1', 'user-2'] },
  { variation: 'on', values: ['user-3'] },
];
const production = { on: true, offVariation: 'off', rules: [], defaultServe: { variation: 'on' } };

export function defineTargetsContract(name: string, factory: ContractFactory): void {
  describe(`individual targets: ${name}`, () => {
    let fixture: ContractFixture;
    let store: FlagStore;

    beforeEach(async () => {
      fixture = await factory();
      store = await FlagStore.open(fixture.backend);
    });

    afterEach(async () => {
      await store?.close();
      await fixture?.cleanup();
    });

    const evaluate = async (key: string) => {
      const engine = new FlagEngine();
      engine.load(await store.snapshot());
      return engine.evaluate('tf', { targetingKey: key }, { environment: 'production' });
    };

    it('are stored with the environment and served from a snapshot as TARGET_MATCH', async () => {
      const flag = await store.createFlag(
        flagInput('tf', { environments: { production: { ...production, targets } } }),
        alice,
      );
      expect(flag.environments.production!.targets).toEqual(targets);
      expect((await store.getFlag('tf'))!.environments.production!.targets).toEqual(targets);
      expect(await evaluate('user-2')).toMatchObject({ variation: 'off', reason: 'TARGET_MATCH' });
      expect(await evaluate('user-9')).toMatchObject({ variation: 'on', reason: 'DEFAULT' });
    });

    it('stay when a write leaves them out, go with an explicit empty list', async () => {
      await store.createFlag(flagInput('tf'), alice);
      await store.setFlagEnvironment('tf', 'production', { ...production, targets }, 1, alice);
      const rules = [{ id: 'beta', condition: 'plan == "beta"', serve: { variation: 'off' } }];
      const edited = await store.setFlagEnvironment('tf', 'production', { ...production, rules }, 2, alice);
      expect(edited.environments.production).toMatchObject({ rules, targets });
      const toggled = await store.toggleFlag('tf', 'production', false, undefined, alice);
      expect(toggled.environments.production!.targets).toEqual(targets);
      const cleared = await store.setFlagEnvironment('tf', 'production', { ...production, targets: [] }, 4, alice);
      expect(cleared.environments.production!.targets).toBeUndefined();
    });

    it('are rejected with VALIDATION at their field, and nothing is written', async () => {
      await store.createFlag(flagInput('tf'), alice);
      const override = [{ variation: 'on', values: ['qa@example.com'], attribute: 'email' }];
      const error = await store
        .setFlagEnvironment('tf', 'production', { ...production, targets: override }, 1, alice)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((issue) => [issue.path, issue.code])).toEqual([
        ['environments.production.targets[0].attribute', 'VALIDATION'],
      ]);
      expect((await store.getFlag('tf'))!.version).toBe(1);
      const staging = await store.setFlagEnvironment('tf', 'staging', { ...production, targets: override }, 1, alice);
      expect(staging.environments.staging!.targets).toEqual(override);
    });

    it('survive a restart', async (context) => {
      if (!fixture.reopen) {
        context.skip();
        return;
      }
      await store.createFlag(flagInput('tf', { environments: { production: { ...production, targets } } }), alice);
      await store.close();
      store = await FlagStore.open(await fixture.reopen());
      expect((await store.getFlag('tf'))!.environments.production!.targets).toEqual(targets);
      expect(await evaluate('user-3')).toMatchObject({ variation: 'on', reason: 'TARGET_MATCH' });
    });
  });
}
