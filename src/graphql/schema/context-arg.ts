/** Limits on an evaluation context beyond the JSON scalar's: at most 32 KiB when serialised. */
import { apiError } from '../errors.js';

export const maxContextBytes = 32 * 1024;

export function checkContext(context: unknown): unknown {
  // A non-object context is not an API error: the evaluation reports INVALID_CONTEXT.
  if (context !== null && typeof context === 'object' && JSON.stringify(context).length > maxContextBytes) {
    throw apiError('VALIDATION', `context is larger than ${maxContextBytes} bytes`, { field: 'context' });
  }
  return context;
}
