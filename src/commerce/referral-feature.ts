/**
 * The buyer side of referrals (`commerce/referrals.ts`), as a buyer feature:
 *
 * - `/referral` (`/referal`, `/ajak`) shows the buyer's code, how to share it (on Telegram the
 *   deep link `https://t.me/<bot>?start=ref_<code>`; on WhatsApp "send REF <code>" and, when the
 *   shop's number is known, a `wa.me` link that types it), the terms, and how many joined;
 * - an arrival with a code — Telegram's `/start ref_<code>`, or "REF <code>" typed while no
 *   checkout step is open — links the buyer, with a notice above the main menu saying whether
 *   it worked and, if not, why.
 *
 * It keeps no state of its own in the session. Referrals off (`REFERRAL_PERCENT=0`): `/referral`
 * says so, and arrivals are left to the shop as ordinary messages.
 *
 * @example
 * const feature = referralFeature(referrals, { telegramUsername: () => "warung_bot", whatsappNumber: "6281234567890" }, { percent: 2, days: 90 });
 */
import { z } from "zod";
import { defineBuyerFeature, type FeatureArrival, type HostedBuyerFeature } from "../core/buyer-feature.js";
import type { Channel } from "../core/inbound.js";
import { msg, type Msg } from "../core/message.js";
import { formatRupiah } from "../core/money.js";
import { textReply } from "../core/reply.js";
import { arrivalCode, type LinkResult, type Referrals } from "./referrals.js";

/** Where a code can be shared from: the Telegram bot's username (known once it started) and the shop's WhatsApp number. */
export interface ReferralLinks {
  telegramUsername(): string | null;
  whatsappNumber: string | null;
}

/** The share link of `code` on `channel`, or null when that channel has none (console) or it is not known yet. */
export function referralLink(channel: Channel, code: string, links: ReferralLinks): string | null {
  if (channel === "telegram") {
    const username = links.telegramUsername();
    return username ? `https://t.me/${username}?start=ref_${code}` : null;
  }
  if (channel === "whatsapp" && links.whatsappNumber) return `https://wa.me/${links.whatsappNumber}?text=${encodeURIComponent(`REF ${code}`)}`;
  return null;
}

/** The notice above the main menu after a link attempt (each key literal, for the locale check). */
function linkNotice(result: LinkResult, code: string): Msg {
  switch (result.kind) {
    case "linked":
    case "already":
      return msg("referral-linked", { code });
    case "taken":
      return msg("referral-refused-taken");
    case "self":
      return msg("referral-refused-self", { code });
    case "has_orders":
      return msg("referral-refused-existing");
    case "unknown_code":
      return msg("referral-refused-unknown", { code });
    case "off":
      return msg("referral-off");
  }
}

/** The `/referral` buyer feature; see the module comment. */
export function referralFeature(referrals: Referrals, links: ReferralLinks, terms: { percent: number; days: number }): HostedBuyerFeature {
  return defineBuyerFeature({
    namespace: "referral",
    commands: ["referral"],
    session: z.never(),
    handle: async (input) => {
      const done = (...lines: Msg[]) => ({ replies: [textReply(...lines)], session: null, menuSeq: input.menuSeq });
      if (!referrals.enabled) return done(msg("referral-off"));
      const summary = await referrals.summary(input.buyer);
      const channel = input.chat?.channel ?? "console";
      const link = referralLink(channel, summary.code, links);
      const lines: Msg[] = [msg("referral-title"), msg("referral-code", { code: summary.code })];
      if (link) lines.push(msg("referral-link", { link }));
      if (channel !== "telegram" || !link) lines.push(msg("referral-how-text", { code: summary.code }));
      lines.push(msg("referral-terms", { percent: terms.percent, days: terms.days }), msg("referral-count", { count: summary.referred }));
      if (summary.owed > 0) lines.push(msg("referral-owed", { amount: formatRupiah(summary.owed) }));
      return done(...lines);
    },
    arrive: async (arrival: FeatureArrival) => {
      const code = arrivalCode(arrival.via, arrival.text);
      if (!code || !referrals.enabled) return null;
      const linked = await referrals.link(arrival.buyer, code);
      return [linkNotice(linked, code)];
    },
  });
}
