/**
 * `/replace <ORDER_ID>`: answers a warranty claim (`/garansi`) on an own-stock order with the
 * next available item, at no charge. The item is taken atomically like a sale, sent to the buyer
 * (never shown in the group), and recorded on the order (who, when). The admin message is claimed
 * by its id, so a redelivered update gives no second item.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { textReply } from "../../core/reply.js";
import { keys } from "../../store/keys.js";
import { bareError } from "../../core/bare-error.js";
import { answer } from "./answer.js";
import { orderId, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const replaceCommand = defineAdminCommand({
  name: "replace",
  args: words.pipe(z.tuple([orderId])).transform(([id]) => ({ id })),
  usage: msg("admin-usage-replace"),
  run: async ({ id }, { services, actor }) => {
    const order = await services.orders.get(id);
    if (!order) return answer("not_found", msg("admin-order-not-found", { order: id }));
    if (order.product.provider !== services.stock.id || order.status !== "delivered") {
      return answer("not_replaceable", msg("admin-replace-not-allowed", { order: id, status: msg(`status-${order.status}`) }));
    }
    const claimed = await services.redis.set(keys.stockReplaceClaim(actor.messageKey), id, "EX", 7 * 24 * 3600, "NX");
    if (claimed !== "OK") return answer("duplicate", msg("admin-replace-duplicate", { order: id }));
    const replacement = await services.stock.replacement(id, order.product.sku);
    if (!replacement) return answer("sold_out", msg("admin-replace-sold-out", { order: id, code: order.product.code }));
    await services.orders.update(id, (current) => ({
      replacements: [...(current.replacements ?? []), { by: actor.id, at: Date.now(), number: replacement.number }],
    }));
    let sent = true;
    try {
      await services.outbox.send({ channel: order.channel, chatId: order.chatId, locale: order.locale }, [
        textReply(msg("replace-delivered", { order: id, product: order.product.name }), msg("delivery-serial", { value: replacement.item })),
      ]);
    } catch (error) {
      sent = false;
      services.logger.warn({ orderId: id, err: bareError(error) }, "could not send a replacement to the buyer");
    }
    const available = await services.stock.store.available(order.product.sku);
    return answer(sent ? "replaced" : "replaced_unsent", msg(sent ? "admin-replace-done" : "admin-replace-unsent", { order: id, buyer: order.buyer, available }));
  },
});
