/**
 * Prometheus metrics (prom-client). One registry per process, shared by the modules that count
 * things; `GET /metrics` renders it.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Metrics } from "../core/metrics.js";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "warung_" });

export const updatesHandled = new Counter({
  name: "warung_updates_handled_total",
  help: "Inbound buyer messages handled, by channel and outcome",
  labelNames: ["channel", "outcome"] as const,
  registers: [registry],
});

export const repliesSent = new Counter({
  name: "warung_replies_total",
  help: "Replies produced for buyers, by channel",
  labelNames: ["channel"] as const,
  registers: [registry],
});

export const orderTransitions = new Counter({
  name: "warung_order_transitions_total",
  help: "Order status changes, by new status",
  labelNames: ["status"] as const,
  registers: [registry],
});

export const ordersByStatus = new Gauge({
  name: "warung_orders_active",
  help: "Orders not yet final, by status (read from Redis when scraped)",
  labelNames: ["status"] as const,
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: "warung_job_duration_seconds",
  help: "Fulfilment job run time",
  labelNames: ["outcome"] as const,
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
  registers: [registry],
});

export const providerErrors = new Counter({
  name: "warung_provider_errors_total",
  help: "Provider errors during fulfilment, by provider and code",
  labelNames: ["provider", "code"] as const,
  registers: [registry],
});

export const adminRefusedElsewhere = new Counter({
  name: "warung_admin_refused_elsewhere_total",
  help: "Admin commands refused in groups that are not the admin group (counted here, not audited), by channel",
  labelNames: ["channel"] as const,
  registers: [registry],
});

export const replicaWaits = new Counter({
  name: "warung_redis_replica_wait_total",
  help: "Money writes by how their wait for Redis replicas ended (acked, short = fewer replicas than REDIS_WAIT_REPLICAS in time, skipped = not waited while short)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

/** The {@link Metrics} port, counted in this registry. */
export const prometheusMetrics: Metrics = {
  updateHandled: (channel, outcome) => updatesHandled.inc({ channel, outcome }),
  repliesSent: (channel, count) => repliesSent.inc({ channel }, count),
  providerError: (provider, code) => providerErrors.inc({ provider, code }),
  orderTransition: (status) => orderTransitions.inc({ status }),
  jobRun: (outcome, seconds) => jobDuration.observe({ outcome }, seconds),
  foreignGroupRefusal: (channel) => adminRefusedElsewhere.inc({ channel }),
  replicaWait: (outcome) => replicaWaits.inc({ outcome }),
};
