/**
 * A per-key token bucket for the OFREP routes (`VEXIL_OFREP_RATE_LIMIT` requests a second, burst of
 * one second's worth). Pure: the clock is passed in, so tests need no timers.
 */

export interface RateDecision {
  allowed: boolean;
  /** When refused: whole seconds until a request would be allowed (Retry-After), at least 1. */
  retryAfterSeconds: number;
}

const allowed: RateDecision = Object.freeze({ allowed: true, retryAfterSeconds: 0 });

/** Buckets idle longer than this are dropped on the next sweep, so revoked or idle keys cost nothing. */
const idleMs = 60_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweptAt = 0;

  /** Burst: one second's worth, and never less than one request. */
  private readonly capacity: number;

  /** @param perSecond requests a second per key; 0 turns the limit off. */
  constructor(private readonly perSecond: number) {
    this.capacity = Math.max(1, perSecond);
  }

  take(key: string, now: number): RateDecision {
    if (this.perSecond <= 0) return allowed;
    if (now - this.sweptAt > idleMs) this.sweep(now);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) this.buckets.set(key, (bucket = { tokens: this.capacity, at: now }));
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return allowed;
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond)) };
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets) if (now - bucket.at > idleMs) this.buckets.delete(key);
  }
}
