/**
 * Graceful shutdown: named steps run in order within one time budget. A step that does not end
 * in the time left is cut (not awaited further), logged by name, and so is every step after it
 * — the process is about to exit anyway, and what a cut step left behind is finished by the next
 * process (jobs are handed on by BullMQ's stalled check, owed messages are re-sent at start-up,
 * a webhook refused with 503 is sent again).
 *
 * @example
 * const { cut } = await runSteps([{ name: "close jobs", run: () => jobs.close() }], 10_000, logger);
 */
import type { Logger } from "pino";

/** One step of a shutdown. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

/** How a shutdown went: the steps that were cut by the budget (empty when all finished). */
export interface ShutdownReport {
  cut: string[];
}

/** Runs `steps` in order until done or `budgetMs` has passed; a step that throws is logged and the next runs. */
export async function runSteps(steps: readonly ShutdownStep[], budgetMs: number, logger: Logger): Promise<ShutdownReport> {
  const deadline = Date.now() + budgetMs;
  for (const [index, step] of steps.entries()) {
    const left = deadline - Date.now();
    const outcome = left > 0 ? await within(step, left) : "timeout";
    if (outcome === "timeout") {
      const cut = steps.slice(index).map((s) => s.name);
      logger.warn({ cut, budgetMs }, "shutdown ran out of time; the rest is left to the next process");
      return { cut };
    }
    if (outcome instanceof Error) logger.warn({ err: outcome, step: step.name }, "a shutdown step failed");
  }
  return { cut: [] };
}

async function within(step: ShutdownStep, ms: number): Promise<"done" | "timeout" | Error> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(step.run)
        .then(
          () => "done" as const,
          (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
        ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Counts calls in progress, so a shutdown can wait for the channels' handlers that are still
 * running (WhatsApp messages, webhook updates) before it closes what they use.
 *
 * @example
 * const busy = new InFlight();
 * const handle = (inbound) => busy.track(() => shop.handle(inbound));
 * await busy.idle();
 */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  /** Runs `work`, counted while it runs. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await work();
    } finally {
      if (--this.count === 0) for (const resolve of this.waiters.splice(0)) resolve();
    }
  }

  /** Resolves once nothing tracked is running. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
