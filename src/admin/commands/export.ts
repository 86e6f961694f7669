/**
 * `/export orders|ledger [7d|30d|YYYY-MM]`: the period's orders or ledger entries as a CSV file
 * for Excel or Google Sheets (default the last 30 days; a month is a WIB calendar month). What the
 * file holds and how it is read: `admin/exports.ts`.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { documentReply } from "../../core/reply.js";
import { exportFile, exportKinds, exportPeriod, exportPeriodText } from "../exports.js";
import { keyword, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

const kind = keyword.pipe(z.enum(exportKinds));
const period = keyword.pipe(exportPeriodText);

export const exportCommand = defineAdminCommand({
  name: "export",
  args: words.pipe(z.union([z.tuple([kind]), z.tuple([kind, period])])).transform(([what, when]) => ({ kind: what, period: when ?? ("30d" as const) })),
  usage: msg("admin-usage-export"),
  run: async (args, { services }) => {
    const made = await exportFile(services, args.kind, exportPeriod(args.period));
    return { replies: [documentReply(made.fileName, made.csv, "text/csv", ...made.caption)], result: `${args.kind} ${args.period}` };
  },
});
