/**
 * Where fulfilment work is queued. In production it is BullMQ on the shop's Redis (durable,
 * shared by every worker process); the in-process scheduler serves the local demo.
 *
 * A run is named by the order and the step it is for (`ORD-…_pending_3`): adding a run that is
 * already queued is a no-op, while the next step of the same order (a new status or attempt)
 * is a new run, even when it is added from inside the run before it.
 */

/** Runs `advance(orderId)`; throws to ask for a retry. */
export type JobHandler = (orderId: string) => Promise<void>;

/** Called once a run has failed every retry: the order needs a person. */
export type DeadLetterHandler = (orderId: string, error: unknown) => Promise<void>;

export interface JobScheduler {
  /** Runs the handler for `orderId` after `delayMs`, unless a run named `step` for it is queued. */
  schedule(orderId: string, delayMs: number, step: string): Promise<void>;
  /** True when jobs can be queued (for /healthz). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** Tries for a run that throws: 8, with exponential backoff from 5 s (about 10 min in all). */
export const jobAttempts = 8;
export const jobBackoffMs = 5_000;

/** The job id of a run: BullMQ forbids `:` in custom ids. */
export function runId(orderId: string, step: string): string {
  return `${orderId}_${step}`.replace(/:/g, "_");
}

export interface InProcessSchedulerOptions {
  run: JobHandler;
  deadLetter: DeadLetterHandler;
  /** Backoff before retry `attempt` (1-based) of a run that threw. */
  backoffMs?: (attempt: number) => number;
}

/** Runs jobs with timers inside this process. Lost on restart; the start-up sweep recovers them. */
export class InProcessScheduler implements JobScheduler {
  private readonly waiting = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: InProcessSchedulerOptions) {}

  async schedule(orderId: string, delayMs: number, step: string): Promise<void> {
    this.start(orderId, runId(orderId, step), delayMs, 1);
  }

  private start(orderId: string, id: string, delayMs: number, attempt: number): void {
    if (this.closed || this.waiting.has(id)) return;
    const timer = setTimeout(() => {
      this.waiting.delete(id);
      const job = this.options
        .run(orderId)
        .catch(async (error: unknown) => {
          if (attempt >= jobAttempts) return this.options.deadLetter(orderId, error);
          const backoff = this.options.backoffMs?.(attempt) ?? jobBackoffMs * 2 ** (attempt - 1);
          this.start(orderId, `${id}#${attempt + 1}`, backoff, attempt + 1);
        })
        .finally(() => this.running.delete(job));
      this.running.add(job);
    }, delayMs);
    timer.unref?.();
    this.waiting.set(id, timer);
  }

  async healthy(): Promise<boolean> {
    return !this.closed;
  }

  /** Stops timers and waits for jobs that already started. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    await Promise.allSettled([...this.running]);
  }
}
