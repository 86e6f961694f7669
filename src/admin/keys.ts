/**
 * The Redis keys the admin side writes, beside the core's (`store/keys.ts`), so the whole admin
 * data model can be read in one place. The client's global prefix applies on top.
 */
import { keys } from "../store/keys.js";

export const adminKeys = {
  /** Hash of markup rules: field `global`, `provider:<id>` or `product:<code>` → JSON markup. */
  markup: () => "admin:markup",
  /** Set of product codes an admin has hidden from buyers. */
  hidden: () => "admin:hidden",
  /** JSON `{ message, by, at }` while buying is paused; absent otherwise. */
  maintenance: () => "admin:maintenance",
  /** List of JSON audit entries, newest first, trimmed to a fixed length. */
  audit: () => "admin:audit",
  /** Set of buyer keys (`telegram:123`) that blocked the bot; broadcasts skip them. */
  broadcastBlocked: keys.blockedBuyers,
} as const;
