/**
 * Spaces sends evenly at a fixed rate. Each caller reserves the next free slot before it waits,
 * so concurrent senders share the rate fairly and never bunch up after a pause: a rate limit is
 * a sliding window, and catching up in a burst is exactly what trips it.
 */
export class SendPacer {
  private nextAt = 0;
  private readonly intervalMs: number;

  constructor(perSecond: number) {
    if (!(perSecond > 0)) throw new RangeError("perSecond must be positive");
    this.intervalMs = 1000 / perSecond;
  }

  /** Waits for the next slot. */
  async next(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + this.intervalMs;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }

  /** Pushes every later slot past `ms` from now (the platform asked us to wait). */
  holdFor(ms: number): void {
    this.nextAt = Math.max(this.nextAt, Date.now() + ms);
  }
}
