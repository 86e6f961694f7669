/**
 * The one interface every reseller API sits behind. The bot never talks to a provider's HTTP
 * API directly; it sees normalised products, outcomes and deliveries.
 */
import type { InputKind, TargetInputs } from "./inputs.js";
import type { Rupiah } from "../core/money.js";

/** Ids of the providers the bot knows. */
/** `stock` is the shop's own stock (`providers/ownstock/`): items the owner uploads, one per sale. */
export const providerIds = ["sandbox", "stock", "alxzen", "odzreshop", "aluy", "icsstore", "premzone"] as const;
export type ProviderId = (typeof providerIds)[number];

/** Shop categories; each has a label in the locales (`category-<id>`). */
/** `shop` ("Produk toko") is where the owner's own products land until moved. */
export const categoryIds = ["game", "data", "app", "panel", "vps", "plan", "other", "shop"] as const;
export type CategoryId = (typeof categoryIds)[number];

/** How a product is delivered to the buyer once the provider is done. */
export const deliveryKinds = ["serial", "account", "panel", "download", "vps", "plan"] as const;
export type DeliveryKind = (typeof deliveryKinds)[number];

/** A product as a provider sells it, normalised. Plain data, so it can be cached as JSON. */
export interface ProviderProduct {
  provider: ProviderId;
  /** The provider's own product id / sku, sent back when ordering. */
  sku: string;
  /** Suggested short code buyers can type (letters, digits, `-`); the catalog makes it unique. */
  code?: string;
  category: CategoryId;
  /** A sub-group inside the category, e.g. the game ("Mobile Legends") or operator ("XL"). */
  group: string;
  name: string;
  description?: string;
  /** What the provider charges us, in whole rupiah. */
  basePrice: Rupiah;
  /** Units in stock, or null when unlimited. 0 = out of stock. */
  stock: number | null;
  /** What the buyer must give (see `inputs.ts` for the zod schema of each kind). */
  input: InputKind;
  delivery: DeliveryKind;
  /** Adapter-specific data needed to order (e.g. aluy variant id, premzone plan); never shown. */
  meta?: Record<string, string | number | boolean>;
  /**
   * The sell price the owner set (own stock): shown as it is, no markup on top. `basePrice` is
   * then the owner's cost of one unit (for /stats).
   */
  fixedPrice?: Rupiah;
  /** Buyers may buy several at once (own stock): the checkout asks how many, up to the stock (max 10). */
  multiUnit?: boolean;
}

/** One line of what the buyer receives. `secret` lines are encrypted at rest and never shown in groups. */
export interface DeliveryItem {
  /** Label key: rendered via the locale message `delivery-<label>`. */
  label: "serial" | "email" | "password" | "username" | "url" | "ip" | "note" | "plan" | "expires" | "invoice";
  value: string;
  secret?: boolean;
}

/** Where an order stands at the provider. */
export type OrderOutcome =
  | {
      state: "pending";
      providerRef: string;
      qris?: { payload: string; amount: Rupiah; expiresAt?: number };
      /** What the provider's answer says the order cost us, when it says (aluy: the order's `totalCents`). */
      cost?: Rupiah;
    }
  | {
      state: "success";
      providerRef: string;
      delivery: DeliveryItem[];
      /** What the provider's answer says the order cost us, when it says (premzone's `amount`, a promo code applied). */
      cost?: Rupiah;
    }
  | { state: "failed"; providerRef?: string; reason: string }
  /**
   * The provider took the money but cannot deliver without help (aluy: a VPS that failed to
   * deploy). Never refunded automatically: fulfilment asks the provider to {@link Provider.repair}
   * it once, then an admin.
   */
  | { state: "stuck"; providerRef: string; reason: string };

/** How the provider is paid for this order. `direct` = our reseller balance; `qris` = the buyer pays the provider. */
export type ProviderPayment = "direct" | "qris";

export interface PlaceOrderRequest {
  /** Our order id (`ORD-…`), for logs. */
  orderId: string;
  /** Our unique reference id, sent to the provider where it accepts one, used to look the order up. */
  refId: string;
  product: ProviderProduct;
  inputs: TargetInputs;
  payment: ProviderPayment;
  /**
   * A provider-side promo code an admin attached to the product (`/promo`), sent in the
   * provider's own field (ALxZen `voucherCode`, premzone `coupon_code`, aluy `promoCode`);
   * adapters whose API has no such field ignore it.
   */
  promoCode?: string;
  /** How many units the order buys (own stock); default 1. */
  quantity?: number;
}

/** What `getStatus` is told about an order placed before. */
export interface StatusRef {
  /** The providerRef from an outcome. */
  providerRef: string;
  refId: string;
  product: ProviderProduct;
  /** The order's target inputs (e.g. the months of a subscription). */
  inputs?: TargetInputs;
}

/** The reseller's balance with the provider. */
export interface ProviderBalance {
  /** Amount in the provider's currency minor unit as the API reports it (IDR: rupiah; EUR: cents). */
  amount: number;
  currency: "IDR" | "EUR";
  /** The same amount in rupiah. */
  idr: Rupiah;
}

/** A QRIS deposit to top up the reseller balance (ALxZen). */
export interface DepositResult {
  depositId: string;
  amount: Rupiah;
  qrisPayload: string;
}

/** A raw inbound webhook request, as the HTTP server received it. */
export interface WebhookRequest {
  headers: Record<string, string | undefined>;
  rawBody: string;
  /**
   * For a provider whose webhook secret travels in the path (`webhookSecretIn: "path"`): the
   * segment after `/webhooks/<id>/`, or undefined when the request came without one.
   */
  pathSecret?: string;
}

/** What a webhook tells us: a hint that an order may have moved. Always confirm via `getStatus`. */
export interface WebhookHint {
  providerRef?: string;
  refId?: string;
  status?: string;
}

/** An order of ours whose purchase answer was lost: still `placing`, no provider reference known. */
export interface LostPurchase {
  orderId: string;
  refId: string;
  product: ProviderProduct;
}

/**
 * One transaction as the provider's own records show it, normalised for reconciliation
 * (`commerce/reconcile.ts`). No buyer data (target numbers, credentials) is carried.
 */
export interface ProviderRecord {
  /** The provider's reference of the transaction (ICS-Store: the refid; aluy: its order id). */
  providerRef: string;
  /** Our refId (`WB…`) when the provider keeps it with the transaction. */
  refId?: string;
  /**
   * `success`: done and paid for; `pending`: under way, money taken or held; `unpaid`: nothing
   * taken yet; `failed`: nothing taken, or given back.
   */
  status: "success" | "pending" | "unpaid" | "failed";
  /** What the provider charged for it, in rupiah; null when its records do not say. */
  charged: Rupiah | null;
  /** When it was made (epoch ms), null when unknown. */
  at: number | null;
}

/** The provider's records over a time range, as far as they were read. */
export interface ProviderHistory {
  records: ProviderRecord[];
  /**
   * True when every record of the range was read; false when a bound on pages stopped the read
   * (then a delivered order missing from `records` proves nothing).
   */
  complete: boolean;
}

/** What {@link Provider.reserve} holds for an order that reached payment. */
export interface ReserveRequest {
  orderId: string;
  product: ProviderProduct;
  quantity: number;
  /** Until when (epoch ms) the units are held unless the order is paid: the payment's lifetime. */
  untilMs: number;
}

export interface Provider {
  readonly id: ProviderId;
  /** False for a provider the shop does not pay (its own stock): there is no balance to watch. */
  readonly hasBalance?: boolean;
  /**
   * Holds `quantity` units for an order the moment it reaches payment, all or none (own stock):
   * false when there are not that many (the buyer is told it is sold out before paying). Safe to
   * repeat for the same order. The purchase then takes exactly these units.
   */
  reserve?(request: ReserveRequest): Promise<boolean>;
  /** Gives back what {@link reserve} held for an order that expired or died; nothing once taken. */
  release?(orderId: string): Promise<void>;
  /** Orders whose hold passed its deadline (for the sweep to release or extend), at most `limit`. */
  dueReservations?(now: number, limit: number): Promise<string[]>;
  /** Moves an order's hold deadline (an order paid and being delivered keeps its units). */
  extendReservation?(orderId: string, untilMs: number): Promise<void>;
  /** Products the shop may sell. Throws ProviderError when the provider cannot be reached. */
  listProducts(): Promise<ProviderProduct[]>;
  getBalance(): Promise<ProviderBalance>;
  /**
   * Sends the purchase ONCE; an adapter never repeats it nor resolves an unclear answer itself.
   * When the answer does not settle whether the order exists (timeout, reset, 5xx, garbage) it
   * throws a ProviderError with `outcomeUnknown`; fulfilment alone decides what happens next
   * (a lookup by our reference after `lookupDelayMs`, at most `PURCHASE_MAX_ATTEMPTS` purchases).
   */
  placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome>;
  /**
   * How long after a purchase with an unknown outcome the provider needs before a lookup by our
   * reference can be trusted to see the order (it may still be creating it). Default 0.
   */
  readonly lookupDelayMs?: number;
  /** Current state of an order placed before. `ref` is the providerRef from an outcome. */
  getStatus(ref: StatusRef): Promise<OrderOutcome>;
  /**
   * One attempt to unstick an order the provider reported `stuck` (aluy: retry-provision).
   * Fulfilment calls it at most once per order, counted before the call; the answer is applied
   * like a status.
   */
  repair?(ref: StatusRef): Promise<OrderOutcome>;
  /**
   * For a delivered subscription (aluy VPS): keeps the provider's renewal in line with what the
   * buyer paid for, `paidUntil` (epoch ms). Called by the subscriptions sweep; safe to repeat.
   */
  syncSubscription?(ref: { providerRef: string; paidUntil: number }): Promise<void>;
  /** Looks up an order by our refId; null when the provider has none. Absent when the API cannot. */
  findOrder?(refId: string, product: ProviderProduct): Promise<OrderOutcome | null>;
  deposit?(amount: Rupiah): Promise<DepositResult>;
  /**
   * Asks the provider whether a promo code is usable for `product` (aluy `/promo/validate`), for
   * `/promo`; absent when the API cannot say (the code is then only tried at purchase).
   */
  checkPromo?(code: string, product: ProviderProduct): Promise<{ valid: boolean; reason?: string; discountPercent?: number }>;
  /**
   * The provider's own transaction records made in `range` (epoch ms, inclusive), read-only and
   * bounded in pages; records a little outside the range may come too. Absent when the API keeps
   * no list (reconciliation then asks `getStatus` order by order, which must not be used for an
   * API whose `getStatus` changes anything: aluy's resets the root password, so aluy has this).
   */
  history?(range: { from: number; to: number }): Promise<ProviderHistory>;
  /**
   * Checks a webhook's authenticity and reads it. Throws ProviderError('auth') on a bad secret,
   * ProviderError('malformed') on a bad body.
   */
  parseWebhook?(request: WebhookRequest): WebhookHint;
  /**
   * Where the webhook's secret travels: a header the provider sends (the default; premzone's
   * `X-Api-Secret`), or a path segment of the URL we give the provider, for an API that documents
   * no webhook authentication (ICS-Store): `/webhooks/<id>/<secret>`.
   */
  readonly webhookSecretIn?: "header" | "path";
  /**
   * For an API that cannot find an order by our reference (premzone): a webhook names a
   * transaction no order of ours knows; is it one of `lost`, the purchases whose answer never
   * came? Confirmed through the provider's API. The order id when exactly one fits, else null
   * (the order stays with the admins). Never guesses between two.
   */
  matchLostPurchase?(providerRef: string, lost: readonly LostPurchase[]): Promise<string | null>;
}
