/** The engine reads only own properties of contexts, whatever Object.prototype holds at evaluation time. */
import { describe, expect, it } from 'vitest';
import { config, engineWith, flag, percentOn, PROD, rule, segment } from '../fixtures/flags/flags.js';

/** Runs `body` while Object.prototype has `name` (non-enumerable, as stealthy pollution would be). */
function withPollutedObjectPrototype(name: string, value: unknown, body: () => void): void {
  Object.defineProperty(Object.prototype, name, { value, writable: true, configurable: true, enumerable: false });
  try {
    body();
  } finally {
    delete (Object.prototype as Record<string, unknown>)[name];
  }
}

describe('evaluation when Object.prototype is polluted after the snapshot was built', () => {
  it('does not match a rule on an attribute only Object.prototype has', () => {
    const engine = engineWith([flag('f', { config: config({ rules: [rule('vexilTier == "gold"', 'on')] }) })]);
    withPollutedObjectPrototype('vexilTier', 'gold', () => {
      expect(engine.evaluate('f', JSON.parse('{"targetingKey": "u1"}'), { environment: PROD })).toMatchObject({
        reason: 'DEFAULT',
        value: false,
      });
      expect(engine.evaluate('f', { targetingKey: 'u1', vexilTier: 'gold' }, { environment: PROD })).toMatchObject({
        value: true,
      });
    });
  });

  it('does not match a segment condition or a nested attribute only Object.prototype has', () => {
    const engine = engineWith(
      [flag('f', { config: config({ rules: [rule('segment("gold") or user.vexilTier == "gold"', 'on')] }) })],
      [segment('gold', { condition: 'vexilTier == "gold"' })],
    );
    withPollutedObjectPrototype('vexilTier', 'gold', () => {
      expect(engine.evaluate('f', { targetingKey: 'u1', user: {} }, { environment: PROD })).toMatchObject({
        reason: 'DEFAULT',
      });
      expect(engine.explain('f', { targetingKey: 'u1', user: {} }, PROD)).toMatchObject({ matchedRuleIndex: null });
    });
  });

  it('does not bucket a rollout by a targeting key only Object.prototype has', () => {
    const engine = engineWith([flag('f', { config: config({ defaultServe: percentOn(50) }) })]);
    withPollutedObjectPrototype('targetingKey', 'someone', () => {
      expect(engine.evaluate('f', {}, { environment: PROD })).toMatchObject({
        reason: 'ERROR',
        errorCode: 'TARGETING_KEY_MISSING',
      });
    });
  });
});
