/**
 * ALxZen Clouds adapter: Pterodactyl panels / VPS, premium app accounts and scripts, bought
 * from our reseller balance ("direct") or paid by the buyer through ALxZen's own QRIS ("qris").
 * Contract: /work/shared/providers/alxzen.txt.
 *
 * The API is thin: products carry only a name, there is no client reference on orders and no
 * documented error format. So the adapter classifies products by name, never repeats a purchase
 * (there is nothing to look it up by), and reads refusals from `success: false` plus the HTTP
 * status and the provider's message.
 */
import { z } from "zod";
import type { InputKind } from "../inputs.js";
import type { Rupiah } from "../../core/money.js";
import type { Logger } from "pino";
import { ProviderError, type ProviderErrorCode } from "../errors.js";
import { HttpClient, parseBody, type HttpRequest, type HttpResponse } from "../http.js";
import type {
  CategoryId,
  DeliveryItem,
  DeliveryKind,
  DepositResult,
  OrderOutcome,
  PlaceOrderRequest,
  Provider,
  ProviderBalance,
  ProviderProduct,
} from "../types.js";

const provider = "alxzen";

/** The smallest deposit ALxZen accepts, per its document (Rp 1.000). */
export const alxzenMinDeposit: Rupiah = 1_000;

/** Options for {@link AlxzenProvider}; the timing and `fetch` knobs exist so tests can shrink them. */
export interface AlxzenProviderOptions {
  baseUrl: string;
  apiKey: string;
  logger?: Logger;
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  fetch?: typeof fetch;
}

// ---------------------------------------------------------------------------------------------
// Classification by name
// ---------------------------------------------------------------------------------------------

/** Where a product goes in the shop and what it needs, derived from its name alone. */
export interface AlxzenClassification {
  category: CategoryId;
  group: string;
  input: InputKind;
  delivery: DeliveryKind;
}

// OTP / "nokos" (nomor kosong = virtual numbers) need an otpNumberId picked from a list the API
// does not document, so the bot cannot ask for one yet.
const otpPattern = /\botp\b|nokos|nomor kosong|virtual number/i;
const scriptPattern = /\bscripts?\b|\bsc\b|source ?code/i;
const panelPattern = /panel|ptero|\bvps\b|server|hosting/i;
const genericAppPattern = /premium|\bapps?\b|aplikasi/i;

// Brand names are checked before the panel words so "Netflix (server SG)" stays an app, and
// they give the app its group. Word boundaries keep "whatsapp" from reading as "app".
const appBrands: ReadonlyArray<readonly [RegExp, string]> = [
  [/netflix/i, "Netflix"],
  [/spotify/i, "Spotify"],
  [/youtube|\byt\b/i, "YouTube"],
  [/canva/i, "Canva"],
  [/capcut/i, "CapCut"],
  [/disney|hotstar/i, "Disney+"],
  [/vidio/i, "Vidio"],
  [/\bviu\b/i, "Viu"],
  [/wetv/i, "WeTV"],
  [/iqiyi/i, "iQIYI"],
  [/prime video|amazon prime/i, "Prime Video"],
  [/chat ?gpt|openai/i, "ChatGPT"],
  [/alight motion/i, "Alight Motion"],
  [/picsart/i, "Picsart"],
  [/\bzoom\b/i, "Zoom"],
  [/microsoft|office 365/i, "Microsoft 365"],
  [/apple music/i, "Apple Music"],
];

const appFor = (group: string): AlxzenClassification => ({ category: "app", group, input: "none", delivery: "account" });

/**
 * Classifies an ALxZen product by keywords in its name (case-insensitive). Returns null for
 * OTP / nokos products, which the shop cannot sell until the bot can pick an otpNumberId.
 * Names that match nothing are still sold, under "other": every ALxZen order works without
 * input and the delivery is read from whatever credentials the order returns.
 */
export function classifyAlxzenProduct(name: string): AlxzenClassification | null {
  if (otpPattern.test(name)) return null;
  if (scriptPattern.test(name)) return { category: "other", group: "Script", input: "none", delivery: "download" };
  const brand = appBrands.find(([pattern]) => pattern.test(name));
  if (brand) return appFor(brand[1]);
  if (panelPattern.test(name)) {
    const group = /\bvps\b/i.test(name) ? "VPS" : "Pterodactyl";
    return { category: "panel", group, input: "panel_username", delivery: "panel" };
  }
  if (genericAppPattern.test(name)) return appFor("Premium");
  return { category: "other", group: "Lainnya", input: "none", delivery: "account" };
}

/** A short code buyers can type; ids are Mongo ObjectIds, whose tail is the most distinct part. */
function productCode(id: string): string {
  return `AX-${id.replace(/[^a-z0-9]/gi, "").slice(-6).toUpperCase()}`;
}

// ---------------------------------------------------------------------------------------------
// Response schemas
// ---------------------------------------------------------------------------------------------

const rupiahSchema = z.number().int().nonnegative();
const optionalText = z.string().nullish();

const productSchema = z.object({
  _id: z.string().min(1),
  name: z.string().min(1),
  resellerPrice: rupiahSchema,
  // -1 = unlimited (panels, scripts); anything below is not a stock level we understand.
  stock: z.number().int().min(-1),
});

const accountSchema = z.object({ balance: z.number().int() });

const credentialsSchema = z.object({
  panelUrl: optionalText,
  serverUsername: optionalText,
  serverPassword: optionalText,
  accountEmail: optionalText,
  accountPassword: optionalText,
  downloadUrl: optionalText,
});

const orderSchema = z.object({
  orderId: z.string().min(1),
  status: z.string().min(1),
  amount: rupiahSchema.optional(),
  qris_data: z.string().min(1).optional(),
  data: credentialsSchema.nullish(),
});
type AlxzenOrder = z.infer<typeof orderSchema>;

const depositSchema = z.object({
  depositId: z.string().min(1),
  amount: rupiahSchema,
  qris_data: z.string().min(1),
});

/** Lenient view of any body, only to read a refusal and its message. */
const refusalSchema = z.object({
  success: z.boolean().optional(),
  message: z.string().optional(),
  error: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------
// Orders
// ---------------------------------------------------------------------------------------------

const pendingStatuses: ReadonlySet<string> = new Set(["pending", "processing", "unpaid"]);
const failedStatuses: ReadonlySet<string> = new Set(["failed", "cancelled", "canceled", "expired", "refunded"]);

// Which credential field becomes which delivery line. Emails are secret too: they log in to a
// paid account, so they are as sensitive as the password next to them.
const deliveryFields: ReadonlyArray<readonly [keyof z.infer<typeof credentialsSchema>, DeliveryItem["label"], boolean]> = [
  ["panelUrl", "url", false],
  ["serverUsername", "username", false],
  ["serverPassword", "password", true],
  ["accountEmail", "email", true],
  ["accountPassword", "password", true],
  ["downloadUrl", "url", false],
];

function toDelivery(credentials: AlxzenOrder["data"]): DeliveryItem[] {
  return deliveryFields.flatMap(([field, label, secret]) => {
    const value = credentials?.[field];
    if (!value) return [];
    return [secret ? { label, value, secret: true } : { label, value }];
  });
}

function qrisOf(order: AlxzenOrder): { payload: string; amount: Rupiah } | undefined {
  if (order.qris_data === undefined) return undefined;
  if (order.amount === undefined) {
    throw new ProviderError("malformed", `${provider}: order ${order.orderId} has a QRIS without an amount`, { provider });
  }
  return { payload: order.qris_data, amount: order.amount };
}

function orderBody(request: PlaceOrderRequest): Record<string, string> {
  const body: Record<string, string> = { productId: request.product.sku, paymentType: request.payment };
  // The panel is created under this name; without it ALxZen falls back to our own username.
  const username = request.product.input === "panel_username" ? request.inputs.username : undefined;
  if (username) body.serverUsername = username;
  // A buyer's voucher is for this one order, so it wins over the admin's promo code (`/promo`),
  // which wins over one configured on the product.
  const productVoucher = request.product.meta?.voucherCode;
  const voucher = request.inputs.voucher ?? request.promoCode ?? (typeof productVoucher === "string" ? productVoucher : undefined);
  if (voucher) body.voucherCode = voucher;
  return body;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

function errorCode(status: number, message: string): ProviderErrorCode {
  if (status === 401) return "auth";
  if (status === 403) return /\bip\b|whitelist/i.test(message) ? "forbidden_ip" : "auth";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "upstream";
  if (/saldo|balance/i.test(message)) return "insufficient_balance";
  if (/sto(c)?k|habis|sold out/i.test(message)) return "out_of_stock";
  return "invalid_input";
}

function retryAfterMs(response: HttpResponse): number | undefined {
  const seconds = Number(response.headers.get("retry-after") ?? Number.NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

// ---------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------

/** The ALxZen Clouds provider. */
export class AlxzenProvider implements Provider {
  readonly id = provider;
  private readonly http: HttpClient;
  private readonly apiKey: string;
  private readonly logger: Logger | undefined;

  constructor(options: AlxzenProviderOptions) {
    this.apiKey = options.apiKey;
    this.logger = options.logger;
    this.http = new HttpClient({
      provider,
      baseUrl: options.baseUrl,
      headers: { "x-api-key": options.apiKey },
      timeoutMs: options.timeoutMs,
      retryDelaysMs: options.retryDelaysMs,
      logger: options.logger,
      fetch: options.fetch,
    });
  }

  /** Active products, priced at `resellerPrice` (what ALxZen charges us, margin included). */
  async listProducts(): Promise<ProviderProduct[]> {
    const products = await this.call({ method: "GET", path: "/products" }, z.array(productSchema));
    return products.flatMap((product) => {
      const kind = classifyAlxzenProduct(product.name);
      if (!kind) return [];
      return [
        {
          provider,
          sku: product._id,
          code: productCode(product._id),
          ...kind,
          name: product.name,
          basePrice: product.resellerPrice,
          stock: product.stock === -1 ? null : product.stock,
        },
      ];
    });
  }

  /** The reseller balance, in rupiah. */
  async getBalance(): Promise<ProviderBalance> {
    const account = await this.call({ method: "GET", path: "/account" }, accountSchema);
    return { amount: account.balance, currency: "IDR", idr: account.balance };
  }

  /**
   * Places an order once. ALxZen takes no reference of ours, so an unknown outcome (timeout,
   * 5xx, garbage) cannot be looked up: it is thrown for the caller to hold, never retried.
   */
  async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    return this.placeOnce(request);
  }

  /** The order's state; credentials come with a completed order. */
  async getStatus(ref: Parameters<Provider["getStatus"]>[0]): Promise<OrderOutcome> {
    const order = await this.call({ method: "GET", path: `/order/${encodeURIComponent(ref.providerRef)}` }, orderSchema);
    return this.outcome(order);
  }

  /** Creates a QRIS to top up the balance; amounts below Rp 1.000 are refused before any call. */
  async deposit(amount: Rupiah): Promise<DepositResult> {
    if (!Number.isSafeInteger(amount) || amount < alxzenMinDeposit) {
      throw new ProviderError("invalid_input", `${provider}: a deposit must be a whole number of at least Rp 1.000`, {
        provider,
      });
    }
    const deposit = await this.call({ method: "POST", path: "/deposit", json: { amount } }, depositSchema);
    return { depositId: deposit.depositId, amount: deposit.amount, qrisPayload: deposit.qris_data };
  }

  private async placeOnce(request: PlaceOrderRequest): Promise<OrderOutcome> {
    const order = await this.call({ method: "POST", path: "/order", json: orderBody(request) }, orderSchema);
    const placed = this.outcome(order);
    // Paid from our balance, the order's amount is what ALxZen charged us (a voucher applied).
    const outcome = request.payment === "direct" && placed.state === "success" && order.amount !== undefined ? { ...placed, cost: order.amount } : placed;
    if (request.payment === "qris" && outcome.state === "pending" && !outcome.qris) {
      // The buyer cannot pay without the QR; the order exists, so this is not a clean refusal.
      throw new ProviderError("malformed", `${provider}: QRIS order ${order.orderId} came back without qris_data`, {
        provider,
      });
    }
    this.logger?.info({ provider, orderId: request.orderId, providerRef: order.orderId, state: outcome.state }, "order placed");
    return outcome;
  }

  private outcome(order: AlxzenOrder): OrderOutcome {
    const status = order.status.toLowerCase();
    if (status === "completed") {
      const delivery = toDelivery(order.data);
      if (delivery.length > 0) return { state: "success", providerRef: order.orderId, delivery };
      // The document: a completed order "contains provisioned credentials". One without any
      // contradicts it; delivering nothing would close the order with the buyer holding nothing.
      // Keep following it (the credentials may appear); an admin sees it if they never do.
      this.logger?.warn({ provider, providerRef: order.orderId }, "ALxZen order completed without credentials; following it as pending");
      return { state: "pending", providerRef: order.orderId };
    }
    if (failedStatuses.has(status)) return { state: "failed", providerRef: order.orderId, reason: `${provider}: order ${status}` };
    if (!pendingStatuses.has(status)) {
      // An order that exists in a state we do not know is not finished; keep polling, tell admins.
      this.logger?.warn({ provider, providerRef: order.orderId, status }, "unknown ALxZen order status; treating as pending");
    }
    const qris = qrisOf(order);
    return qris ? { state: "pending", providerRef: order.orderId, qris } : { state: "pending", providerRef: order.orderId };
  }

  /** Sends a request and returns the `data` of a successful envelope, or throws the mapped refusal. */
  private async call<T>(request: HttpRequest, data: z.ZodType<T>): Promise<T> {
    const response = await this.http.send(request);
    const refusal = refusalSchema.safeParse(response.json);
    if (response.status >= 400 || (refusal.success && refusal.data.success === false)) {
      const message = refusal.success ? (refusal.data.message ?? refusal.data.error ?? "") : "";
      throw this.refusalError(request, response, message);
    }
    return parseBody(provider, response, z.object({ success: z.literal(true), data })).data;
  }

  private refusalError(request: HttpRequest, response: HttpResponse, providerMessage: string): ProviderError {
    // ALxZen's messages are plain text with nothing secret, but one could echo the key back.
    const said = this.apiKey ? providerMessage.split(this.apiKey).join("***") : providerMessage;
    const text = `${provider}: ${request.method} ${request.path} → HTTP ${response.status}${said ? `: ${said.slice(0, 200)}` : ""}`;
    return new ProviderError(errorCode(response.status, said), text, {
      provider,
      status: response.status,
      retryAfterMs: response.status === 429 ? retryAfterMs(response) : undefined,
    });
  }
}
