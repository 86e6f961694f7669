/**
 * Where fulfilment work is queued. In production it is BullMQ on the shop's Redis (durable,
 * shared by every worker process); the in-process scheduler serves the local demo.
 *
 * A run is named by the order and the step it is for (`ORD-…_paid-1`, `ORD-…_follow`): there is
 * at most one run of a name, queued or running. Asking for a name that is queued moves it
 * earlier if asked sooner (a webhook hint, an admin's /retry); asking for the name of the run in
 * progress (a run that re-schedules itself, such as the follow-up of a pending order) runs it
 * again once it ends. So an order has one follow-up chain, however often it is asked to hurry.
 */

/** Runs `advance(orderId)`; throws to ask for a retry. */
export type JobHandler = (orderId: string) => Promise<void>;

/** Called once a run has failed every retry: the order needs a person. */
export type DeadLetterHandler = (orderId: string, error: unknown) => Promise<void>;

/**
 * `earlier`: make sure the run happens no later than asked (add it, or move a queued one earlier,
 * or start afresh one kept as failed). `keep`: add it only when no run of that name is on record
 * (the start-up sweep, which must not hurry every pending order on each restart).
 */
export type ScheduleMode = "earlier" | "keep";

/** A queued run: `delayed` waits for its time, `waiting` is due, `running` is being run. */
export interface QueuedRun {
  id: string;
  state: "delayed" | "waiting" | "running";
}

/** What a scheduler runs: given when it starts, since the handlers are built after it. */
export interface JobHandlers {
  run: JobHandler;
  deadLetter: DeadLetterHandler;
}

export interface JobScheduler {
  /** Starts running queued jobs with `handlers` (a process that only adds jobs may never call it). */
  start(handlers: JobHandlers): void;
  /** Runs the handler for `orderId` within `delayMs` under the run name `step`; see {@link ScheduleMode}. */
  schedule(orderId: string, delayMs: number, step: string, mode?: ScheduleMode): Promise<void>;
  /** The order's runs that are queued or running (diagnostics and tests). */
  runs(orderId: string): Promise<QueuedRun[]>;
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
  /** Backoff before retry `attempt` (1-based) of a run that threw. */
  backoffMs?: (attempt: number) => number;
}

/** One named run: waiting on its timer, or running (no timer). */
interface Run {
  orderId: string;
  dueAt: number;
  timer: NodeJS.Timeout | null;
  /** Tries so far of a run that throws. */
  attempt: number;
  /** Asked for again while running: start again by then once it ends. */
  againAt: number | null;
}

/** Runs jobs with timers inside this process. Lost on restart; the start-up sweep recovers them. */
export class InProcessScheduler implements JobScheduler {
  private readonly runsById = new Map<string, Run>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private handlers: JobHandlers | null = null;
  /** Runs that came due before {@link start}: they run as soon as it is called. */
  private readonly dueBeforeStart = new Map<string, Run>();

  constructor(private readonly options: InProcessSchedulerOptions = {}) {}

  start(handlers: JobHandlers): void {
    this.handlers = handlers;
    for (const [id, run] of this.dueBeforeStart) this.fire(id, run);
    this.dueBeforeStart.clear();
  }

  async schedule(orderId: string, delayMs: number, step: string, mode: ScheduleMode = "earlier"): Promise<void> {
    if (this.closed) return;
    const id = runId(orderId, step);
    const at = Date.now() + Math.max(0, delayMs);
    const run = this.runsById.get(id);
    if (!run) return this.arm(id, { orderId, dueAt: at, timer: null, attempt: 1, againAt: null });
    if (mode === "keep") return;
    if (run.timer === null) {
      run.againAt = Math.min(run.againAt ?? at, at);
      return;
    }
    if (at < run.dueAt) {
      clearTimeout(run.timer);
      run.dueAt = at;
      this.arm(id, run);
    }
  }

  private arm(id: string, run: Run): void {
    run.timer = setTimeout(() => this.fire(id, run), Math.max(0, run.dueAt - Date.now()));
    run.timer.unref?.();
    this.runsById.set(id, run);
  }

  private fire(id: string, run: Run): void {
    run.timer = null;
    const handlers = this.handlers;
    if (!handlers) {
      this.dueBeforeStart.set(id, run);
      return;
    }
    const job = handlers
      .run(run.orderId)
      .then(
        () => {
          if (run.againAt === null) this.runsById.delete(id);
          else this.rearm(id, run, run.againAt, 1);
        },
        async (error: unknown) => {
          if (run.attempt >= jobAttempts) {
            this.runsById.delete(id);
            return handlers.deadLetter(run.orderId, error);
          }
          const backoff = this.options.backoffMs?.(run.attempt) ?? jobBackoffMs * 2 ** (run.attempt - 1);
          this.rearm(id, run, Date.now() + backoff, run.attempt + 1);
        },
      )
      .finally(() => this.inFlight.delete(job));
    this.inFlight.add(job);
  }

  private rearm(id: string, run: Run, dueAt: number, attempt: number): void {
    if (this.closed) {
      this.runsById.delete(id);
      return;
    }
    run.dueAt = dueAt;
    run.attempt = attempt;
    run.againAt = null;
    this.arm(id, run);
  }

  async runs(orderId: string): Promise<QueuedRun[]> {
    const now = Date.now();
    return [...this.runsById.entries()]
      .filter(([, run]) => run.orderId === orderId)
      .map(([id, run]) => ({ id, state: run.timer === null ? "running" : run.dueAt > now ? "delayed" : "waiting" }));
  }

  async healthy(): Promise<boolean> {
    return !this.closed;
  }

  /** Stops timers and waits for jobs that already started. */
  async close(): Promise<void> {
    this.closed = true;
    for (const run of this.runsById.values()) if (run.timer) clearTimeout(run.timer);
    this.runsById.clear();
    await Promise.allSettled([...this.inFlight]);
  }
}
