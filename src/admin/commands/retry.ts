/**
 * `/retry <id>`: runs fulfilment of a failed or stuck order again.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { answer } from "./answer.js";
import { orderId, words } from "./args.js";
import { defineAdminCommand } from "./command.js";

export const retryCommand = defineAdminCommand({
  name: "retry",
  args: words.pipe(z.tuple([orderId])).transform(([id]) => ({ id })),
  usage: msg("admin-usage-retry"),
  run: async ({ id }, { services, actor }) => {
    const result = await services.operations.retry(id, actor.id);
    switch (result.kind) {
      case "queued":
        return answer("queued", msg("admin-retry-queued", { order: id }));
      case "refunded":
        return answer("refunded", msg("admin-retry-refunded", { order: id }));
      case "not_retryable":
        return answer("not_retryable", msg("admin-retry-not-allowed", { order: id, status: msg(`status-${result.order.status}`) }));
      case "not_found":
        return answer("not_found", msg("admin-order-not-found", { order: id }));
    }
  },
});
