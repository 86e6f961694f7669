/**
 * `/replace <ORDER_ID>`: answers a warranty claim (`/garansi`) on an own-stock order with the
 * next available item, at no charge. The item is taken atomically like a sale under a hold named
 * by this admin message, saved on the order sealed like a delivery (who, when, which message)
 * and only then sent to the buyer (never shown in the group). So an item is never lost: a failed
 * send or a crash leaves it on the order, and the same admin message again (a redelivered update,
 * a restart) sends that same item rather than taking another; a new `/replace` takes the next.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { textReply } from "../../core/reply.js";
import { bareError } from "../../core/bare-error.js";
import type { Order } from "../../commerce/orders.js";
import { answer } from "./answer.js";
import { orderId, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

type Replacement = NonNullable<Order["replacements"]>[number];

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
    const request = actor.messageKey;
    const earlier = order.replacements?.find((entry) => entry.request === request);
    let item: string;
    if (earlier) {
      const saved = earlier.item ? services.vault.open(earlier.item, true).items[0]?.value : undefined;
      // Only a changed DATA_ENCRYPTION_KEY gets here (stock needs the key); never take a second item for it.
      if (saved === undefined) throw new Error(`the replacement saved on ${id} cannot be opened`);
      item = saved;
    } else {
      const taken = await services.stock.replacement(id, order.product.sku, request);
      if (!taken) return answer("sold_out", msg("admin-replace-sold-out", { order: id, code: order.product.code }));
      item = taken.item;
      const sealed = services.vault.seal([{ label: "serial", value: item, secret: true }]);
      const record = (current: Replacement[]): Replacement => ({ by: actor.id, at: Date.now(), number: current.length + 1, request, item: sealed });
      // Compare-and-set: two runs of the same message record it once.
      await services.orders.update(id, (current) => {
        const replacements = current.replacements ?? [];
        return replacements.some((entry) => entry.request === request) ? {} : { replacements: [...replacements, record(replacements)] };
      });
    }
    let sent = true;
    try {
      await services.outbox.send({ channel: order.channel, chatId: order.chatId, locale: order.locale }, [
        textReply(msg("replace-delivered", { order: id, product: order.product.name }), msg("delivery-serial", { value: item })),
      ]);
    } catch (error) {
      sent = false;
      services.logger.warn({ orderId: id, err: bareError(error) }, "could not send a replacement to the buyer");
    }
    const available = await services.stock.store.available(order.product.sku);
    const args = { order: id, buyer: order.buyer, available };
    if (!sent) return answer("replaced_unsent", msg("admin-replace-unsent", args));
    return earlier ? answer("resent", msg("admin-replace-resent", args)) : answer("replaced", msg("admin-replace-done", args));
  },
});
