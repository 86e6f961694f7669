/**
 * Every admin command the shop answers, in the order `/help` lists them. Adding a command is one
 * line here, plus its file and its strings (see `command.ts`).
 *
 * @example
 * new AdminBot({ ...deps, commands: [...adminCommands, pingCommand] });
 */
import type { Msg } from "../../core/message.js";
import type { AdminCommand } from "./command.js";
import { auditCommand } from "./audit.js";
import { backupCommand } from "./backup.js";
import { exportCommand } from "./export.js";
import { balanceCommand } from "./balance.js";
import { broadcastCommand } from "./broadcast.js";
import { creditCommand } from "./credit.js";
import { depositCommand } from "./deposit.js";
import { helpCommand } from "./help.js";
import { maintenanceCommand } from "./maintenance.js";
import { markupCommand } from "./markup.js";
import { orderCommand } from "./order.js";
import { ordersCommand } from "./orders.js";
import { paidCommand } from "./paid.js";
import { paymentCommand } from "./payment.js";
import { productCommand } from "./product.js";
import { reconcileCommand } from "./reconcile.js";
import { refundCommand } from "./refund.js";
import { resolveCommand } from "./resolve.js";
import { retryCommand } from "./retry.js";
import { statsCommand } from "./stats.js";
import { userCommand } from "./user.js";
import { promoCommand } from "./promo.js";
import { tierCommand } from "./tier.js";
import { voucherCommand } from "./voucher.js";
import { stockCommand } from "./stock.js";
import { replaceCommand } from "./replace.js";

/** The shop's admin commands, in help order. */
export const adminCommands: readonly AdminCommand[] = [
  helpCommand,
  balanceCommand,
  depositCommand,
  ordersCommand,
  orderCommand,
  paidCommand,
  paymentCommand,
  refundCommand,
  retryCommand,
  resolveCommand,
  markupCommand,
  productCommand,
  // Pricing (issue 17)
  voucherCommand,
  tierCommand,
  promoCommand,
  maintenanceCommand,
  userCommand,
  creditCommand,
  broadcastCommand,
  statsCommand,
  reconcileCommand,
  auditCommand,
  backupCommand,
  exportCommand,
  stockCommand,
  replaceCommand,
];

/** Their names, in help order. */
export const adminCommandNames: readonly string[] = adminCommands.map((command) => command.name);

/** Each command's usage line, by name. */
export const usages: Readonly<Record<string, Msg>> = Object.fromEntries(adminCommands.map((command) => [command.name, command.usage]));
