/** Limits on an evaluation context beyond the JSON scalar's: at most 32 KiB when serialised. */
import { apiError } from '../errors.js';

export const maxContextBytes = 32 * 1024;

/** Longest text of a finite number: sign, 17 significant digits, point, exponent ("-1.2345678901234567e-308"). */
const maxNumberLength = 25;

/**
 * An upper bound of `JSON.stringify(value).length`, or Infinity where it cannot tell cheaply: strings
 * count 6 characters per code unit (the longest escape), numbers 25, and structure as written. Serialising
 * just to measure costs far more than evaluating (it builds the whole string), so it is left to contexts
 * this bound does not show to be small.
 */
function serialisedLengthBound(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 2 + 6 * value.length;
  if (typeof value === 'number') return maxNumberLength;
  if (typeof value === 'boolean' || value === null) return 5;
  if (typeof value !== 'object' || depth > 32 || typeof (value as { toJSON?: unknown }).toJSON === 'function')
    return Infinity;
  let bound = 2;
  if (Array.isArray(value)) {
    for (const item of value) bound += serialisedLengthBound(item, depth + 1) + 1;
  } else {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return Infinity;
    for (const key in value)
      if (Object.hasOwn(value, key))
        bound += 4 + 6 * key.length + serialisedLengthBound((value as Record<string, unknown>)[key], depth + 1);
  }
  return bound;
}

export function checkContext(context: unknown): unknown {
  // A non-object context is not an API error: the evaluation reports INVALID_CONTEXT.
  if (context === null || typeof context !== 'object' || serialisedLengthBound(context) <= maxContextBytes)
    return context;
  if (JSON.stringify(context).length > maxContextBytes) {
    throw apiError('VALIDATION', `context is larger than ${maxContextBytes} bytes`, { field: 'context' });
  }
  return context;
}
