/**
 * Runs the shop's periodic chores (expiring payments, telling buyers about expired checkouts,
 * recovery) one after another on a timer. A chore that fails is logged and the next still runs.
 *
 * @example
 * const sweeper = new Sweeper({ everyMs: 10_000, logger, chores: [
 *   { name: "expire payments", run: () => payments.expireDue() },
 *   { name: "recovery", run: () => recovery.sweep() },
 * ] });
 * sweeper.start();
 */
import type { Logger } from "pino";

export interface Chore {
  /** Named in the log when it fails. */
  name: string;
  run(): Promise<unknown>;
}

export interface SweeperOptions {
  everyMs: number;
  chores: readonly Chore[];
  logger: Logger;
}

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(private readonly options: SweeperOptions) {}

  /** Runs every chore once, in order. Never throws. */
  async sweep(): Promise<void> {
    for (const chore of this.options.chores) {
      try {
        await chore.run();
      } catch (error) {
        this.options.logger.warn({ err: error, chore: chore.name }, "sweep chore failed");
      }
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      // A slow sweep (Redis away) is not overlapped by the next one.
      this.running ??= this.sweep().finally(() => (this.running = null));
    }, this.options.everyMs);
    this.timer.unref?.();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

