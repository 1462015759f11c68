/** The console's create-flag rules: the same key pattern as the server, variations as typed, off everywhere. */
import { describe, expect, it } from 'vitest';
import { createInput, flagKeyPattern, keyProblem, parseVariations } from '../../src/console/create-flag.js';
import { flagKeyPattern as serverPattern } from '../../src/flags/index.js';

describe('the create-flag form', () => {
  it('checks keys with the pattern the server validates with', () => {
    expect(flagKeyPattern.source).toBe(serverPattern.source);
    expect(keyProblem('checkout.v2')).toBeNull();
    expect(keyProblem('Checkout v2')).toMatch(/lower-case/);
  });

  it('reads variations as key = JSON value, plain text for string flags', () => {
    expect(parseVariations('a = "control"\nb = cheaper', 'STRING')).toEqual([
      { key: 'a', value: 'control' },
      { key: 'b', value: 'cheaper' },
    ]);
    expect(parseVariations('low = 1\nhigh = x', 'NUMBER')).toBe('Line 2: the value is not valid JSON.');
    expect(parseVariations('only = 1', 'NUMBER')).toBe('Give at least two variations.');
  });

  it('creates the flag off in every environment', () => {
    const variations = parseVariations('', 'BOOLEAN');
    if (typeof variations === 'string') throw new Error(variations);
    const input = createInput({ key: 'k', kind: 'OPS', valueType: 'BOOLEAN', owner: ' ops ' }, variations, ['a', 'b']);
    expect(input.owner).toBe('ops');
    expect(input.environments?.map((e) => [e.environment, e.config.on, e.config.offVariation])).toEqual([
      ['a', false, 'off'],
      ['b', false, 'off'],
    ]);
  });
});
