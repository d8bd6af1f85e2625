/**
 * A token bucket per API token, refilled gradually as Heroku's is
 * (4,500 requests an hour by default: one every 0.8 s, bursting to the full hour).
 */
const MAX_BUCKETS = 10_000

export class RateLimiter {
  private readonly buckets = new Map<string, {tokens: number; at: number}>()
  private readonly perMs: number

  constructor(
    readonly perHour: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perHour / 3_600_000
  }

  /** Takes one request from the bucket: the requests left, or the seconds to wait. */
  take(key: string): {allowed: boolean; remaining: number; retryAfter: number} {
    const now = this.now()
    if (this.buckets.size >= MAX_BUCKETS) this.sweep(now)
    const bucket = this.buckets.get(key) ?? {tokens: this.perHour, at: now}
    bucket.tokens = Math.min(this.perHour, bucket.tokens + (now - bucket.at) * this.perMs)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return {allowed: true, remaining: Math.floor(bucket.tokens), retryAfter: 0}
    }
    return {allowed: false, remaining: 0, retryAfter: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000))}
  }

  /** Forgets buckets that have refilled: they hold nothing a new bucket would not. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.perHour) this.buckets.delete(key)
    }
  }
}
