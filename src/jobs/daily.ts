/**
 * Chores that run once a day at a WIB time of day (the daily backup). In production they are
 * BullMQ job schedulers (`upsertJobScheduler` with a cron pattern in `Asia/Jakarta`): the schedule
 * lives in Redis, every process may declare it (an upsert by the same id replaces it, so a changed
 * time takes effect), and each day makes one job that exactly one worker runs — however many
 * processes there are. The local demo runs them on a timer.
 *
 * A chore handles its own failure (it tells the admins); it is not retried, so a failing backup
 * never posts three alerts.
 *
 * @example
 * const daily = new BullmqDaily({ redisUrl, prefix: "shop1:bull", logger, work: true });
 * await daily.start([{ name: "backup", at: { hour: 3, minute: 0 }, run: () => backups.daily() }]);
 */
import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { nextWibTime } from "../core/time.js";

/** A chore and its time of day (WIB). */
export interface DailyChore {
  /** Unique among chores; BullMQ's scheduler id. */
  name: string;
  at: { hour: number; minute: number };
  run(): Promise<void>;
}

/** Runs chores daily. */
export interface DailyScheduler {
  start(chores: readonly DailyChore[]): Promise<void>;
  close(): Promise<void>;
}

/** `HH:MM` as numbers (the text is checked by config.ts). */
export function parseTimeOfDay(text: string): { hour: number; minute: number } {
  const [hour, minute] = text.split(":").map(Number);
  return { hour: hour!, minute: minute! };
}

/** Timers in this process: for the in-memory demo (one process, nothing durable to share). */
export class InProcessDaily implements DailyScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly logger: Logger) {}

  async start(chores: readonly DailyChore[]): Promise<void> {
    for (const chore of chores) this.arm(chore);
  }

  private arm(chore: DailyChore): void {
    if (this.closed) return;
    const now = Date.now();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void chore
        .run()
        .catch((error: unknown) => this.logger.error({ err: error, chore: chore.name }, "daily chore failed"))
        .finally(() => this.arm(chore));
    }, nextWibTime(chore.at.hour, chore.at.minute, now) - now);
    timer.unref?.();
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export interface BullmqDailyOptions {
  /** A new connection to BullMQ's Redis (the root's factory: a URL or Sentinel, retrying forever). */
  newConnection: () => Redis;
  /** BullMQ's key prefix (the fulfilment queue's). */
  prefix: string;
  logger: Logger;
  /** False in a `bot` process: it declares the schedules, workers run them. */
  work: boolean;
}

const queueName = "daily";

/** BullMQ job schedulers: one job a day per chore, run by one worker. */
export class BullmqDaily implements DailyScheduler {
  private queue: Queue | null = null;
  private worker: Worker | null = null;
  private readonly connections: Redis[] = [];

  constructor(private readonly options: BullmqDailyOptions) {}

  private connection(): Redis {
    const redis = this.options.newConnection();
    this.connections.push(redis);
    return redis;
  }

  async start(chores: readonly DailyChore[]): Promise<void> {
    if (chores.length === 0) return;
    const { options } = this;
    const queue = new Queue(queueName, { connection: this.connection(), prefix: options.prefix });
    queue.on("error", (error) => options.logger.warn({ err: error }, "daily queue error"));
    this.queue = queue;
    for (const chore of chores) {
      await queue.upsertJobScheduler(
        chore.name,
        { pattern: `${chore.at.minute} ${chore.at.hour} * * *`, tz: "Asia/Jakarta" },
        { name: chore.name, opts: { removeOnComplete: 10, removeOnFail: 10 } },
      );
    }
    if (!options.work) return;
    const byName = new Map(chores.map((chore) => [chore.name, chore]));
    const worker = new Worker(
      queueName,
      async (job) => {
        // A schedule of a chore this process no longer has (its variable was removed): nothing to do.
        await byName.get(job.name)?.run();
      },
      { connection: this.connection(), prefix: options.prefix, concurrency: 1 },
    );
    worker.on("error", (error) => options.logger.warn({ err: error }, "daily worker error"));
    worker.on("failed", (job, error) => options.logger.error({ err: error, chore: job?.name }, "daily chore failed"));
    this.worker = worker;
  }

  async close(): Promise<void> {
    await this.worker?.waitUntilReady().catch(() => undefined);
    await this.worker?.close();
    await this.queue?.close();
    for (const redis of this.connections) redis.disconnect();
  }
}
