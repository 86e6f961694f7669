/**
 * A per-chat lock in Redis, for when several bot processes share the updates (Telegram webhook
 * mode behind a load balancer): two updates of one chat handled by two processes at once would
 * otherwise overwrite each other's session. Within one process `ChatQueue` already orders them.
 *
 * The holder extends the lock while its task runs (a handler may wait on a provider for longer
 * than the TTL), so the TTL only bounds how long a crashed holder blocks the chat.
 */
import { randomUUID } from "node:crypto";
import { keys } from "./keys.js";
import { extendLock, releaseLock, type ExtendLock, type ReleaseLock } from "./lock-scripts.js";
import type { Redis } from "./redis.js";

export class ChatLock {
  private readonly release: ReleaseLock;
  private readonly extend: ExtendLock;

  constructor(
    private readonly redis: Redis,
    /** Longest a crashed holder can block a chat. */
    private readonly ttlMs = 15_000,
    /**
     * Longest a message waits for the lock before it is handled anyway: longer than a crashed
     * holder's lock can live, so only a lock that somehow outlived its holder is passed over.
     */
    private readonly waitMs = 20_000,
  ) {
    this.release = releaseLock(redis);
    this.extend = extendLock(redis);
  }

  /** Runs `task` while holding the chat's lock. */
  async run<T>(chat: string, task: () => Promise<T>): Promise<T> {
    const key = keys.chatLock(chat);
    const token = randomUUID();
    const deadline = Date.now() + this.waitMs;
    let delay = 5;
    while ((await this.redis.set(key, token, "PX", this.ttlMs, "NX")) !== "OK") {
      // Waiting longer than a holder could live means it is gone: go ahead rather than drop the message.
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 100);
    }
    const keepAlive = setInterval(() => void this.extend(key, token, this.ttlMs).catch(() => undefined), Math.floor(this.ttlMs / 3));
    keepAlive.unref?.();
    try {
      return await task();
    } finally {
      clearInterval(keepAlive);
      await this.release(key, token).catch(() => undefined);
    }
  }
}
