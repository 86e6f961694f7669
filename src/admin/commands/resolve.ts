/**
 * `/resolve <id> delivered <text>` | `ref <provider-reference>` | `failed [reason]`: ends an order
 * fulfilment set aside (its purchase got no clear answer, the purchase cap was reached, the
 * provider cannot look orders up) with what the admin found at the provider:
 *
 * - `delivered`: the admin has the goods; `text` (a serial or login details) goes to the buyer,
 *   sealed at rest like any delivery, and is never written to the audit log;
 * - `ref`: the provider has the order under this reference; following it resumes;
 * - `failed`: the provider has no such order; the buyer is refunded once, through `/refund`'s path.
 *
 * Each is one compare-and-set in commerce, so two admins or a repeated message act once.
 */
import { z } from "zod";
import { msg } from "../../core/message.js";
import { answer } from "./answer.js";
import { headAndRest, keyword, note, orderId } from "./args.js";
import { defineAdminCommand } from "./command.js";
import { refundAnswer } from "./refund.js";

/** A provider's order reference: one word of safe characters. */
const providerRef = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/);
const action = <A extends string>(name: A) => keyword.pipe(z.literal(name));

export const resolveCommand = defineAdminCommand({
  name: "resolve",
  args: z
    .string()
    .transform((text) => headAndRest(text, 2))
    .pipe(
      z.union([
        z.tuple([orderId, action("delivered"), z.string().min(1).max(2_000)]).transform(([id, , text]) => ({ id, action: "delivered" as const, text })),
        z.tuple([orderId, action("ref"), providerRef]).transform(([id, , ref]) => ({ id, action: "ref" as const, text: ref })),
        z.tuple([orderId, action("failed"), note(200)]).transform(([id, , reason]) => ({ id, action: "failed" as const, text: reason })),
      ]),
    ),
  usage: msg("admin-usage-resolve"),
  // The delivered text is the buyer's goods (often a login): the audit log keeps that it was given, not what.
  auditArgs: (text) => {
    const [id, verb] = headAndRest(text, 2);
    return verb?.toLowerCase() === "delivered" ? `${id} delivered [hidden]` : text;
  },
  run: async ({ id, action, text }, { services, actor }) => {
    if (action === "failed") {
      const result = await services.operations.refund(id, actor.id, text === "" ? null : text);
      return refundAnswer(id, result, (status) => msg("admin-resolve-not-allowed", { order: id, status }));
    }
    const result = action === "delivered" ? await services.operations.resolveDelivered(id, actor.id, text) : await services.operations.resolveRef(id, actor.id, text);
    switch (result.kind) {
      case "delivered":
        return answer("delivered", msg("admin-resolve-delivered", { order: id }));
      case "attached":
        return answer("attached", msg("admin-resolve-ref", { order: id, ref: text }));
      case "not_resolvable":
        return answer("not_resolvable", msg("admin-resolve-not-allowed", { order: id, status: msg(`status-${result.order.status}`) }));
      case "not_found":
        return answer("not_found", msg("admin-order-not-found", { order: id }));
    }
  },
});
