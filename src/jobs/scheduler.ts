/**
 * Where fulfilment work is queued. The in-process scheduler below serves the local demo and a
 * single process; a durable queue (BullMQ) implements the same interface for production.
 * A job is named by the order it works on, so scheduling it again while it waits is a no-op.
 */

/** The one kind of job the shop runs: move an order forward from wherever it stands. */
export interface JobScheduler {
  /** Runs `advance(orderId)` after `delayMs` unless a run for that order is already waiting. */
  schedule(orderId: string, delayMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Runs jobs with timers inside this process. Lost on restart; the start-up sweep recovers them. */
export class InProcessScheduler implements JobScheduler {
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly run: (orderId: string) => Promise<void>) {}

  async schedule(orderId: string, delayMs = 0): Promise<void> {
    if (this.closed || this.waiting.has(orderId)) return;
    const timer = setTimeout(() => {
      this.waiting.delete(orderId);
      const job = this.run(orderId).finally(() => this.running.delete(job));
      this.running.add(job);
    }, delayMs);
    timer.unref?.();
    this.waiting.set(orderId, timer);
  }

  /** Stops timers and waits for jobs that already started. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    await Promise.allSettled([...this.running]);
  }
}
