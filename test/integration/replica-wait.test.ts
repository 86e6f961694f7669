/**
 * Money writes and WAIT against a real Redis with no replica (the shared test Redis): every
 * durable script still applies, the first wait falls short and is reported, later ones skip the
 * wait until the recheck time, then wait again.
 */
import { afterAll, describe, expect, it } from "vitest";
import { Wallet } from "../../src/commerce/wallet.js";
import { connectRedis, type Redis } from "../../src/store/redis.js";
import type { ReplicaWaitOutcome } from "../../src/store/replica-wait.js";
import { testRedisUrl } from "../helpers/redis.js";

let redis: Redis | undefined;
afterAll(() => redis?.disconnect());

describe("money writes waiting for replicas", () => {
  it("applies the write, reports a shortfall once, skips while short, waits again after the recheck", async () => {
    let now = 1_000_000;
    const outcomes: ReplicaWaitOutcome[] = [];
    const changes: boolean[] = [];
    redis = await connectRedis({
      url: testRedisUrl,
      keyPrefix: `wbtest:replicawait:${Date.now()}:`,
      replicaWait: { replicas: 1, timeoutMs: 20, recheckMs: 5_000, now: () => now, onOutcome: (o) => outcomes.push(o), onChange: (c) => changes.push(c.degraded) },
    });
    const wallet = new Wallet(redis);
    await wallet.credit("b", 1_000, { id: "c1", reason: "manual" });
    await wallet.credit("b", 1_000, { id: "c2", reason: "manual" });
    now += 5_001;
    await wallet.debit("b", 500, { id: "d1", reason: "purchase" });
    expect(outcomes).toEqual(["short", "skipped", "short"]);
    expect(changes).toEqual([true]);
    expect(await wallet.verify("b")).toMatchObject({ balance: 1_500, consistent: true });
    // Reads and other commands are not on the money connection: nothing blocks them.
    expect(await redis.ping()).toBe("PONG");
  });
});
