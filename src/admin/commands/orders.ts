/**
 * `/orders [status|attention] [n]`: the newest orders, optionally of one status, or those
 * waiting for a person (fulfilment set them aside; `/resolve` ends them).
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { orderStatuses, type Order, type OrderStatus } from "../../commerce/orders.js";
import { orderLine } from "../format.js";
import { answer } from "./answer.js";
import { count, keyword, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

/** How far back a status filter looks among finished orders; open ones are all looked at. */
const statusScanLimit = 1_000;

/** A status, or `attention`: the open orders fulfilment set aside for a person. */
const status = keyword.pipe(z.enum([...orderStatuses, "attention"]));
type Filter = OrderStatus | "attention";

export const ordersCommand = defineAdminCommand({
  name: "orders",
  args: words
    .pipe(z.union([z.tuple([]), z.tuple([status]), z.tuple([count(50)]), z.tuple([status, count(50)])]))
    .transform((parts: readonly (Filter | number)[]) => {
      let wanted: Filter | null = null;
      let limit = 10;
      for (const part of parts) {
        if (typeof part === "number") limit = part;
        else wanted = part;
      }
      return { status: wanted, limit };
    }),
  usage: msg("admin-usage-orders"),
  run: async ({ status, limit }, { services }) => {
    let orders: Order[];
    if (status === null) orders = await services.orders.recent(limit);
    else if (status === "attention") {
      orders = (await services.orders.active())
        .filter((order) => order.attention !== undefined)
        .sort((a, b) => a.createdAt - b.createdAt)
        .slice(0, limit);
    } else {
      const pool = status === "paid" || status === "placing" || status === "pending" ? await services.orders.active() : await services.orders.recent(statusScanLimit);
      orders = pool
        .filter((order) => order.status === status)
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, limit);
    }
    if (orders.length === 0) return answer("empty", msg("admin-orders-empty"));
    return answer(`listed ${orders.length}`, msg("admin-orders-title", { count: orders.length }), ...orders.map(orderLine));
  },
});
