/**
 * The buyer side of the bot, channel-neutral: one {@link Inbound} in, replies out.
 *
 *   Inbound → (per-chat queue) → load session → intent → command | checkout step → effect → save
 *
 * Everything a channel needs is `handle()`; it never throws: when Redis or anything else is
 * down, the buyer gets "sedang gangguan, coba lagi" and nothing is changed.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { isLocale, msg, type Locale, type Msg } from "../core/message.js";
import type { CatalogItem } from "../commerce/catalog.js";
import type { CatalogService } from "../commerce/catalog-service.js";
import type { DeliveryVault } from "../commerce/delivery-vault.js";
import { describeInputs, orderUnits } from "../providers/inputs.js";
import { formatRupiah, parseRupiahAmount } from "../core/money.js";
import { newOrderId, orderIdPattern, SoldOutError, type NewOrder, type Order, type OrderStore } from "../commerce/orders.js";
import { quotePrice, type PriceTier, type VoucherTerms } from "../commerce/price-quote.js";
import type { PricingSettlement } from "../commerce/pricing-settlement.js";
import type { ProviderPromos } from "../commerce/provider-promos.js";
import type { TierStore } from "../commerce/tiers.js";
import { voucherRefusal, voucherTerms, type VoucherRefusal, type VoucherState, type VoucherStore } from "../commerce/vouchers.js";
import type { Wallet } from "../commerce/wallet.js";
import { maxTopup, minTopup } from "../payments/payment-service.js";
import type { PaymentOffer } from "../payments/methods/offer.js";
import type { ChatLock } from "../store/chat-lock.js";
import type { SessionStore } from "./session-store.js";
import { ChatQueue } from "./chat-queue.js";
import { applyVoucher, checkoutStep, present, type CheckoutEffect, type CheckoutFacts, type StepResult, type VoucherLookup } from "./checkout.js";
import { buyerKey, chatKey, type Answer, type Channel, type Inbound } from "../core/inbound.js";
import { parseIntent, type BuyerCommand, type Intent } from "./intent.js";
import type { Metrics } from "../core/metrics.js";
import { ledgerIds } from "../commerce/ledger-ids.js";
import type { Outbox, Recipient } from "../core/outbox.js";
import { textReply, type Reply } from "../core/reply.js";
import { BuyerFeatures, leaveFeature } from "./buyer-features.js";
import type { HostedBuyerFeature } from "../core/buyer-feature.js";
import { newSession, type Session } from "./session.js";

/** The answer to one inbound message. */
export type HandledMessage = Answer;

export interface ShopBotDeps {
  sessions: SessionStore;
  orders: OrderStore;
  wallet: Wallet;
  catalog: CatalogService;
  vault: DeliveryVault;
  outbox: Outbox;
  metrics: Metrics;
  logger: Logger;
  shopName: string;
  defaultLocale: Locale;
  /** True when the sandbox provider is on: `/topup` credits instantly, for trying the shop. */
  sandbox: boolean;
  /** The owner's message while buying is paused, or null. */
  buyingPaused?: () => string | null;
  /** The payment methods on offer: for an item, for a top-up, and the one to start. */
  paymentMethods: PaymentOffer;
  /** Orders a chat's messages across processes (webhook mode with several bot processes). */
  chatLock?: ChatLock;
  /** Answers an admin-only command typed in a private chat (a refusal with a hint), or null. */
  privateCommandHint?: (inbound: Inbound, locale: Locale) => Answer | null;
  /** Buyer features beside the checkout (My VPS, …), each answering its own commands. */
  features?: readonly HostedBuyerFeature[];
  /** Puts a buyer on the list told when a sold-out product is back ("Kabari saya", own stock); false when unknown. */
  notifyWhenBack?: (code: string, recipient: Recipient) => Promise<boolean>;
  /** Price tiers, vouchers and provider promo codes (issue 17); absent: one price for everyone, no vouchers. */
  pricing?: PricingPorts;
}

/** What the buyer bot prices orders with (issue 17). */
export interface PricingPorts {
  tiers: TierStore;
  vouchers: VoucherStore;
  promos: ProviderPromos;
  /** Tracks each order with a voucher use or tier spend to settle, so a lost listener call is healed by a sweep. */
  settlement: PricingSettlement;
}

/** Largest sandbox top-up, so a typo does not make a demo wallet absurd. */
const maxSandboxTopup = 10_000_000;

export class ShopBot {
  private readonly queue = new ChatQueue();
  private readonly features: BuyerFeatures;

  constructor(private readonly deps: ShopBotDeps) {
    this.features = new BuyerFeatures(deps.features ?? []);
  }

  /**
   * Handles one buyer message. Never throws. A chat's messages run one after another in call
   * order (and under the Redis chat lock in webhook mode): this is the one place that orders a
   * buyer chat on every channel path, so channels only call it in arrival order (see the table
   * in `channels/module.ts`).
   */
  handle(inbound: Inbound): Promise<HandledMessage> {
    if (inbound.isGroup) return Promise.resolve({ locale: this.deps.defaultLocale, replies: [] });
    const chat = chatKey(inbound);
    return this.queue.run(chat, async () => {
      try {
        const answer = this.deps.chatLock
          ? await this.deps.chatLock.run(chat, () => this.handleInOrder(inbound, chat))
          : await this.handleInOrder(inbound, chat);
        this.deps.metrics.updateHandled(inbound.channel, "ok");
        this.deps.metrics.repliesSent(inbound.channel, answer.replies.length);
        return answer;
      } catch (error) {
        this.deps.metrics.updateHandled(inbound.channel, "error");
        this.deps.logger.error({ err: error, chat }, "could not handle a message");
        return { locale: this.deps.defaultLocale, replies: [textReply(msg("error-outage"))] };
      }
    });
  }

  /** Tells buyers whose checkout sat idle past the session TTL that it expired. */
  async notifyExpiredCheckouts(): Promise<number> {
    const chats = await this.deps.sessions.claimExpired();
    for (const chat of chats) {
      const [channel, ...rest] = chat.split(":");
      const chatId = rest.join(":");
      const { locale } = await this.deps.sessions.load(chat);
      await this.deps.outbox
        .send({ channel: channel as Channel, chatId, locale: locale ?? this.deps.defaultLocale }, [textReply(msg("checkout-expired"))])
        .catch((error: unknown) => this.deps.logger.warn({ chat, err: error }, "could not tell a buyer their checkout expired"));
    }
    return chats.length;
  }

  private async handleInOrder(inbound: Inbound, chat: string): Promise<HandledMessage> {
    const buyer = buyerKey(inbound);
    const intent = parseIntent(inbound);
    const state = await this.deps.sessions.load(chat, buyer);
    const locale = state.locale ?? this.deps.defaultLocale;
    const hint = this.deps.privateCommandHint?.(inbound, locale);
    if (hint) return hint;
    const session = state.session ?? newSession(locale);
    const facts = this.facts(state.walletBalance, this.deps.pricing?.tiers.resolve(state.tierName) ?? null, Boolean(this.deps.pricing && state.vouchersOn));

    let result: StepResult;
    const feature = this.features.route(session, intent);
    if (feature) {
      const turn = await this.features.run(feature.feature, feature.intent, session, buyer, { channel: inbound.channel, chatId: inbound.chatId, locale: session.locale });
      const main = turn.toMainMenu ? present(turn.session, facts) : null;
      result = main ? { session: main.session, replies: [...turn.replies, ...main.replies] } : turn;
    } else if (intent.kind === "command" && isInfoCommand(intent.command)) {
      // Info commands answer beside an open feature and leave it open.
      result = await this.command(intent.command, intent.args, inbound, session, facts);
    } else {
      const arrival = await this.arrival(intent, session, buyer, inbound);
      // An arrival's notices head the main menu, as "cancelled" or "expired" do.
      result = arrival ? present({ ...leaveFeature(session), step: { name: "main" } }, facts, arrival) : checkoutStep(leaveFeature(session), intent, facts);
      if (intent.kind === "command" && intent.command === "start") {
        result.replies.unshift(textReply(msg("welcome", { shop: this.deps.shopName })));
      }
      if (result.effect) result = await this.runEffect(result, result.effect, inbound, facts);
    }
    const next = { ...result.session, updatedAt: Date.now() };
    await this.deps.sessions.save(chat, next, buyer);
    return { locale: next.locale, replies: result.replies };
  }

  /**
   * What a buyer arrived with for a feature (a referral code): a `/start` payload, or typed text
   * while no checkout step is open (never at a target or confirm step, where text is input).
   * The features' notices for the main menu, or null when the message is the shop's as usual.
   */
  private async arrival(intent: Intent, session: Session, buyer: string, inbound: Inbound): Promise<Msg[] | null> {
    const at = (via: "start" | "text", text: string) =>
      this.features.arrive({ via, text, buyer, chat: { channel: inbound.channel, chatId: inbound.chatId, locale: session.locale } });
    if (intent.kind === "command" && intent.command === "start" && intent.args !== "") return at("start", intent.args);
    if (intent.kind === "text" && !session.feature && (session.step.name === "idle" || session.step.name === "main")) return at("text", intent.text);
    return null;
  }

  private facts(walletBalance?: number, tier: PriceTier | null = null, vouchers = false): CheckoutFacts {
    return {
      tier,
      vouchers,
      catalog: this.deps.catalog.view(),
      paymentMethods: (item, discounted) => this.deps.paymentMethods.forItem(item, discounted),
      walletBalance,
      buyingPaused: this.deps.buyingPaused?.() ?? null,
      shopName: this.deps.shopName,
    };
  }

  private async runEffect(result: StepResult, effect: CheckoutEffect, inbound: Inbound, facts: CheckoutFacts): Promise<StepResult> {
    if (effect.type === "command") {
      const answered = await this.command(effect.command, "", inbound, result.session, facts);
      return { session: answered.session, replies: [...result.replies, ...answered.replies] };
    }
    if (effect.type === "notify_restock") {
      const item = this.deps.catalog.view().find(effect.code);
      const saved = item && this.deps.notifyWhenBack ? await this.deps.notifyWhenBack(item.code, { channel: inbound.channel, chatId: inbound.chatId, locale: result.session.locale }) : false;
      const notice = saved && item ? msg("stock-notify-saved", { name: item.name }) : msg("product-gone");
      return present({ ...result.session, step: { name: "main" } }, facts, [notice]);
    }
    if (effect.type === "check_voucher") {
      const applied = applyVoucher(result.session, await this.lookVoucher(effect.voucher, result.session, inbound, facts), facts);
      return { session: applied.session, replies: [...result.replies, ...applied.replies] };
    }
    const replies = await this.placeOrder(effect, inbound, result.session.locale, facts.tier ?? null);
    return { session: result.session, replies: [...result.replies, ...replies] };
  }

  /** Answers a command that is not a checkout step. */
  private async command(command: BuyerCommand, args: string, inbound: Inbound, session: Session, facts: CheckoutFacts): Promise<StepResult> {
    const buyer = buyerKey(inbound);
    const reply = (...lines: Msg[]): StepResult => ({ session, replies: [textReply(...lines)] });
    switch (command) {
      case "help":
        return reply(msg("help", { shop: this.deps.shopName }));
      case "saldo": {
        const balance = facts.walletBalance ?? (await this.deps.wallet.balance(buyer));
        const tier = facts.tier ? [msg("wallet-tier", { tier: facts.tier.name })] : [];
        return reply(msg("wallet-balance", { balance: formatRupiah(balance) }), ...tier, msg(this.deps.sandbox ? "wallet-topup-hint-sandbox" : "wallet-topup-hint"));
      }
      case "topup":
        return { session, replies: await this.topup(inbound, session.locale, args) };
      case "orders":
        return reply(...(await this.orderList(buyer)));
      case "order":
        return reply(...(await this.orderDetail(buyer, args)));
      case "lang": {
        const wanted = args.trim().toLowerCase();
        if (!isLocale(wanted)) return reply(msg("lang-usage"));
        await this.deps.sessions.saveLocale(chatKey(inbound), wanted);
        // The main menu in the new language replaces whatever was open, a feature's menus too.
        const switched = { ...leaveFeature(session), locale: wanted };
        return present(switched, this.facts(facts.walletBalance), [msg("lang-switched")]);
      }
      default:
        return present(session, facts);
    }
  }

  /** Sandbox: credits at once. Otherwise: a QRIS for the amount, credited when paid. */
  private async topup(inbound: Inbound, locale: Locale, args: string): Promise<Reply[]> {
    const buyer = buyerKey(inbound);
    if (this.deps.sandbox) {
      if (args.trim() === "") return [textReply(msg("topup-usage-sandbox"))];
      const amount = parseRupiahAmount(args);
      if (amount === null || amount > maxSandboxTopup) return [textReply(msg("topup-bad-amount", { min: formatRupiah(1), max: formatRupiah(maxSandboxTopup) }))];
      const result = await this.deps.wallet.credit(buyer, amount, { id: ledgerIds.sandboxTopup(randomUUID()), reason: "sandbox_topup" });
      return [textReply(msg("topup-sandbox-done", { amount: formatRupiah(amount), balance: formatRupiah(result.balance) }))];
    }
    const topup = this.deps.paymentMethods.topup;
    if (!topup) return [textReply(msg("topup-unavailable"))];
    const amount = parseRupiahAmount(args);
    if (amount === null || amount < minTopup || amount > maxTopup) {
      return [textReply(msg("topup-bad-amount", { min: formatRupiah(minTopup), max: formatRupiah(maxTopup) }))];
    }
    return topup({ buyer, channel: inbound.channel, chatId: inbound.chatId, locale }, amount);
  }

  private async orderList(buyer: string): Promise<Msg[]> {
    const orders = await this.deps.orders.ofBuyer(buyer, 10);
    if (orders.length === 0) return [msg("orders-empty")];
    return [
      msg("orders-title"),
      ...orders.map((order) =>
        msg("orders-line", { order: order.id, product: order.product.name, price: formatRupiah(order.price), status: msg(`status-${order.status}`) }),
      ),
      msg("orders-hint"),
    ];
  }

  private async orderDetail(buyer: string, args: string): Promise<Msg[]> {
    const id = args.trim().toUpperCase();
    if (!orderIdPattern.test(id)) return [msg("order-usage")];
    const order = await this.deps.orders.get(id);
    // Someone else's order looks exactly like a missing one: order ids are not secrets, but data is.
    if (!order || order.buyer !== buyer) return [msg("order-not-found", { order: id })];
    return orderDetailLines(order, this.deps.vault);
  }

  /** A typed voucher code on the confirm step, looked up and checked for this buyer and product. */
  private async lookVoucher(code: string, session: Session, inbound: Inbound, facts: CheckoutFacts): Promise<VoucherLookup> {
    const step = session.step;
    const item = step.name === "confirm" ? facts.catalog.find(step.code) : undefined;
    if (!this.deps.pricing || !item || step.name !== "confirm") return { ok: false, code, reason: "unknown" };
    const { state, buyerUses } = await this.deps.pricing.vouchers.forBuyer(code, buyerKey(inbound));
    // Every unit the buyer picked (own stock's quantity), as checkout's quoteOf and placeOrder count them.
    const units = orderUnits(step.inputs) * (step.qty ?? 1);
    const afterTier = quotePrice({ unitList: item.price, unitCost: item.cost, units, tier: facts.tier ?? null }).afterTier;
    const refusal = voucherRefusal(state, { product: item, afterTier, buyerUses, now: Date.now() });
    if (refusal) return { ok: false, code, ...refusalMessage(refusal, state) };
    // Every way to pay this product charges the provider's own price: a voucher could not be honoured.
    if (this.deps.paymentMethods.forItem(item, true).length === 0) return { ok: false, code, reason: "method" };
    return { ok: true, terms: voucherTerms(state!.voucher) };
  }

  /**
   * Creates the order and hands it to the chosen payment method, which answers the buyer. The
   * price is quoted again (tier, then voucher, floor at cost) and must be the one the buyer saw.
   * A voucher's use is held under the order's id before the order exists, and given back at once
   * when the method made no order (a balance too low, QRIS full); the order's transitions redeem
   * or give it back later (`commerce/vouchers.ts`).
   */
  private async placeOrder(effect: Extract<CheckoutEffect, { type: "place_order" }>, inbound: Inbound, locale: Locale, tier: PriceTier | null): Promise<Reply[]> {
    const { code, inputs, method, price: quoted } = effect;
    const item = this.deps.catalog.view().find(code);
    if (!item) return [textReply(msg("product-gone"))];
    if (!item.available) return [textReply(msg(item.unavailableReason === "out_of_stock" ? "stock-sold-out" : "product-gone", { name: item.name }))];
    const buyer = buyerKey(inbound);
    // A subscription's price is the product's times its months, times the units bought (own stock; see checkout's quoteOf).
    const quantity = effect.quantity ?? 1;
    const units = orderUnits(inputs) * quantity;
    let voucher: VoucherTerms | null = null;
    const pricing = this.deps.pricing;
    if (effect.voucher && pricing) {
      const { state, buyerUses } = await pricing.vouchers.forBuyer(effect.voucher.code, buyer);
      const afterTier = quotePrice({ unitList: item.price, unitCost: item.cost, units, tier }).afterTier;
      const refusal = voucherRefusal(state, { product: item, afterTier, buyerUses, now: Date.now() });
      if (refusal) return [textReply(msg(`voucher-refused-${refusal}`, { code: effect.voucher.code, ...refusalMessage(refusal, state).args }))];
      voucher = voucherTerms(state!.voucher);
    }
    const quote = quotePrice({ unitList: item.price, unitCost: item.cost, units, tier, voucher });
    const price = quote.final;
    if (price !== quoted) return [textReply(msg("price-changed", { name: item.name, price: formatRupiah(price) }))];
    const chosen = this.deps.paymentMethods.chosen(method, item);
    if (!chosen) return [textReply(msg("payment-method-unavailable"))];
    // The provider's own QRIS charges its price, not this one (an old button, a tier changed since).
    if (chosen.pricedByProvider && (voucher !== null || price !== quote.list)) return [textReply(msg("payment-provider-price-only"))];
    const id = newOrderId();
    // Tracked before the hold, so a crash anywhere after it still gets the use back or redeemed,
    // and the delivery counted toward the tier (`commerce/pricing-settlement.ts`).
    const tracked = pricing && (voucher || pricing.settlement.tracksEveryOrder) ? await pricing.settlement.track(id, voucher?.code ?? null) : null;
    if (voucher && pricing) {
      const held = await pricing.vouchers.hold(voucher.code, id, buyer);
      if (held !== "held") {
        if (tracked) await pricing.settlement.forget(tracked);
        return [textReply(msg(`voucher-refused-${held}`, { code: voucher.code }))];
      }
    }
    const promoCode = pricing ? await pricing.promos.get(item.code) : null;
    const order: NewOrder = {
      id,
      buyer,
      channel: inbound.channel,
      chatId: inbound.chatId,
      locale,
      product: snapshot(item),
      inputs,
      ...(quantity > 1 ? { quantity } : {}),
      price,
      cost: quote.cost,
      payment: { method, amount: price },
      ...(quote.tierDiscount !== 0 || quote.voucher
        ? {
            pricing: {
              list: quote.list,
              tierDiscount: quote.tierDiscount,
              ...(tier ? { tier: tier.name } : {}),
              ...(quote.voucher ? { voucher: quote.voucher } : {}),
            },
          }
        : {}),
      ...(promoCode ? { promoCode } : {}),
    };
    try {
      return await chosen.start({ item, order });
    } catch (error) {
      // Every unit was held by someone else the moment the order was made: nothing was paid.
      if (error instanceof SoldOutError) return [textReply(msg("stock-sold-out", { name: item.name }))];
      throw error;
    } finally {
      // No order was made (a refusal before it, sold out, or an error): a held voucher use goes back now.
      if (tracked && pricing && !(await this.deps.orders.get(id))) {
        if (voucher) await pricing.vouchers.release(voucher.code, id);
        await pricing.settlement.forget(tracked);
      }
    }
  }
}

/** A voucher refusal as the buyer's message key suffix and its arguments. */
function refusalMessage(reason: VoucherRefusal, state: VoucherState | null): { reason: string; args?: Record<string, string> } {
  if (reason === "min" && state?.voucher.min !== undefined) return { reason, args: { min: formatRupiah(state.voucher.min) } };
  return { reason };
}

function isInfoCommand(command: BuyerCommand): boolean {
  return command === "help" || command === "saldo" || command === "topup" || command === "orders" || command === "order" || command === "lang";
}

/** The product fields an order keeps, so it can be placed and followed even if the catalog changes. */
function snapshot(item: CatalogItem): Order["product"] {
  const { code, provider, sku, name, category, group, basePrice, stock, input, delivery, meta } = item;
  return { code, provider, sku, name, category, group, basePrice, stock, input, delivery, ...(meta ? { meta } : {}) };
}

/** One order in full, for its buyer (secrets included: this is their private chat). */
export function orderDetailLines(order: Order, vault: DeliveryVault): Msg[] {
  const lines: Msg[] = [
    msg("order-detail", {
      order: order.id,
      product: order.product.name,
      price: formatRupiah(order.price),
      status: msg(`status-${order.status}`),
      date: new Date(order.createdAt).toISOString().slice(0, 16).replace("T", " "),
    }),
  ];
  if (Object.keys(order.inputs).length > 0) lines.push(msg("confirm-target", { target: describeInputs(order.inputs) }));
  if (order.delivered) {
    const { items, secretsWithheld } = vault.open(order.delivered, true);
    for (const item of items) lines.push(msg(`delivery-${item.label}`, { value: item.value }));
    if (secretsWithheld) lines.push(msg("delivery-secrets-withheld"));
  }
  return lines;
}
