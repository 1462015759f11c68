/** Reconnection delays: exponential with "full jitter", so clients a restart dropped together do not return together. */

export interface BackoffOptions {
  /** First delay's upper bound. @default 500 */
  initialMs?: number;
  /** Largest delay. @default 30000 */
  maxMs?: number;
  /** Replaceable for tests. @default Math.random */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor({ initialMs = 500, maxMs = 30_000, random = Math.random }: BackoffOptions = {}) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.random = random;
  }

  /** The next delay: uniform in [0, min(max, initial·2^attempt)] (AWS's "full jitter"). */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(this.random() * ceiling);
  }

  reset(): void {
    this.attempt = 0;
  }
}
