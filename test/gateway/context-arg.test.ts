/**
 * The context size limit (src/graphql/schema/context-arg.ts): at most 32 KiB serialised, decided
 * without serialising contexts a cheap bound shows to be small — and always as serialising would decide.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkContext, maxContextBytes } from '../../src/graphql/schema/context-arg.js';

const rejects = (context: unknown) => {
  try {
    checkContext(context);
    return false;
  } catch {
    return true;
  }
};

/** Characters serialised at 1, 2 and 6 characters each, and one outside the basic plane. */
const padding = fc.constantFrom('x', '"', '\\', '\n', '\u0001', '\ud800', '😀');

describe('checkContext', () => {
  it('rejects exactly the contexts whose JSON is longer than 32 KiB', () => {
    const context = fc
      .tuple(
        fc.jsonValue({ maxDepth: 4 }),
        padding,
        fc.integer({ min: 0, max: 40_000 }),
        fc.integer({ min: 0, max: 3_000 }),
        fc.double(),
      )
      .map(([value, character, repeat, numbers, number]) => ({
        value,
        pad: character.repeat(Math.floor(repeat / character.length / (character === 'x' ? 1 : 6))),
        numbers: Array.from({ length: numbers }, () => number),
      }));
    fc.assert(
      fc.property(context, (value) => rejects(value) === JSON.stringify(value).length > maxContextBytes),
      { numRuns: 300 },
    );
  });

  it('measures what JSON leaves out or converts, and values it cannot bound, by serialising', () => {
    const big = 'x'.repeat(maxContextBytes);
    expect(rejects({ missing: undefined, pad: big.slice(10) })).toBe(false);
    expect(rejects({ when: new Date(0), pad: big })).toBe(true);
    expect(rejects(Object.assign(Object.create({ inherited: big }), { own: 1 }))).toBe(false);
    expect(() => checkContext({ count: 1n })).toThrow(TypeError);
  });

  it('leaves contexts that are not objects to the evaluation (INVALID_CONTEXT)', () => {
    expect(checkContext('x'.repeat(maxContextBytes + 1))).toHaveLength(maxContextBytes + 1);
    expect(checkContext(null)).toBeNull();
  });
});
