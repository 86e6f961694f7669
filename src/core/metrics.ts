/**
 * The metrics port: what the lower layers count. The server's Prometheus registry implements it
 * (`server/metrics.ts`); the composition root hands that implementation down, so commerce and the
 * bot count things without knowing how they are exported.
 */
import type { Channel } from "./inbound.js";

export interface Metrics {
  /** One inbound buyer message handled. */
  updateHandled(channel: Channel, outcome: "ok" | "error"): void;
  /** Replies produced for one inbound message. */
  repliesSent(channel: Channel, count: number): void;
  /** A provider error met during fulfilment. */
  providerError(provider: string, code: string): void;
  /** An order moved to `status`. */
  orderTransition(status: string): void;
  /** A fulfilment job finished. */
  jobRun(outcome: string, seconds: number): void;
  /** A command from a group that is not the admin group was refused. */
  foreignGroupRefusal(channel: Channel): void;
  /**
   * How a money write's wait for replicas ended (`REDIS_WAIT_REPLICAS`): acknowledged, fewer
   * replicas than wanted within the timeout, or not waited for while replicas are known short.
   */
  replicaWait(outcome: "acked" | "short" | "skipped"): void;
}

/** Counts nothing: for tests and tools that build a stage without a server. */
export const noMetrics: Metrics = {
  updateHandled: () => undefined,
  repliesSent: () => undefined,
  providerError: () => undefined,
  orderTransition: () => undefined,
  jobRun: () => undefined,
  foreignGroupRefusal: () => undefined,
  replicaWait: () => undefined,
};
