/** Sticky assignments in the engine: the first variation a key gets stays through weight changes, up to the bound. */
import { describe, expect, it } from 'vitest';
import { FlagEngine } from '../../src/flags/engine.js';
import { validateFlag } from '../../src/index.js';
import { contexts, documentOf, flag, issuesOf, PROD, percentOn, revise, state } from '../fixtures/flags/flags.js';

const experiment = (sticky: boolean) =>
  flag('exp', { kind: 'experiment', config: { on: true, sticky, defaultServe: percentOn(50) } });

function engineOf(sticky: boolean, stickyMaxPerFlag?: number): FlagEngine {
  const engine = new FlagEngine({ stickyMaxPerFlag });
  engine.load(state([experiment(sticky)]));
  return engine;
}

const users = contexts(200);
const variations = (engine: FlagEngine) =>
  users.map((context) => engine.evaluate('exp', context, { environment: PROD }).variation);

describe('sticky assignments', () => {
  it('serve the first variation again after the weights move, with sticky: true and the recorded time', () => {
    const engine = engineOf(true);
    const first = variations(engine);
    engine.apply([
      { kind: 'flag', key: 'exp', flag: revise(experiment(true), { config: { defaultServe: percentOn(0) } }) },
    ]);
    expect(variations(engine)).toEqual(first);
    const result = engine.evaluate('exp', users[first.indexOf('on')]!, { environment: PROD });
    expect(result).toMatchObject({ reason: 'SPLIT', variation: 'on', sticky: true, flagVersion: 2 });
    expect(Date.parse(result.stickyAssignedAt!)).not.toBeNaN();
    expect(engine.sticky.drain()).toHaveLength(200);
  });

  it('are not kept for a flag that is not sticky: everyone moves with the weights', () => {
    const engine = engineOf(false);
    variations(engine);
    engine.apply([
      { kind: 'flag', key: 'exp', flag: revise(experiment(false), { config: { defaultServe: percentOn(0) } }) },
    ]);
    expect(new Set(variations(engine))).toEqual(new Set(['off']));
    expect(engine.evaluate('exp', users[0]!, { environment: PROD }).sticky).toBeUndefined();
  });

  it('stop at the bound: further keys are bucketed as usual and marked sticky: false', () => {
    const engine = engineOf(true, 10);
    const results = users.slice(0, 20).map((context) => engine.evaluate('exp', context, { environment: PROD }));
    expect(results.slice(0, 10).every((result) => result.sticky === true)).toBe(true);
    expect(results.slice(10).every((result) => result.sticky === false && result.stickyAssignedAt === undefined)).toBe(
      true,
    );
    expect(engine.sticky.count(PROD, 'exp')).toBe(10);
  });

  it('hand out the same frozen result to a key on every hit', () => {
    const engine = engineOf(true);
    const a = engine.evaluate('exp', users[0]!, { environment: PROD });
    expect(engine.evaluate('exp', users[0]!, { environment: PROD })).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it('vanish when the flag is archived or its experiment reset', () => {
    const engine = engineOf(true);
    variations(engine);
    engine.apply([
      {
        kind: 'flag',
        key: 'exp',
        flag: revise(experiment(true), { config: { stickyResetAt: '9999-01-01T00:00:00.000Z' } }),
      },
    ]);
    expect(engine.sticky.count(PROD, 'exp')).toBe(0);
    variations(engine);
    engine.apply([{ kind: 'flag', key: 'exp', flag: revise(experiment(true), { archived: true, version: 3 }) }]);
    expect(engine.sticky.count(PROD, 'exp')).toBe(0);
  });

  it('learn the store’s assignment over one made here: the first recorded wins', () => {
    const engine = engineOf(true);
    const mine = engine.evaluate('exp', users[0]!, { environment: PROD }).variation;
    const theirs = mine === 'on' ? 'off' : 'on';
    engine.sticky.learn({
      flag: 'exp',
      environment: PROD,
      key: users[0]!.targetingKey,
      variation: theirs,
      assignedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(engine.evaluate('exp', users[0]!, { environment: PROD })).toMatchObject({
      variation: theirs,
      sticky: true,
      stickyAssignedAt: '2025-01-01T00:00:00.000Z',
    });
  });

  it('are refused on a flag that is not an experiment, naming the field', () => {
    const release = flag('rel', { config: { on: true, sticky: true, defaultServe: percentOn(50) } });
    expect(issuesOf(() => validateFlag(documentOf(release)))).toContainEqual(
      expect.objectContaining({ path: 'environments.production.sticky', code: 'VALIDATION' }),
    );
  });
});
