/**
 * Read-modify-write with retries: operator actions that do not name a version (toggle, archive,
 * restore, revoke) re-read and try again when a concurrent write got there first, so an operator in
 * an incident is never blocked by a concurrent edit.
 */
import { VersionConflict } from './types.js';

/** Runs `attempt` until it does not throw a VersionConflict, at most `maxRetries` + 1 times. */
export async function retryOnConflict<T>(maxRetries: number, attempt: () => Promise<T>): Promise<T> {
  for (let tried = 0; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof VersionConflict && tried < maxRetries) continue;
      throw error;
    }
  }
}
