/**
 * `/help`: every admin command with its one-line usage, in registry order.
 */
import { msg } from "../../core/message.js";
import { answer } from "./answer.js";
import { nothing } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const helpCommand = defineAdminCommand({
  name: "help",
  args: nothing,
  usage: msg("admin-usage-help"),
  // The bot's own list, so a command added to it is listed without touching this file.
  run: async (_args, { commands }) => answer("shown", msg("admin-help-title"), ...commands.map((command) => command.usage)),
});
