/**
 * `/order <id>`: one order in full, without delivered secrets.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { orderDetailLines } from "../order-view.js";
import { answer } from "./answer.js";
import { orderId, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const orderCommand = defineAdminCommand({
  name: "order",
  args: words.pipe(z.tuple([orderId])).transform(([id]) => ({ id })),
  usage: msg("admin-usage-order"),
  run: async ({ id }, { services }) => {
    const order = await services.orders.get(id);
    if (!order) return answer("not_found", msg("admin-order-not-found", { order: id }));
    return answer("shown", ...orderDetailLines(order, services.vault));
  },
});
