/**
 * `/credit <user> <amount> <reason>`: a manual credit (or, negative, a debit that never
 * overdraws), recorded in the ledger as `manual` by the admin. The ledger id is the message's
 * key, so the same message handled twice moves money once.
 */
import { ledgerIds } from "../../commerce/ledger-ids.js";
import { z } from "zod";
import { msg } from "../../core/message.js";
import { formatRupiah, type Rupiah } from "../../core/money.js";
import { textReply } from "../../core/reply.js";
import { buyerChat } from "../buyer-chat.js";
import { formatSignedRupiah } from "../format.js";
import { answer } from "./answer.js";
import { headAndRest, note, signedRupiah, userRef } from "./args.js";
import { defineAdminCommand, type CommandContext } from "./command.js";
import { knownBuyers } from "./known-buyers.js";

export const creditCommand = defineAdminCommand({
  name: "credit",
  args: z
    .string()
    .transform((text) => headAndRest(text, 2))
    .pipe(z.tuple([userRef, signedRupiah.refine((amount) => amount !== 0), note(200).min(1)]))
    .transform(([user, amount, reason]) => ({ user, amount, reason })),
  usage: msg("admin-usage-credit"),
  run: async ({ user, amount, reason }, context) => {
    const { services, actor } = context;
    const found = await knownBuyers(services, user);
    if (found.length === 0) return answer("not_found", msg("admin-user-not-found", { user: user.join(" / ") }));
    if (found.length > 1) return answer("ambiguous", msg("admin-user-ambiguous", { users: found.join(", ") }));
    const buyer = found[0]!;
    const result = await services.operations.credit(buyer, amount, { id: ledgerIds.manual(actor.messageKey), by: actor.id, reason });
    switch (result.kind) {
      case "applied":
        await tellBuyer(context, buyer, amount, result.balance);
        return answer("applied", msg("admin-credit-done", { buyer, amount: formatSignedRupiah(amount), balance: formatRupiah(result.balance) }));
      case "duplicate":
        return answer("duplicate", msg("admin-credit-duplicate", { buyer, balance: formatRupiah(result.balance) }));
      case "insufficient":
        return answer("insufficient", msg("admin-credit-insufficient", { buyer, amount: formatSignedRupiah(amount), balance: formatRupiah(result.balance) }));
    }
  },
});

/** Tells the buyer their balance changed (not the admin's reason: that is for the shop's books). */
async function tellBuyer({ services, locale }: CommandContext, buyer: string, amount: Rupiah, balance: Rupiah): Promise<void> {
  const chat = buyerChat(buyer);
  if (!chat) return;
  try {
    const saved = await services.sessions.load(`${chat.channel}:${chat.chatId}`);
    const line =
      amount > 0
        ? msg("admin-buyer-credited", { amount: formatRupiah(amount), balance: formatRupiah(balance) })
        : msg("admin-buyer-debited", { amount: formatRupiah(-amount), balance: formatRupiah(balance) });
    await services.outbox.send({ ...chat, locale: saved.locale ?? locale }, [textReply(line)]);
  } catch (error) {
    services.logger.warn({ buyer, err: error }, "could not tell the buyer about a manual credit");
  }
}
