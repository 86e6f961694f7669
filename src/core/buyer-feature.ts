/**
 * The contract of a buyer feature: a small menu-driven conversation beside the checkout (My VPS,
 * warranty claims, referrals) that answers its own commands and keeps its own state. It lives in
 * core/ because features are supplied by lower layers (a provider module brings My VPS) while the
 * bot hosts them: a feature sees only core types, never the bot's session or intents.
 *
 * The bot stores a feature's state under the feature's namespace in the chat's session, as opaque
 * JSON; the feature reads it back through its own zod schema. While that state is there, every
 * message that is not a command goes to the feature; /cancel, /menu or /start leave it.
 *
 * @example
 * const counter = defineBuyerFeature({
 *   namespace: "counter",
 *   commands: ["count"],
 *   session: z.object({ n: z.number().int() }),
 *   handle: async (input, session) => {
 *     const n = (session?.n ?? 0) + 1;
 *     return { replies: countReplies(n), session: { n }, menuSeq: input.menuSeq };
 *   },
 * });
 */
import type { z } from "zod";
import type { Channel } from "./inbound.js";
import type { Locale, Msg } from "./message.js";
import type { Reply } from "./reply.js";
import type { Rupiah } from "./money.js";

/** What the buyer said, already read by the bot. Indexes are 0-based. */
export type FeatureIntent =
  /** One of the feature's commands (the buyer is opening it). */
  | { kind: "command"; command: string; args: string }
  /** A tapped button of a menu with id `menuId`. */
  | { kind: "press"; menuId: number; index: number }
  /** Button data that is not ours or of an older version. */
  | { kind: "stale" }
  /** A typed menu number. */
  | { kind: "number"; index: number; text: string }
  | { kind: "text"; text: string }
  /** Nothing readable (a sticker, a photo without caption). */
  | { kind: "empty" };

/** One turn of a feature. */
export interface FeatureInput {
  intent: FeatureIntent;
  /** The buyer's key (`<channel>:<userId>`), which their orders and wallet hang on. */
  buyer: string;
  /**
   * The last menu id used in this chat. Menu ids are shared with the shop's own menus, so a tap
   * on any older menu is recognised as stale: a new menu takes `menuSeq + 1`.
   */
  menuSeq: number;
  /** The chat the buyer is talking in, for what is told later (a payment's confirmation); absent in bare tests. */
  chat?: FeatureChat;
}

/** Where a buyer talks to the shop, and in which language: where later news of theirs is sent. */
export interface FeatureChat {
  channel: Channel;
  chatId: string;
  locale: Locale;
}

/**
 * How a buyer arrived with something for a feature: Telegram's deep-link payload (`/start <payload>`),
 * or a typed text while no checkout step is open (WhatsApp has no deep links: "REF <code>").
 */
export interface FeatureArrival {
  via: "start" | "text";
  /** The payload, or the whole text. */
  text: string;
  buyer: string;
  chat?: FeatureChat;
}

/** A feature's answer to one turn. */
export interface FeatureResult<S> {
  replies: Reply[];
  /** The state to keep for the next turn, or null when the buyer has left the feature. */
  session: S | null;
  /** The last menu id used after this turn (unchanged when no menu was drawn). */
  menuSeq: number;
  /** The buyer chose "back" out of the feature: the host leaves it and draws the shop's main menu after the replies. */
  toMainMenu?: boolean;
}

/** A buyer feature, as its supplier writes it. */
export interface BuyerFeature<S> {
  /** Where its state is kept in the chat's session; unique among the shop's features. */
  readonly namespace: string;
  /** The commands that open it, by canonical name (e.g. "vps"). */
  readonly commands: readonly string[];
  /** Reads its stored state back; a value that does not parse counts as no state. */
  readonly session: z.ZodType<S>;
  /**
   * Answers one turn. `session` is null when the buyer is opening the feature, or when the
   * stored state no longer reads (an older format): then it starts from the top.
   */
  handle(input: FeatureInput, session: S | null): Promise<FeatureResult<S>>;
  /**
   * Optional: looks at an arrival (see {@link FeatureArrival}). Returns the notices to show above
   * the shop's main menu when the arrival is this feature's (a referral code), or null when it is
   * not, and then the shop handles the message as usual. Checking the text is cheap and pure: it
   * runs for every such message.
   */
  arrive?(arrival: FeatureArrival): Promise<Msg[] | null>;
}

/** A feature as the bot hosts it: its state type sealed inside, stored state passed as is. */
export interface HostedBuyerFeature {
  readonly namespace: string;
  readonly commands: readonly string[];
  /** Answers one turn given the stored state (undefined when there is none). */
  handle(input: FeatureInput, stored: unknown): Promise<FeatureResult<unknown>>;
  arrive?(arrival: FeatureArrival): Promise<Msg[] | null>;
}

/**
 * Seals a feature's state type behind its schema, so the bot can host features of any state.
 *
 * @example
 * const hosted: HostedBuyerFeature = defineBuyerFeature({ namespace: "vps", commands: ["vps"], session: schema, handle });
 */
export function defineBuyerFeature<S>(feature: BuyerFeature<S>): HostedBuyerFeature {
  return {
    namespace: feature.namespace,
    commands: feature.commands,
    ...(feature.arrive ? { arrive: feature.arrive.bind(feature) } : {}),
    handle(input, stored) {
      const parsed = stored === undefined ? null : feature.session.safeParse(stored);
      return feature.handle(input, parsed?.success ? parsed.data : null);
    },
  };
}

/** A bought service as a feature sees it: enough to list it and act on it at its provider. */
export interface OwnedService {
  orderId: string;
  productName: string;
  /** The provider's id of the service (the order's provider reference). */
  providerRef: string;
  /** Until when the service is paid (epoch ms), when the provider said; past it the service has lapsed. */
  expiresAt?: number;
  /** When it was delivered (epoch ms): a warranty runs from here. */
  deliveredAt?: number;
}

/**
 * The buyer's delivered orders of one provider: how a feature reaches the order store without
 * importing it. Commerce implements it; the composition root hands it to the features.
 *
 * @example
 * const servers = await ports.services.delivered("telegram:42", "aluy");
 */
export interface OwnedServices {
  /** The buyer's delivered orders of `provider` that carry a provider reference, newest first. */
  delivered(buyer: string, provider: string): Promise<OwnedService[]>;
  /** One such order, or null when it is missing, someone else's, not delivered, or another provider's. */
  owned(buyer: string, orderId: string, provider: string): Promise<OwnedService | null>;
}

/** What renewing a subscription would cost: a month at the price the buyer paid per month. */
export type RenewalQuote = { kind: "quote"; monthly: Rupiah; expiresAt: number } | { kind: "not_found" } | { kind: "lapsed" };

/** How a renewal went. */
export type RenewalResult =
  | { kind: "renewed"; price: Rupiah; balance: Rupiah; expiresAt: number }
  | { kind: "insufficient"; price: Rupiah; balance: Rupiah }
  | { kind: "not_found" }
  | { kind: "lapsed" };

/** How opening a QRIS payment for a renewal went: `replies` is the QR to show (or why none could be made). */
export type RenewalQrisStart = { kind: "opened"; replies: Reply[] } | { kind: "not_found" } | { kind: "lapsed" };

/**
 * Renewing a buyer's subscription (a delivered order with a paid-until date) from their wallet:
 * commerce implements it (the debit, the new date, the provider's renewal).
 */
export interface Renewals {
  quote(buyer: string, orderId: string): Promise<RenewalQuote>;
  /** Debits `months` more and moves the paid-until date; the provider is asked to renew. */
  renew(buyer: string, orderId: string, months: number): Promise<RenewalResult>;
  /**
   * Opens a payment by the owner's QRIS of exactly the renewal price; once confirmed, its money
   * is credited and the renewal applied through the wallet path, once. Absent when the owner
   * QRIS payment method is off.
   */
  payByQris?(recipient: FeatureChat & { buyer: string }, orderId: string, months: number): Promise<RenewalQrisStart>;
}

/** What a module's feature factory is given by the composition root. */
export interface BuyerFeaturePorts {
  services: OwnedServices;
  renewals?: Renewals;
}
