/**
 * How a buyer of each channel is written: the buyer key their wallet and orders hang on
 * (`telegram:123`, `whatsapp:62812…`, `console:local`), and how an admin's text names one.
 *
 * The formats live here rather than in each channel module because the admin commands (an edge
 * beside the channels, which may not import them) parse buyer references too, in processes that
 * may not run the channel at all (a worker answers `/credit whatsapp:…` without a WhatsApp
 * connection). Each channel module exposes its format as its `buyerRef`/`parseBuyerRef`.
 *
 * @example
 * whatsappBuyerRefs.parseBuyerRef("wa:0812345678"); // { key: "whatsapp:62812345678", explicit: true }
 * telegramBuyerRefs.buyerRef("501"); // "telegram:501"
 */
import { buyerKey, type Channel } from "./inbound.js";

/** A buyer an admin's text names on one channel. */
export interface ParsedBuyerRef {
  /** The buyer key (`<channel>:<user id>`). */
  key: string;
  /** True when the text named the channel (`tg:…`); false for a bare id that may mean any channel. */
  explicit: boolean;
}

/** One channel's way of writing and reading its buyers. */
export interface BuyerRefFormat {
  /** The buyer key of a user of this channel (the same as {@link buyerKey}). */
  buyerRef(userId: string): string;
  /** The buyer an admin's text names on this channel, or null when it cannot name one here. */
  parseBuyerRef(text: string): ParsedBuyerRef | null;
}

/** A bare id or number, which could be a buyer of any channel that reads digits. */
const bareDigits = /^\+?\d{3,20}$/;

function format(channel: Channel, prefixes: RegExp, userId: (digits: string) => string): BuyerRefFormat {
  return {
    buyerRef: (id) => buyerKey({ channel, userId: id }),
    parseBuyerRef: (text) => {
      const prefixed = /^([a-z]+):(\+?\d{1,20})$/i.exec(text);
      if (prefixed) return prefixes.test(prefixed[1]!) ? { key: buyerKey({ channel, userId: userId(prefixed[2]!) }), explicit: true } : null;
      return bareDigits.test(text) ? { key: buyerKey({ channel, userId: userId(text) }), explicit: false } : null;
    },
  };
}

/** Indonesian numbers are often typed local (`0812…`) or with `+`; WhatsApp ids are `62812…`. */
function whatsappDigits(text: string): string {
  const digits = text.replace(/^\+/, "");
  return digits.startsWith("0") ? `62${digits.slice(1)}` : digits;
}

/** `telegram:123` or `tg:123`, or a bare user id. */
export const telegramBuyerRefs = format("telegram", /^(telegram|tg)$/i, (digits) => digits.replace(/^\+/, ""));

/** `whatsapp:62812…` or `wa:0812…` (local form and `+` are normalised), or a bare number. */
export const whatsappBuyerRefs = format("whatsapp", /^(whatsapp|wa)$/i, whatsappDigits);

/** The console has one buyer (`console:local`), whom no admin names: there is no admin group there. */
export const consoleBuyerRefs: BuyerRefFormat = {
  buyerRef: (id) => buyerKey({ channel: "console", userId: id }),
  parseBuyerRef: () => null,
};

/** Every channel's format, in the order a bare id is tried. */
export const buyerRefFormats: Readonly<Record<Channel, BuyerRefFormat>> = {
  telegram: telegramBuyerRefs,
  whatsapp: whatsappBuyerRefs,
  console: consoleBuyerRefs,
};

/**
 * The buyer keys an admin's text can mean: the one channel it names, or every channel a bare id
 * fits; empty when it names no buyer.
 */
export function parseBuyerRefs(text: string): string[] {
  const parsed = Object.values(buyerRefFormats).flatMap((refs) => {
    const ref = refs.parseBuyerRef(text);
    return ref ? [ref] : [];
  });
  const explicit = parsed.filter((ref) => ref.explicit);
  return [...new Set((explicit.length > 0 ? explicit : parsed).map((ref) => ref.key))];
}
