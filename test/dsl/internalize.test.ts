import { describe, expect, it } from 'vitest';
import { internalize } from '../../src/dsl/internalize.js';

describe('internalize', () => {
  it('returns the same text, whatever it is', () => {
    const texts = [
      'plan',
      '',
      'flag-000042',
      '__proto__',
      'constructor',
      'toString',
      '12',
      '-1',
      '1.5',
      'é ü 日本',
      'x'.repeat(5000),
    ];
    for (const text of texts) expect(internalize(text.split('').join(''))).toBe(text);
  });

  it('keeps nothing from one call to the next', () => {
    // One scratch object serves every call: a name left behind would be handed back for the next one.
    expect(internalize('first')).toBe('first');
    expect(internalize('second')).toBe('second');
    expect(internalize('12')).toBe('12');
    expect(internalize('third')).toBe('third');
  });
});
