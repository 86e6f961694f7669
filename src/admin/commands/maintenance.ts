/**
 * `/maintenance` shows the state; `on [message]` pauses buying (browsing still works); `off`
 * resumes. The pause reaches the buyer bot at once and survives restarts.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { formatDateTime } from "../format.js";
import { answer } from "./answer.js";
import { headAndRest, keyword, note } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const maintenanceCommand = defineAdminCommand({
  name: "maintenance",
  args: z
    .string()
    .transform((text) => headAndRest(text, 1))
    .pipe(
      z.union([
        z.tuple([z.literal(""), z.literal("")]).transform(() => ({ change: null })),
        z.tuple([keyword.pipe(z.literal("on")), note(500)]).transform(([, message]) => ({ change: { on: true as const, message: message === "" ? null : message } })),
        z.tuple([keyword.pipe(z.literal("off")), z.literal("")]).transform(() => ({ change: { on: false as const } })),
      ]),
    ),
  usage: msg("admin-usage-maintenance"),
  run: async ({ change }, { services, actor, locale }) => {
    const current = services.settings.maintenance();
    if (change === null) {
      return current
        ? answer("shown", msg("admin-maintenance-status-on", { message: current.message, by: current.by, date: formatDateTime(current.at) }))
        : answer("shown", msg("admin-maintenance-status-off"));
    }
    if (!change.on) {
      if (!current) return answer("already_off", msg("admin-maintenance-status-off"));
      await services.settings.setMaintenance(null);
      return answer("off", msg("admin-maintenance-off"));
    }
    // Buyers see this text as is, so a default is written out now in the shop's language.
    const message = change.message ?? services.translator.render(locale, msg("admin-maintenance-default"));
    await services.settings.setMaintenance({ message, by: actor.id });
    return answer("on", msg("admin-maintenance-on", { message }));
  },
});
