/**
 * `/broadcast <text>`: starts a paced broadcast in the background (see `admin/broadcast.ts`) and
 * answers at once with how many buyers it will reach; the group gets progress and a final count
 * from the broadcaster. The broadcast is claimed by the message's key, so a redelivered message
 * starts nothing.
 */
import { msg } from "../../core/message.js";
import { answer } from "./answer.js";
import { note } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const broadcastCommand = defineAdminCommand({
  name: "broadcast",
  args: note(3_500)
    .min(1)
    .transform((text) => ({ text })),
  usage: msg("admin-usage-broadcast"),
  run: async ({ text }, { services, actor }) => {
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
  },
});
