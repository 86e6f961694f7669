import { describe, expect, it } from "vitest";
import { formatConfigProblems, loadConfig } from "../../src/config.js";

const sentinels = "10.0.0.1:26379,10.0.0.2:26379,[::1]:26380";

function problemsOf(env: Record<string, string>): string {
  const result = loadConfig({ CONSOLE: "off", ...env });
  if (result.ok) throw new Error("expected problems");
  return formatConfigProblems(result.problems);
}

describe("Redis connection variables", () => {
  it("reads Sentinel: addresses, group name, passwords; money writes wait for one replica by default", () => {
    const result = loadConfig({ REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: "mymaster", REDIS_SENTINEL_PASSWORD: "s3", REDIS_PASSWORD: "r3" });
    if (!result.ok) throw new Error(formatConfigProblems(result.problems));
    expect(result.config.redis).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "10.0.0.2", port: 26379 },
        { host: "::1", port: 26380 },
      ],
      name: "mymaster",
      sentinelPassword: "s3",
      password: "r3",
    });
    expect(result.config.redisWait).toEqual({ replicas: 1, timeoutMs: 1_000 });
  });

  it("a single REDIS_URL waits for no replica unless asked; REDIS_PASSWORD goes into the URL; no Redis = in-memory", () => {
    const direct = loadConfig({ REDIS_URL: "redis://127.0.0.1:6379", REDIS_PASSWORD: "p@ss" });
    if (!direct.ok) throw new Error(formatConfigProblems(direct.problems));
    expect(direct.config.redis).toEqual({ kind: "url", url: "redis://:p%40ss@127.0.0.1:6379" });
    expect(direct.config.redisWait.replicas).toBe(0);
    const asked = loadConfig({ REDIS_URL: "redis://127.0.0.1:6379", REDIS_WAIT_REPLICAS: "2", REDIS_WAIT_TIMEOUT_MS: "250" });
    expect(asked.ok && asked.config.redisWait).toEqual({ replicas: 2, timeoutMs: 250 });
    const none = loadConfig({});
    expect(none.ok && none.config.redis).toBeNull();
  });

  it("says in one line per variable what is wrong", () => {
    expect(problemsOf({ REDIS_SENTINELS: sentinels })).toBe("REDIS_SENTINEL_NAME: is required with REDIS_SENTINELS (example: REDIS_SENTINEL_NAME=mymaster)");
    expect(problemsOf({ REDIS_SENTINEL_NAME: "mymaster" })).toMatch(/^REDIS_SENTINELS: is required with REDIS_SENTINEL_NAME \(example: REDIS_SENTINELS=/);
    expect(problemsOf({ REDIS_SENTINELS: "10.0.0.1", REDIS_SENTINEL_NAME: "mymaster" })).toMatch(/^REDIS_SENTINELS: "10.0.0.1" is not host:port \(example: /);
    expect(problemsOf({ REDIS_SENTINELS: sentinels, REDIS_SENTINEL_NAME: "mymaster", REDIS_URL: "redis://127.0.0.1:6379" })).toMatch(/^REDIS_URL: must be unset with REDIS_SENTINELS/);
    expect(problemsOf({ REDIS_URL: "redis://127.0.0.1:6379", REDIS_WAIT_TIMEOUT_MS: "9000" })).toMatch(/^REDIS_WAIT_TIMEOUT_MS: .*\(example: REDIS_WAIT_TIMEOUT_MS=1000\)$/);
  });
});
