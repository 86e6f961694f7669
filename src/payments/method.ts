/**
 * The contract of a payment method module: everything the shop needs to know about one way of
 * paying, in one place. A module says which orders (and whether wallet top-ups) it is offered
 * for, starts a payment and returns the buyer's reply (a QR photo, a wallet debit's receipt…),
 * and brings its own confirmation paths (HTTP routes; status polling and expiry as sweep chores,
 * finishing what a crash left half done at start-up). Money it takes for an order moves through
 * `payFromWallet` and the ledger-id helpers in `commerce/`.
 *
 * Adding a method is one file in `payments/methods/` plus one line in `payments/methods/registry.ts`;
 * `PAYMENT_METHODS` then offers it by its id, and its menu label is the locale key `pay-method-<id>`.
 *
 * @example
 * export const voucherMethod = definePaymentMethod({
 *   id: "voucher",
 *   create: (deps) => ({
 *     offeredFor: (item) => item.category === "game",
 *     start: async ({ order }) => {
 *       const created = await deps.orders.create(order);
 *       return [textReply(msg("order-pending", { order: created.id }))]; // the voucher follows
 *     },
 *     routes: [{ method: "POST", path: "/payments/voucher", handler: voucherCallback(deps) }],
 *     chores: [{ name: "expire vouchers", run: () => expireVouchers(deps) }],
 *   }),
 * });
 */
import type { Logger } from "pino";
import { z } from "zod";
import type { CatalogItem } from "../commerce/catalog.js";
import type { Fulfilment } from "../commerce/fulfilment.js";
import type { NewOrder, Order, OrderStore } from "../commerce/orders.js";
import type { Chore } from "../commerce/sweeper.js";
import type { Wallet } from "../commerce/wallet.js";
import type { AdminAlerts } from "../core/alerts.js";
import type { RouteHandler } from "../core/http.js";
import type { Channel } from "../core/inbound.js";
import type { Locale } from "../core/message.js";
import type { Rupiah } from "../core/money.js";
import type { Reply } from "../core/reply.js";
import type { ProviderId } from "../providers/types.js";
import type { PaymentService } from "./payment-service.js";

/**
 * A method's id, as `PAYMENT_METHODS` names it and as the session and the order keep it. Text,
 * not a closed union: a module plugged in by a deployment (or a test) has its own.
 */
export type PaymentMethodId = string;

/** How a method id is read back from a stored session or order. */
export const paymentMethodIdSchema = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/);

/** What every method gets from the shop. */
export interface PaymentMethodDeps {
  orders: OrderStore;
  wallet: Wallet;
  fulfilment: Fulfilment;
  /** The owner's QRIS engine: open, confirm, expire and settle payments. */
  qris: PaymentService;
  alerts: AdminAlerts;
  logger: Logger;
  /** True when the sandbox is on (the wallet's hints point at its instant top-up). */
  sandbox: boolean;
  /** `PAYMENT_CALLBACK_SECRET`, or null when no gateway may report money. */
  callbackSecret: string | null;
  /** True when a provider's API takes payment with its own QRIS (its module's capability). */
  providerQris(provider: ProviderId): boolean;
}

/** An order the buyer chose and means to pay: the catalog item and the order, not yet made. */
export interface Checkout {
  item: CatalogItem;
  order: NewOrder;
}

/** Who a wallet top-up is for, and where to tell them. */
export interface TopupRecipient {
  buyer: string;
  channel: Channel;
  chatId: string;
  locale: Locale;
}

/** A route a method answers, served by the root's HTTP server. */
export interface PaymentRoute {
  method: "GET" | "POST";
  path: string;
  handler: RouteHandler;
}

/** A method, built: what the buyer bot, the sweeps and the HTTP server call. */
export interface PaymentMethod {
  readonly id: PaymentMethodId;
  /** True when buyers may pay for `item` this way (when `PAYMENT_METHODS` offers the method at all). */
  offeredFor(item: CatalogItem): boolean;
  /** Makes the order and takes (or asks for) its payment; returns what the buyer sees. */
  start(checkout: Checkout): Promise<Reply[]>;
  /**
   * True when the buyer pays what the provider's own payment asks (ALxZen's QRIS), not our quote:
   * such a method cannot carry a tier or voucher discount (issue 17), so the buyer bot does not
   * offer it for an order whose price differs from the normal one or that carries a voucher.
   */
  readonly pricedByProvider?: boolean;
  /** Opens a wallet top-up of `amount` (the bot has checked it against `minTopup`/`maxTopup`); absent when the method cannot top up. */
  readonly topup?: (recipient: TopupRecipient, amount: Rupiah) => Promise<Reply[]>;
  /** Confirmation routes (a gateway's callback). */
  readonly routes: readonly PaymentRoute[];
  /** Periodic work: expiry, status polling, finishing paid payments. */
  readonly chores: readonly Chore[];
  /** At start-up, before orders resume: finishes what a crash left half done (given the active orders). */
  resume?(active: Order[]): Promise<unknown>;
}

export interface PaymentMethodModule {
  readonly id: PaymentMethodId;
  /**
   * True when its orders wait in `awaiting_payment` for money from outside (a QRIS scan): such an
   * order left unpaid past the payment's lifetime is dead, and the sweeps may expire it.
   */
  readonly awaitsOutsidePayment?: boolean;
  /** Builds the method from the shop's stages; called once by the composition root. */
  create(deps: PaymentMethodDeps): PaymentMethod;
}

/** A module definition: `create` returns everything but the id, which the module states once. */
export interface PaymentMethodDefinition<Id extends PaymentMethodId> {
  readonly id: Id;
  /** See {@link PaymentMethodModule.awaitsOutsidePayment}. */
  readonly awaitsOutsidePayment?: boolean;
  create(deps: PaymentMethodDeps): Omit<PaymentMethod, "id">;
}

/**
 * Registers a module definition; the id literal is kept, so the registry's list of ids is exact.
 */
export function definePaymentMethod<Id extends PaymentMethodId>(definition: PaymentMethodDefinition<Id>): PaymentMethodModule & { readonly id: Id } {
  return {
    id: definition.id,
    ...(definition.awaitsOutsidePayment ? { awaitsOutsidePayment: true } : {}),
    create: (deps) => ({ ...definition.create(deps), id: definition.id }),
  };
}
