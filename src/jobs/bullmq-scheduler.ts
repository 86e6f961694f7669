/**
 * Durable fulfilment on BullMQ. Jobs live in Redis: a restart, a crash (a stalled job is handed
 * to another worker) or a second worker process loses nothing, and the job id (order + step)
 * makes adding the same run twice a no-op. The handler is `Fulfilment.advance`, which is
 * idempotent, because BullMQ may run a job again after a worker stalls.
 *
 * A run that schedules its own name again (the follow-up of a pending order) is not added beside
 * itself: when it ends, the same job goes back to the delayed set (BullMQ's step-job pattern),
 * so the order keeps one chain. A request for a queued run moves its time earlier.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { jobAttempts, jobBackoffMs, runId, type JobHandlers, type JobScheduler, type QueuedRun, type ScheduleMode } from "./scheduler.js";

export interface BullmqSchedulerOptions {
  /**
   * Makes one new connection to the shop's Redis (the composition root's factory, from the same
   * target as the bot's own client — a URL or Sentinel — so all follow a failover). It must
   * retry forever (`maxRetriesPerRequest: null`), unlike the bot's fail-fast one, so a Redis
   * restart or failover pauses jobs instead of failing them.
   */
  newConnection: () => Redis;
  /** Key prefix for BullMQ's keys (kept apart from the shop's own keys). */
  prefix: string;
  logger: Logger;
  /** False in a `bot` process: it adds jobs but leaves running them to the workers. */
  work: boolean;
  concurrency?: number;
  /** Observes how long each run took, for metrics. */
  onRun?: (seconds: number, outcome: "ok" | "error") => void;
}

const queueName = "fulfilment";

interface AdvanceJob {
  orderId: string;
}

/** The run in progress in this async context, and when it asked to run again. */
interface CurrentRun {
  jobId: string;
  againAt: number | null;
}

/** BullMQ's delayed-set score is the due time in ms shifted left 12 bits (plus a tie-breaker). */
const delayedScoreShift = 0x1000;

export class BullmqScheduler implements JobScheduler {
  private readonly queue: Queue<AdvanceJob>;
  private worker: Worker<AdvanceJob> | null = null;
  private readonly connections: Redis[] = [];
  private readonly current = new AsyncLocalStorage<CurrentRun>();

  constructor(private readonly options: BullmqSchedulerOptions) {
    this.queue = new Queue<AdvanceJob>(queueName, { connection: this.connection(), prefix: options.prefix });
    // Without a listener, a connection error (Redis restarting, a close during start-up) would
    // surface as an unhandled error; BullMQ reconnects by itself.
    this.queue.on("error", (error) => options.logger.warn({ err: error }, "fulfilment queue error"));
  }

  private connection(): Redis {
    const redis = this.options.newConnection();
    this.connections.push(redis);
    return redis;
  }

  /** Starts the worker; a `bot` process (work: false) only adds jobs and never starts one. */
  start(handlers: JobHandlers): void {
    const { options } = this;
    if (!options.work || this.worker) return;
    const worker = new Worker<AdvanceJob>(queueName, (job, token) => this.process(job, handlers, token), {
      connection: this.connection(),
      prefix: options.prefix,
      concurrency: options.concurrency ?? 20,
      // A killed worker's job is noticed within seconds, not BullMQ's default half minute, and
      // may stall a few times (each crash) before it counts as failed: runs are idempotent.
      lockDuration: 20_000,
      stalledInterval: 10_000,
      maxStalledCount: 5,
    });
    worker.on("failed", (job, error) => {
      if (!job) return;
      // 'failed' fires for every failed attempt; only a job that stays failed is a dead letter
      // (attempts spent, or stalled too often).
      void job
        .getState()
        .then((state) => {
          if (state === "failed") return handlers.deadLetter(job.data.orderId, error);
          options.logger.warn({ orderId: job.data.orderId, attempt: job.attemptsMade, err: error }, "fulfilment job failed; BullMQ will retry");
        })
        .catch((stateError: unknown) => options.logger.warn({ err: stateError }, "could not read a failed job's state"));
    });
    worker.on("error", (error) => options.logger.warn({ err: error }, "fulfilment worker error"));
    this.worker = worker;
  }

  async schedule(orderId: string, delayMs: number, step: string, mode: ScheduleMode = "earlier"): Promise<void> {
    const id = runId(orderId, step);
    const delay = Math.max(0, delayMs);
    const own = this.current.getStore();
    if (own?.jobId === id) {
      own.againAt = Math.min(own.againAt ?? Infinity, Date.now() + delay);
      return;
    }
    const existing = await this.queue.getJob(id);
    if (!existing) return this.add(orderId, id, delay);
    if (mode === "keep") return;
    const state = await existing.getState();
    if (state === "delayed") return this.moveEarlier(existing, delay);
    if (state === "failed" || state === "completed" || state === "unknown") {
      // A dead letter kept for inspection (or one gone meanwhile): asked again, it starts afresh.
      await existing.remove().catch(() => undefined);
      return this.add(orderId, id, delay);
    }
    // Waiting: due already. Active: being run now, and it re-schedules itself if still needed.
  }

  private async add(orderId: string, id: string, delay: number): Promise<void> {
    await this.queue.add(
      "advance",
      { orderId },
      {
        jobId: id,
        delay,
        attempts: jobAttempts,
        backoff: { type: "exponential", delay: jobBackoffMs },
        // Completed runs are removed so the id is free again; failed ones are kept for inspection.
        removeOnComplete: true,
        removeOnFail: 1_000,
      },
    );
  }

  /** A delayed run asked for sooner: bring it forward, never push it back. */
  private async moveEarlier(job: Job<AdvanceJob>, delay: number): Promise<void> {
    const client = await this.queue.client;
    const score = await client.zscore(this.queue.toKey("delayed"), job.id!);
    if (score === null) return; // Due or started meanwhile.
    const dueAt = Math.floor(Number(score) / delayedScoreShift);
    if (Date.now() + delay >= dueAt) return;
    try {
      if (delay === 0) await job.promote();
      else await job.changeDelay(delay);
    } catch {
      // It left the delayed set between the read and the move: it is due or running anyway.
    }
  }

  async runs(orderId: string): Promise<QueuedRun[]> {
    const states = { delayed: "delayed", waiting: "waiting", prioritized: "waiting", active: "running" } as const;
    const found: QueuedRun[] = [];
    for (const [state, as] of Object.entries(states)) {
      const jobs = await this.queue.getJobs([state as keyof typeof states]);
      for (const job of jobs) if (job?.data.orderId === orderId && job.id) found.push({ id: job.id, state: as });
    }
    return found;
  }

  async healthy(): Promise<boolean> {
    try {
      await this.queue.getJobCounts("waiting");
      return true;
    } catch {
      return false;
    }
  }

  /** Counts of jobs by state, for /healthz and /metrics. */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts("waiting", "active", "delayed", "failed");
  }

  async close(): Promise<void> {
    // A worker closed while it is still connecting goes on connecting afterwards, on a connection
    // about to be cut: let it finish first.
    await this.worker?.waitUntilReady().catch(() => undefined);
    await this.worker?.close();
    await this.queue.close();
    for (const redis of this.connections) redis.disconnect();
  }

  private async process(job: Job<AdvanceJob>, handlers: JobHandlers, token?: string): Promise<void> {
    const started = process.hrtime.bigint();
    const own: CurrentRun = { jobId: job.id!, againAt: null };
    try {
      await this.current.run(own, () => handlers.run(job.data.orderId));
      this.options.onRun?.(Number(process.hrtime.bigint() - started) / 1e9, "ok");
    } catch (error) {
      this.options.onRun?.(Number(process.hrtime.bigint() - started) / 1e9, "error");
      throw error;
    }
    if (own.againAt !== null) {
      // The run asked for itself again: this job waits for that time instead of a second one.
      await job.moveToDelayed(own.againAt, token);
      throw new DelayedError();
    }
  }
}
