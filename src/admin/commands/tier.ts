/**
 * `/tier <user> [tier]` (issue 17): shows a buyer's price tier and delivered spend, or puts
 * them in a tier of `PRICE_TIERS` (prices change at their next message). An automatic upgrade
 * (`TIER_UPGRADE`) only ever moves a buyer up from where this leaves them.
 */
import { z } from "zod";
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah } from "../../core/money.js";
import { answer } from "./answer.js";
import { keyword, userRef, words } from "./args.js";
import { defineAdminCommand } from "./command.js";
import { knownBuyers } from "./known-buyers.js";

export const tierCommand = defineAdminCommand({
  name: "tier",
  args: words
    .pipe(z.union([z.tuple([userRef]), z.tuple([userRef, keyword])]))
    .transform(([user, tier]) => ({ user, tier: tier ?? null })),
  usage: msg("admin-usage-tier"),
  run: async ({ user, tier }, { services }) => {
    const { tiers } = services.pricing;
    if (!tiers.enabled) return answer("tiers_off", msg("admin-tier-off"));
    const names = tiers.tiers.map((known) => known.name).join(", ");
    if (tier !== null && !tiers.tiers.some((known) => known.name === tier)) return answer("unknown_tier", msg("admin-tier-unknown", { tier, tiers: names }));
    const found = await knownBuyers(services, user);
    if (found.length === 0) return answer("not_found", msg("admin-user-not-found", { user: user.join(" / ") }));
    if (found.length > 1 && tier !== null) return answer("ambiguous", msg("admin-user-ambiguous", { users: found.join(", ") }));
    const lines: Msg[] = [];
    for (const buyer of found) {
      if (tier !== null) await tiers.set(buyer, tier);
      const [current, spend] = await Promise.all([tiers.of(buyer), tiers.spend(buyer)]);
      lines.push(msg(tier !== null ? "admin-tier-set" : "admin-tier-shown", { buyer, tier: current?.name ?? "-", spend: formatRupiah(spend) }));
    }
    return answer(tier !== null ? `set ${found.join(",")} ${tier}` : "shown", ...lines);
  },
});
