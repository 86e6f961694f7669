/**
 * A per-chat lock in Redis, for when several bot processes share the updates (Telegram webhook
 * mode behind a load balancer): two updates of one chat handled by two processes at once would
 * otherwise overwrite each other's session. Within one process `ChatQueue` already orders them.
 */
import { randomUUID } from "node:crypto";
import { defineScript, type Redis } from "./redis.js";

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type ReleaseCommand = (key: string, token: string) => Promise<number>;

export class ChatLock {
  private readonly release: ReleaseCommand;

  constructor(
    private readonly redis: Redis,
    /** Longest a crashed holder can block a chat. */
    private readonly ttlMs = 15_000,
    /** Longest a message waits for the lock before it is handled anyway. */
    private readonly waitMs = 10_000,
  ) {
    this.release = defineScript<ReleaseCommand>(redis, "chatLockRelease", 1, releaseScript);
  }

  /** Runs `task` while holding the chat's lock. */
  async run<T>(chat: string, task: () => Promise<T>): Promise<T> {
    const key = `lock:chat:${chat}`;
    const token = randomUUID();
    const deadline = Date.now() + this.waitMs;
    let delay = 5;
    while ((await this.redis.set(key, token, "PX", this.ttlMs, "NX")) !== "OK") {
      // Waiting longer than a holder could live means it is gone: go ahead rather than drop the message.
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 100);
    }
    try {
      return await task();
    } finally {
      await this.release(key, token).catch(() => undefined);
    }
  }
}
