/**
 * `/broadcast <text>`: starts a paced broadcast in the background (see `broadcast.ts`); the
 * group gets progress and a final count from the broadcaster.
 */
import { msg } from "../core/message.js";
import { answer, type CommandHandler } from "./command-context.js";

/** `/broadcast <text>`: answers at once with how many buyers it will reach. */
export const broadcastCommand: CommandHandler<"broadcast"> = async ({ text }, { services, actor }) => {
  const started = await services.broadcaster.start(text, { by: actor.id, chat: actor.chat, messageKey: actor.messageKey, ...(actor.name ? { name: actor.name } : {}) });
  switch (started.kind) {
    case "started":
      return answer(`started ${started.total}`, msg("admin-broadcast-started", { total: started.total, skipped: started.skipped }));
    case "busy":
      return answer("busy", msg("admin-broadcast-busy"));
    case "empty":
      return answer("empty", msg("admin-broadcast-empty", { skipped: started.skipped }));
    case "duplicate":
      return answer("duplicate", msg("admin-broadcast-duplicate"));
  }
};
