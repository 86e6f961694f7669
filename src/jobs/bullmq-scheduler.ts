/**
 * Durable fulfilment on BullMQ. Jobs live in Redis: a restart, a crash (a stalled job is handed
 * to another worker) or a second worker process loses nothing, and the job id (order + step)
 * makes adding the same run twice a no-op. The handler is `Fulfilment.advance`, which is
 * idempotent, because BullMQ may run a job again after a worker stalls.
 */
import { Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { jobAttempts, jobBackoffMs, runId, type DeadLetterHandler, type JobHandler, type JobScheduler } from "./scheduler.js";

export interface BullmqSchedulerOptions {
  redisUrl: string;
  /** Key prefix for BullMQ's keys (kept apart from the shop's own keys). */
  prefix: string;
  run: JobHandler;
  deadLetter: DeadLetterHandler;
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

export class BullmqScheduler implements JobScheduler {
  private readonly queue: Queue<AdvanceJob>;
  private readonly worker: Worker<AdvanceJob> | null;
  private readonly connections: Redis[] = [];

  constructor(private readonly options: BullmqSchedulerOptions) {
    // BullMQ needs connections that retry forever (maxRetriesPerRequest: null), unlike the bot's
    // fail-fast one, so a Redis restart pauses jobs instead of failing them.
    const connection = () => {
      const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
      this.connections.push(redis);
      return redis;
    };
    this.queue = new Queue<AdvanceJob>(queueName, { connection: connection(), prefix: options.prefix });
    this.worker = options.work
      ? new Worker<AdvanceJob>(queueName, (job) => this.process(job), {
          connection: connection(),
          prefix: options.prefix,
          concurrency: options.concurrency ?? 20,
          // A killed worker's job is noticed within seconds, not BullMQ's default half minute, and
          // may stall a few times (each crash) before it counts as failed: runs are idempotent.
          lockDuration: 20_000,
          stalledInterval: 10_000,
          maxStalledCount: 5,
        })
      : null;
    this.worker?.on("failed", (job, error) => {
      if (!job) return;
      // 'failed' fires for every failed attempt; only a job that stays failed is a dead letter
      // (attempts spent, or stalled too often).
      void job
        .getState()
        .then((state) => {
          if (state === "failed") return options.deadLetter(job.data.orderId, error);
          options.logger.warn({ orderId: job.data.orderId, attempt: job.attemptsMade, err: error.message }, "fulfilment job failed; BullMQ will retry");
        })
        .catch((stateError: unknown) => options.logger.warn({ err: String(stateError) }, "could not read a failed job's state"));
    });
    this.worker?.on("error", (error) => options.logger.warn({ err: error.message }, "fulfilment worker error"));
    // Without a listener, a connection error (Redis restarting, a close during start-up) would
    // surface as an unhandled error; BullMQ reconnects by itself.
    this.queue.on("error", (error) => options.logger.warn({ err: error.message }, "fulfilment queue error"));
  }

  async schedule(orderId: string, delayMs: number, step: string): Promise<void> {
    await this.queue.add(
      "advance",
      { orderId },
      {
        jobId: runId(orderId, step),
        delay: Math.max(0, delayMs),
        attempts: jobAttempts,
        backoff: { type: "exponential", delay: jobBackoffMs },
        // Completed runs are removed so the id is free again; failed ones are kept for inspection.
        removeOnComplete: true,
        removeOnFail: 1_000,
      },
    );
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
    await this.worker?.close();
    await this.queue.close();
    for (const redis of this.connections) redis.disconnect();
  }

  private async process(job: Job<AdvanceJob>): Promise<void> {
    const started = process.hrtime.bigint();
    try {
      await this.options.run(job.data.orderId);
      this.options.onRun?.(Number(process.hrtime.bigint() - started) / 1e9, "ok");
    } catch (error) {
      this.options.onRun?.(Number(process.hrtime.bigint() - started) / 1e9, "error");
      throw error;
    }
  }
}
