/**
 * A token bucket: at most `perSecond` tokens a second, with bursts of up to one second's worth. The clock and
 * the sleep are injectable so the limit itself is tested without timing anything.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class RateLimiter {
  private tokens: number;
  private readonly capacity: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly clock: Clock = REAL_CLOCK,
  ) {
    if (!(Number.isFinite(perSecond) && perSecond > 0))
      throw new Error(`rate ${perSecond}: must be a positive number of messages a second`);
    this.capacity = Math.max(1, perSecond);
    this.tokens = this.capacity;
    this.last = clock.now();
  }

  /** Waits until `n` messages may go (n may exceed one second's worth: it then waits in turns). */
  public async take(n: number): Promise<void> {
    let need = n;
    while (need > 0) {
      const now = this.clock.now();
      // At least one token fits, so rates below one a second still let a message through.
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      const grant = Math.min(need, Math.floor(this.tokens));
      if (grant > 0) {
        this.tokens -= grant;
        need -= grant;
        continue;
      }
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
    }
  }
}
