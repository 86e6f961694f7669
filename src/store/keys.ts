/**
 * Every Redis key the bot writes, in one place, so a reader can see the whole data model.
 * (The client may add a global prefix on top; tests do.)
 */
export const keys = {
  /** Claim of one process retrying an order's owed buyer message, for one retry period. */
  owedMessageRetry: (orderId: string) => `owed:${orderId}`,
  /** Set (with a TTL) while the admins have been told, for the hour, of a refused webhook of a provider. */
  webhookRefusedAlert: (provider: string) => `webhook:refused-alert:${provider}`,
  /** Token lock of one chat while a process handles its message (webhook mode, several processes). */
  chatLock: (chat: string) => `lock:chat:${chat}`,
  /** The WhatsApp login's creds (JSON with Baileys' BufferJSON). */
  whatsappCreds: () => "wa:auth:creds",
  /** Hash of one type of WhatsApp signal keys: id → JSON. */
  whatsappKeyType: (type: string) => `wa:auth:keys:${type}`,
  /** Set of every signal key type written, so a logout deletes all of them. */
  whatsappKeyTypes: () => "wa:auth:types",
  /** Marks a WhatsApp message id as handled (redeliveries are dropped). */
  whatsappSeen: (messageId: string) => `wa:seen:${messageId}`,
  /** Token lock of the one process allowed to hold the WhatsApp connection. */
  whatsappLock: () => "wa:lock",
  /** List of WhatsApp messages handed to the process holding the connection (JSON, maybe sealed). */
  whatsappRelay: () => "wa:relay",
  /**
   * List of WhatsApp messages that arrived while a process was shutting down, left for the next
   * connection holder to handle (Baileys' JSON, maybe sealed). See `WhatsAppChannel.stopReceiving`.
   */
  whatsappHeld: () => "wa:held",
  /** JSON session of a chat, with a TTL. */
  session: (chat: string) => `sess:${chat}`,
  /** A chat's chosen locale; outlives the session. */
  locale: (chat: string) => `locale:${chat}`,
  /** Sorted set chat → time its mid-checkout session expires (to tell the buyer). */
  sessionDeadlines: () => "sess:deadlines",
  /** Every buyer who ever wrote to the bot (for broadcasts). */
  buyers: () => "buyers",
  /** Buyers who blocked the bot (broadcasts skip them); a buyer who writes again is removed. */
  blockedBuyers: () => "admin:broadcast:blocked",
  /** Hash of markup rules: field `global`, `provider:<id>` or `product:<code>` → JSON markup. */
  adminMarkup: () => "admin:markup",
  /** Set of product codes an admin has hidden from buyers. */
  adminHidden: () => "admin:hidden",
  /** JSON `{ message, by, at }` while buying is paused; absent otherwise. */
  adminMaintenance: () => "admin:maintenance",
  /** List of JSON audit entries of admin commands, newest first, trimmed to a fixed length. */
  adminAudit: () => "admin:audit",
  /** Set (with a TTL) while a group outside the admin group has had its refusal for the minute. */
  adminRefusalQuiet: (chat: string) => `admin:refused:${chat}`,
  /** Claim of the message that started a broadcast (a redelivered update must not send it again). */
  adminBroadcastClaim: (messageKey: string) => `admin:broadcast:claim:${messageKey}`,
  /** Wallet balance in rupiah (integer string). */
  wallet: (buyer: string) => `wallet:${buyer}`,
  /** Append-only ledger: list of JSON entries. */
  ledger: (buyer: string) => `ledger:${buyer}`,
  /** Hash of ledger entry ids already applied (idempotency). */
  ledgerIds: (buyer: string) => `ledger-ids:${buyer}`,
  /** Order hash: rev, status, doc (JSON). */
  order: (id: string) => `order:${id}`,
  /** Sorted sets of order ids by creation time. */
  ordersAll: () => "orders:all",
  ordersOfBuyer: (buyer: string) => `orders:buyer:${buyer}`,
  /** Hash `<provider>:<providerRef>` → order id, for provider webhooks. */
  ordersByProviderRef: () => "orders:by-provider-ref",
  /** Sorted set of delivered subscription orders by paid-until time (ms): the subscriptions sweep. */
  ordersSubscribed: () => "orders:subscribed",
  /** Claim of one expiry reminder (`3d` / `1d`) of an order for one paid-until time. */
  subscriptionReminded: (orderId: string, expiresAt: number, which: string) => `subscription-reminded:${orderId}:${expiresAt}:${which}`,
  /** Set while a subscriptions sweep ran recently (throttles calls to the provider). */
  subscriptionsSwept: () => "subscriptions:swept",
  /** Orders not in a final state (for the start-up sweep). */
  ordersActive: () => "orders:active",
  /** Cached merged catalog (JSON) and its refresh time. */
  catalog: () => "catalog",
  /** QRIS payment hash: status, doc (JSON). */
  payment: (id: string) => `payment:${id}`,
  /** Hash: total of an open payment → its id (each open total belongs to one payment). */
  paymentOpenAmounts: () => "payments:open-amounts",
  /** Hash: total of a recently expired payment → its id (to recognise a late payer). */
  paymentExpiredAmounts: () => "payments:expired-amounts",
  /** Hash: total of a payment confirmed by hand → its id, until the gateway's report of that money is matched (once). */
  paymentPaidAmounts: () => "payments:paid-amounts",
  /** Sorted set: open payment id by expiry time. */
  paymentDeadlines: () => "payments:deadlines",
  /** Set of callback references processed before outcomes were recorded (still refused as replays). */
  paymentReferences: () => "payments:references",
  /** Hash: callback reference → what it did (`pay:<id>`, `extra:<id>`, `none`); a reference is accepted once, ever. */
  paymentReferenceOutcomes: () => "payments:reference-outcomes",
  /** Hash: total of an expired payment → until when (ms) no other payment may take it. */
  paymentHeldUntil: () => "payments:held-until",
  /** Hash: a buyer's open payment id → its purpose (for the per-buyer limit). */
  paymentsOpenOfBuyer: (buyer: string) => `payments:open-of:${buyer}`,
  /** Set: paid payments whose money may not be fully applied yet (a crash between the steps). */
  paymentsUnsettled: () => "payments:unsettled",
  /** Marker: the admins were told that a price's pool of totals is nearly used up. */
  paymentPoolAlert: (baseAmount: number) => `payments:pool-alert:${baseAmount}`,
  /** Sorted set: open gateway payment id → when its status is next asked (claimed by one process). */
  paymentGatewayPolls: () => "payments:gateway-polls",
  /** String with a TTL: one gate of the payment service (a notification's status call, an alert told once). */
  paymentGate: (name: string) => `payments:gate:${name}`,
  /** Hash: paid gateway payment id → the gateway fee the shop bears (rupiah), recorded once. */
  paymentGatewayFees: () => "payments:gateway-fees",
  /** Sorted set: paid gateway payment id with a fee cost → when it was paid (for /stats periods). */
  paymentGatewayFeesByTime: () => "payments:gateway-fees-by-time",
  /** Count of events (a gateway's failures, rejected notifications) since the admins were last told. */
  paymentBurstCount: (name: string) => `payments:burst-count:${name}`,
  /** Set (with a TTL) while the admins have been told, for the window, of one kind of event. */
  paymentBurstAlert: (name: string) => `payments:burst-alert:${name}`,
  // ── Pricing (issue 17): vouchers, price tiers, provider promo codes ──
  /** Hash of one voucher: `def` (JSON terms), `off` ('1' when switched off), `held`, `redeemed` counts. */
  voucher: (code: string) => `voucher:${code}`,
  /** Hash of a voucher's uses: order id → `h|<buyer>` (held) or `r|<buyer>` (redeemed). */
  voucherUses: (code: string) => `voucher:${code}:uses`,
  /** Hash of a voucher's uses per buyer: buyer → held + redeemed count. */
  voucherBuyers: (code: string) => `voucher:${code}:buyers`,
  /** How many vouchers are not switched off: buyers are offered "use a voucher" only while some are. */
  vouchersOn: () => "vouchers:on",
  /** Set of every voucher code ever made (for `/voucher list`). */
  vouchers: () => "vouchers",
  /** A buyer's price tier name (absent = the first of PRICE_TIERS). */
  buyerTier: (buyer: string) => `tier:${buyer}`,
  /** Hash of a buyer's delivered spend: `total`, and `o:<order>` for each order counted (once). */
  buyerSpend: (buyer: string) => `tier:spend:${buyer}`,
  /** Hash: product code → provider promo code sent with each purchase (`/promo`). */
  providerPromos: () => "admin:promos",
  /** Hash: buyer → their referral code. */
  referralCodeOf: () => "referral:code-of",
  /** Hash: referral code (upper case) → the buyer it belongs to. */
  referralCodes: () => "referral:codes",
  /** Hash: referred buyer → their referrer (set once, never changed). */
  referralReferrerOf: () => "referral:referrer-of",
  /** Hash: referred buyer → when they were linked (ms). */
  referralLinkedAt: () => "referral:linked-at",
  /** Hash: referrer → how many buyers they referred. */
  referralCount: () => "referral:count",
  /** Hash: order id → its referral reward `referrer|amount|offset` (claimed once; offset paid off a debt). */
  referralRewards: () => "referral:rewards",
  /** Hash: referrer → rupiah of reversed rewards their wallet could not cover (taken from later rewards). */
  referralOwed: () => "referral:owed",
  /** Hash: order id → rupiah its reward's reversal added to the referrer's debt (recorded once). */
  referralOwedByOrder: () => "referral:owed-by-order",
  /** Set (with a TTL) while a referral catch-up ran recently (throttles the sweep). */
  referralCaughtUp: () => "referral:caught-up",
  /** Sorted set of orders whose voucher use or tier spend is still to settle, by when to look next (`commerce/pricing-settlement.ts`). */
  pricingUnsettled: () => "pricing:unsettled",

  // The shop's own stock (providers/ownstock/stock-store.ts). Items are sealed; only hashes in clear.
  /** Hash: own product code → JSON product (name, price, cost, category, terms, warranty, alert, off). */
  stockProducts: () => "stock:products",
  /** List of a product's available item ids (pushed left on upload, taken from the right: oldest first). */
  stockAvailable: (code: string) => `stock:avail:${code}`,
  /** Hash: item id → sealed item text (kept after the sale, for warranty look-ups). */
  stockItems: (code: string) => `stock:items:${code}`,
  /** Hash: item id → its dedup hash (HMAC), so a sale can drop the hash. */
  stockItemHashes: (code: string) => `stock:item-hash:${code}`,
  /** Hash: dedup hash → item id, of unsold items: a second upload of the same item is refused. */
  stockDedup: (code: string) => `stock:dedup:${code}`,
  /** Hash: `reserved`, `sold` counts of a product. */
  stockCounts: (code: string) => `stock:counts:${code}`,
  /** Counter of item ids (one for the whole shop). */
  stockSeq: () => "stock:seq",
  /** Hash of one order's hold: code, ids (comma list), qty, state (`reserved` | `taken`). */
  stockReservation: (orderId: string) => `stock:res:${orderId}`,
  /** Sorted set: order id → hold deadline (ms): the sweep releases holds of orders that died. */
  stockReservationDeadlines: () => "stock:res-deadlines",
  /** Set of JSON recipients waiting for a sold-out product to come back ("Kabari saya"). */
  stockWaiting: (code: string) => `stock:waiting:${code}`,
  /** Marker: the admins were told a product fell to its low-stock threshold (cleared on restock above it). */
  stockLowAlerted: (code: string) => `stock:low-alerted:${code}`,
  /** A backup payload restored for a minute only to see that Redis can read it, before a restore writes anything. */
  restoreCheck: (run: string, index: number) => `restore:check:${run}:${index}`,
} as const;
