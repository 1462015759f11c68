/**
 * When to try a failed delivery again: exponential backoff with full jitter (a random delay between 0
 * and base·2^(attempt-1), capped), so that receivers coming back are not hit by every instance and
 * every delivery at once. After `giveUpMs` since the first attempt the delivery fails for good.
 */

export interface BackoffOptions {
  /** @default 10000 */
  baseMs: number;
  /** @default 3600000 (1 h) */
  capMs: number;
  /** @default 86400000 (24 h) */
  giveUpMs: number;
  /** @default Math.random */
  random: () => number;
}

/** The instant (ms) of the next attempt after `attempt` (1-based) failed at `nowMs`, or null to give up. */
export function nextAttemptAt(
  attempt: number,
  firstAttemptMs: number,
  nowMs: number,
  options: BackoffOptions,
): number | null {
  if (nowMs - firstAttemptMs >= options.giveUpMs) return null;
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt - 1, 40));
  const next = nowMs + Math.floor(options.random() * ceiling);
  // The last try falls at the deadline rather than after it.
  return Math.min(next, firstAttemptMs + options.giveUpMs);
}
