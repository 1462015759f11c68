/** `evaluateAll`: every non-archived flag of an environment, for one context. */
import { describe, expect, it } from 'vitest';
import { engineWith, flag, PROD, rule, serve, typedFlag } from '../fixtures/flags/flags.js';

const engine = engineWith([
  flag('zeta', { config: { defaultServe: serve('on') } }),
  flag('alpha', { config: { rules: [rule('vip', 'on')] } }),
  flag('gone', { archived: true }),
  typedFlag('mid', 'number', [1, 2], { config: { on: false } }),
]);

describe('evaluateAll', () => {
  it('evaluates every non-archived flag, in key order', () => {
    expect(
      engine
        .evaluateAll({ vip: true }, { environment: PROD })
        .map((result) => [result.key, result.reason, result.value]),
    ).toEqual([
      ['alpha', 'TARGETING_MATCH', true],
      ['mid', 'DISABLED', 1],
      ['zeta', 'DEFAULT', true],
    ]);
  });

  it('gives the same results as evaluating each flag on its own', () => {
    const context = { vip: false };
    for (const result of engine.evaluateAll(context, { environment: PROD }))
      expect(result).toEqual(engine.evaluate(result.key, context, { environment: PROD }));
  });

  it('evaluates only the requested keys, in the order given', () => {
    expect(engine.evaluateAll({}, { environment: PROD, keys: ['zeta', 'alpha'] }).map((result) => result.key)).toEqual([
      'zeta',
      'alpha',
    ]);
  });

  it('reports FLAG_NOT_FOUND for requested keys that are missing or archived', () => {
    expect(
      engine.evaluateAll({}, { environment: PROD, keys: ['gone', 'never'] }).map((result) => result.errorCode),
    ).toEqual(['FLAG_NOT_FOUND', 'FLAG_NOT_FOUND']);
  });

  it('returns nothing for an environment without flags', () => {
    const empty = engineWith([]);
    expect(empty.evaluateAll({}, { environment: PROD })).toEqual([]);
  });

  it('includes a flag once it is un-archived', () => {
    const archived = flag('later', { archived: true });
    const engineWithArchived = engineWith([archived]);
    expect(engineWithArchived.evaluateAll({}, { environment: PROD })).toEqual([]);
    engineWithArchived.apply([{ kind: 'flag', key: 'later', flag: { ...archived, archived: false, version: 2 } }]);
    expect(engineWithArchived.evaluateAll({}, { environment: PROD }).map((result) => result.key)).toEqual(['later']);
  });
});
