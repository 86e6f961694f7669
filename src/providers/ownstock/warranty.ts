/**
 * `/garansi <ORDER_ID> <keterangan>` (alias `/claim`): a buyer's warranty claim on an own-stock
 * order, within the product's warranty days from delivery. The claim goes to the admin group with
 * the order's detail (never the delivered item); an admin answers with `/replace <ORDER_ID>` (the
 * next item, at no charge) or `/refund`.
 *
 * @example
 * features: [warrantyFeature(stock, { services: ownedServices(orders), alerts })]
 */
import { z } from "zod";
import type { AdminAlerts } from "../../core/alerts.js";
import { defineBuyerFeature, type HostedBuyerFeature, type OwnedServices } from "../../core/buyer-feature.js";
import { msg, type Msg } from "../../core/message.js";
import { textReply } from "../../core/reply.js";
import type { OwnStockProvider } from "./adapter.js";

const dayMs = 24 * 60 * 60_000;
/** Longest claim text passed on to the admins. */
const maxClaimLength = 300;

/** What a claim command carries. */
const claimArgs = z
  .string()
  .transform((text) => {
    const [, id = "", rest = ""] = /^(\S*)\s*([\s\S]*)$/.exec(text.trim()) ?? [];
    return { id: id.toUpperCase(), text: oneLine(rest) };
  })
  .pipe(z.object({ id: z.string().regex(/^ORD-[A-Z0-9]{8,}$/), text: z.string().min(3).max(maxClaimLength) }));

/** The claim text as one line with no control or bidi characters: it is shown in the admin group. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, " ").replace(/\s+/g, " ").trim().slice(0, maxClaimLength);
}

export function warrantyFeature(stock: OwnStockProvider, ports: { services: OwnedServices; alerts: AdminAlerts }): HostedBuyerFeature {
  return defineBuyerFeature({
    namespace: "garansi",
    // `/claim` is read as `/garansi` by the bot's aliases.
    commands: ["garansi"],
    session: z.null(),
    async handle(input) {
      const done = (line: Msg) => ({ replies: [textReply(line)], session: null, menuSeq: input.menuSeq });
      if (input.intent.kind !== "command") return done(msg("warranty-usage"));
      const parsed = claimArgs.safeParse(input.intent.args);
      if (!parsed.success) return done(msg("warranty-usage"));
      const { id, text } = parsed.data;
      const owned = await ports.services.owned(input.buyer, id, stock.id);
      const held = owned ? await stock.store.reservation(id) : null;
      if (!owned || !held) return done(msg("warranty-not-found", { order: id }));
      const product = await stock.store.product(held.code);
      const days = product?.warrantyDays ?? 0;
      if (days === 0) return done(msg("warranty-none", { order: id }));
      if ((owned.deliveredAt ?? 0) + days * dayMs < Date.now()) return done(msg("warranty-expired", { order: id, days }));
      await ports.alerts.alert(msg("admin-warranty-claim", { order: id, product: owned.productName, code: held.code, buyer: input.buyer, quantity: held.qty, text }), id);
      return done(msg("warranty-sent", { order: id }));
    },
  });
}
