/**
 * How TelegramChannel long-polls with grammY's runner, in a module of its own so the benchmark's
 * bare echo bot can poll with exactly the same settings.
 */

/** Only what the shop handles: edits, channel posts and reactions never reach it. */
export const allowedUpdates = ["message", "callback_query"] as const;

/**
 * Updates handled at once across chats (one chat's updates always run in order). Measured with
 * `npm run bench` (500 buyers, closed loop): 64 gave ~1.5× the throughput of 500 with less than half
 * the GC time, because every update in flight holds its HTTP requests and buffers alive. Placing
 * and following orders run as jobs, so only a few handlers wait on a provider (an ALxZen QRIS
 * order, a My VPS action, each with a timeout): 64 of those at once would be a very busy shop.
 */
export const pollingConcurrency = 64;

/**
 * How long a handler waits for its answer to be sent before it lets its slot go to other chats;
 * the answer is still sent, in order, in the background. A normal send takes milliseconds, while
 * a 429 makes it wait at least a second: the bound only ever cuts such waits short (an answer
 * that is merely slow, on a loaded machine, also finishes in the background, still in order).
 */
export const answerHoldMs = 250;
