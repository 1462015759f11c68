/**
 * Rollout plans in the engine: across a whole plan everyone who got the new variation at one stage
 * still gets it at the next (bucketing keeps people in place as long as the slices only grow), the
 * stage weights are served as written, and a rule switched off by a plan never matches.
 */
import { describe, expect, it } from 'vitest';
import type { Flag, FlagEnvironmentConfig } from '../../src/flags/model.js';
import { transition } from '../../src/flags/rollout-steps.js';
import { validateFlag } from '../../src/flags/validate.js';
import { contexts, engineWith, flag, percentOn, PROD, rule, split } from '../fixtures/flags/flags.js';

const population = contexts(20_000);
const at = '2026-03-01T10:00:00.000Z';

function withConfig(base: Flag, config: FlagEnvironmentConfig): Flag {
  return validateFlag({ ...base, environments: { ...base.environments, [PROD]: config } }, at);
}

/** The flag at every stage of its plan, from start to completion. */
function stagesOf(base: Flag): Flag[] {
  const flags: Flag[] = [];
  let config = transition(base.environments[PROD]!, 'start', at);
  flags.push(withConfig(base, config));
  while (config.rollout!.state !== 'COMPLETED') {
    config = transition(config, 'advance', at);
    flags.push(withConfig(base, config));
  }
  return flags;
}

function keysGetting(current: Flag, variation: string): Set<string> {
  const engine = engineWith([current]);
  const keys = new Set<string>();
  for (const context of population)
    if (engine.evaluate(current.key, context, { environment: PROD }).variation === variation)
      keys.add(context.targetingKey);
  return keys;
}

const percentages = [1, 5, 25, 50, 100];

describe('bucketing across a rollout plan', () => {
  for (const [name, order] of [
    ['the new variation first', ['on', 'off']],
    ['the new variation last', ['off', 'on']],
  ] as const) {
    it(`keeps everyone who was in at the next stage, with ${name}`, () => {
      const weights = (on: number) =>
        order.map((variation) => ({ variation, weight: variation === 'on' ? on : 100_000 - on }));
      const base = flag('checkout', {
        config: {
          defaultServe: { rollout: { weights: weights(0) } },
          rollout: {
            ruleId: null,
            stages: percentages.map((percent) => ({ weights: weights(percent * 1000), holdSeconds: 3600 })),
            onGuardBreach: 'PAUSE',
            state: 'DRAFT',
            currentStage: -1,
            stageEnteredAt: null,
            baseline: null,
            lastGuardCheck: null,
          },
        },
      });
      const stages = stagesOf(base);
      expect(stages).toHaveLength(percentages.length);
      let previous = new Set<string>();
      stages.forEach((current, index) => {
        const inNow = keysGetting(current, 'on');
        for (const key of previous) expect(inNow.has(key), `${key} left at stage ${index + 1}`).toBe(true);
        const share = inNow.size / population.length;
        expect(Math.abs(share - percentages[index]! / 100)).toBeLessThan(0.01);
        previous = inNow;
      });
    });
  }

  it('drives a rule’s serve when the plan targets that rule, leaving the default alone', () => {
    const base = flag('checkout', {
      config: {
        rules: [rule('plan == "pro"', percentOn(0), 'pro')],
        defaultServe: { variation: 'off' },
        rollout: {
          ruleId: 'pro',
          stages: [
            { weights: percentOn(50).rollout!.weights, holdSeconds: 0 },
            { weights: percentOn(100).rollout!.weights, holdSeconds: 0 },
          ],
          onGuardBreach: 'PAUSE',
          state: 'DRAFT',
          currentStage: -1,
          stageEnteredAt: null,
          baseline: null,
          lastGuardCheck: null,
        },
      },
    });
    const [half] = stagesOf(base);
    const engine = engineWith([half!]);
    const pro = population
      .slice(0, 2000)
      .map((context) => engine.evaluate('checkout', { ...context, plan: 'pro' }, { environment: PROD }).variation);
    const free = population
      .slice(0, 2000)
      .map((context) => engine.evaluate('checkout', context, { environment: PROD }).variation);
    expect(pro.filter((variation) => variation === 'on').length).toBeGreaterThan(800);
    expect(free.every((variation) => variation === 'off')).toBe(true);
  });
});

describe('rules switched off', () => {
  it('never match, and explain still lines rules up with their ids', () => {
    const staff = rule('true', 'on', 'staff');
    const off = flag('gated', {
      config: { rules: [{ ...staff, enabled: false }], defaultServe: split({ off: 100_000 }) },
    });
    const engine = engineWith([off]);
    expect(engine.evaluate('gated', { targetingKey: 'a' }, { environment: PROD }).variation).toBe('off');
    expect(engine.explain('gated', { targetingKey: 'a' }, PROD)!.rules[0]).toMatchObject({
      id: 'staff',
      matched: false,
    });
    const on = engineWith([flag('gated', { config: { rules: [staff] } })]);
    expect(on.evaluate('gated', { targetingKey: 'a' }, { environment: PROD })).toMatchObject({
      variation: 'on',
      ruleId: 'staff',
    });
  });
});
