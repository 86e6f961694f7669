/**
 * Premzone: premium plans activated on the buyer's own Gmail account.
 *
 * Premzone sells to accounts, not to codes: the buyer's Gmail must be a downline of our
 * reseller account before we can buy a plan for it, so an order is "make sure the account is
 * ours (register it if it is new), then buy with our balance". The API has no catalog, so the
 * plans and their prices come from config (`PREMZONE_PLANS=basic:50000,gold:90000,…`).
 *
 * Every answer is an envelope `{ status, message, data }` whose `status` is the API's own
 * verdict; the HTTP status is read too, because either may carry the failure.
 */
import { z } from "zod";
import type { Rupiah } from "../../core/money.js";
import type { Logger } from "pino";
import { ProviderError, type ProviderErrorCode } from "../errors.js";
import { HttpClient, parseBody, type HttpResponse } from "../http.js";
import { safeJson } from "../../core/safe-json.js";
import { header, requireWebhookSecret } from "../webhook-auth.js";
import type {
  LostPurchase,
  OrderOutcome,
  PlaceOrderRequest,
  Provider,
  ProviderBalance,
  ProviderProduct,
  WebhookHint,
  WebhookRequest,
} from "../types.js";

const provider = "premzone";

/** One sellable plan: the API's plan name and what Premzone charges us for it. */
export interface PremzonePlan {
  plan: string;
  price: Rupiah;
}

/** Options for {@link PremzoneProvider}. */
export interface PremzoneProviderOptions {
  baseUrl: string;
  apiKey: string;
  /** The reseller account's email; sent as `X-Api-Email` and used to read our balance. */
  email: string;
  /** The `X-Api-Secret` Premzone sends with webhooks; without it every webhook is refused. */
  webhookSecret?: string;
  plans: PremzonePlan[];
  logger?: Logger;
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  fetch?: typeof fetch;
}

// ---------------------------------------------------------------------------------------------
// Plans from config

const planNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, { message: "plan name must be letters, digits, '-' or '_'" });

const planPriceSchema = z
  .string()
  .trim()
  .regex(/^\d+$/, { message: "price must be a whole number of rupiah" })
  .transform(Number)
  .pipe(z.number().int().positive({ message: "price must be above 0" }).max(Number.MAX_SAFE_INTEGER));

const planEntrySchema = z
  .string()
  .transform((entry, ctx) => {
    const parts = entry.split(":");
    if (parts.length !== 2) {
      ctx.addIssue({ code: "custom", message: 'expected "plan:price", e.g. "gold:90000"' });
      return z.NEVER;
    }
    return parts;
  })
  .pipe(z.tuple([planNameSchema, planPriceSchema]))
  .transform(([plan, price]): PremzonePlan => ({ plan, price }));

const plansSchema = z
  .array(planEntrySchema)
  .min(1)
  .superRefine((plans, ctx) => {
    const seen = new Set<string>();
    plans.forEach(({ plan }, index) => {
      if (seen.has(plan)) ctx.addIssue({ code: "custom", path: [index], message: `plan "${plan}" is listed twice` });
      seen.add(plan);
    });
  });

/**
 * Parses the plan list from config, `basic:50000,gold:90000,diamond:150000`. Plan names are
 * lower-cased because that is how the buy endpoint spells them. Throws an Error naming the
 * first bad entry, so a typo in `.env` stops start-up with a line that says what to fix.
 */
export function parsePremzonePlans(text: string): PremzonePlan[] {
  const entries = text.split(",");
  const result = plansSchema.safeParse(entries);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const index = typeof issue?.path[0] === "number" ? issue.path[0] : undefined;
  const where = index === undefined ? "" : ` entry ${index + 1} ("${entries[index]?.trim() ?? ""}"):`;
  throw new Error(`Invalid Premzone plans${where} ${issue?.message ?? "unreadable"}`);
}

// ---------------------------------------------------------------------------------------------
// Response shapes

/** The envelope every answer shares; `status` is the API's own verdict (200 or 400). */
const envelopeSchema = z.object({ status: z.number().int(), message: z.string().optional() });

const accountSchema = z.object({
  email: z.string(),
  balance: z.number().int(),
});

const transactionStatuses = ["unpaid", "success", "expired", "failed", "processing", "refund"] as const;
type TransactionStatus = (typeof transactionStatuses)[number];

const transactionSchema = z.object({
  reference: z.string().min(1),
  status: z.enum(transactionStatuses),
  amount: z.number(),
  invoice_url: z.string().nullish(),
  /** `PLAN_<PLAN>` for a plan purchase (the document's example: "PLAN_BASIC"). */
  sku: z.string().nullish(),
  type: z.string().nullish(),
  via_api: z.boolean().nullish(),
});
type Transaction = z.infer<typeof transactionSchema>;

const webhookBodySchema = z.object({
  reference: z.string().min(1),
  status: z.enum(transactionStatuses),
});

/** An answer in which the API turned the request down; the caller decides what it means. */
interface Rejection {
  status: number;
  message: string;
}

type ApiResult<T> = { ok: true; data: T } | { ok: false; rejection: Rejection };

// The API words its refusals in English sentences; these are the ones an adapter acts on.
const notRegistered = /not registered/i;
const notOurs = /neither yours|not your downline/i;
const alreadyRegistered = /already registered/i;
const balanceProblem = /balance|saldo|insufficient/i;
const notFound = /not found/i;

/** Maps a refusal onto our codes. Used where the caller has no more specific reading. */
function errorFor({ status, message }: Rejection, retryAfterMs?: number): ProviderError {
  const details = { provider, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  return new ProviderError(codeFor(status, message), `${provider}: ${message} (status ${status})`, details);
}

/** Statuses that mean the same whatever the endpoint, so no caller needs to read the message. */
function isTransportStatus(status: number): boolean {
  return status === 401 || status === 403 || status === 404 || status === 429 || status >= 500;
}

function codeFor(status: number, message: string): ProviderErrorCode {
  if (status === 401 || status === 403) return "auth";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "upstream";
  if (notRegistered.test(message) || notFound.test(message)) return "not_found";
  if (balanceProblem.test(message)) return "insufficient_balance";
  return "invalid_input";
}

/** The API's message, shortened: it goes into errors and logs. */
function messageOf(response: HttpResponse): string {
  const parsed = envelopeSchema.safeParse(response.json);
  const message = parsed.success ? parsed.data.message : undefined;
  return (message ?? `HTTP ${response.status}`).slice(0, 200);
}

function retryAfterMs(response: HttpResponse): number | undefined {
  const seconds = Number(response.headers.get("retry-after") ?? Number.NaN);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/** "gold" → "Gold", for product names and the delivery line. */
function titleCase(text: string): string {
  return text.replace(/(^|[\s_-])(\p{L})/gu, (_, gap: string, letter: string) => gap + letter.toUpperCase());
}

/**
 * The name Premzone stores for a new downline (3–100 characters). We never ask the buyer for
 * a name, and the Gmail local part is the closest thing to one: `jane.doe+shop@gmail.com` →
 * "Jane Doe". Very short local parts are padded with a word so the API accepts them; the cut
 * at 100 only guards against an address longer than any valid Gmail one.
 */
function downlineName(email: string): string {
  const local = (email.split("@")[0] ?? "").split("+")[0] ?? "";
  const words = titleCase(local.replace(/[^\p{L}\p{N}]+/gu, " ").trim());
  const padded = words.length >= 3 ? words : `${words} Member`.trim();
  return padded.slice(0, 100).trim();
}

const inputsSchema = z.object({
  email: z.email(),
  coupon: z.string().trim().min(1).optional(),
});

/** Turns the API's transaction into our outcome. `email` is known only when we placed the order. */
function outcomeOf(transaction: Transaction, plan: string, email?: string): OrderOutcome {
  const providerRef = transaction.reference;
  const state = stateOf(transaction.status);
  if (state === "pending") return { state, providerRef };
  if (state === "failed") return { state, providerRef, reason: `${provider}: transaction ${transaction.status}` };
  return {
    state,
    providerRef,
    // The plan lands on the buyer's own account: nothing here is a credential.
    delivery: [
      ...(email ? [{ label: "email" as const, value: email }] : []),
      { label: "plan", value: titleCase(plan) },
      ...(transaction.invoice_url ? [{ label: "invoice" as const, value: transaction.invoice_url }] : []),
    ],
  };
}

function stateOf(status: TransactionStatus): Exclude<OrderOutcome["state"], "stuck"> {
  switch (status) {
    case "success":
      return "success";
    case "unpaid":
    case "processing":
      return "pending";
    case "failed":
    case "expired":
    case "refund":
      return "failed";
  }
}



// ---------------------------------------------------------------------------------------------

/** The Premzone adapter: plans bought with our balance for a buyer's Gmail account. */
export class PremzoneProvider implements Provider {
  readonly id = provider;
  private readonly http: HttpClient;

  constructor(private readonly options: PremzoneProviderOptions) {
    this.http = new HttpClient({
      provider,
      baseUrl: options.baseUrl,
      headers: { Authorization: `Bearer ${options.apiKey}`, "X-Api-Email": options.email },
      timeoutMs: options.timeoutMs,
      retryDelaysMs: options.retryDelaysMs,
      logger: options.logger,
      fetch: options.fetch,
    });
  }

  /** The configured plans; Premzone has no catalog endpoint, so this never calls the API. */
  async listProducts(): Promise<ProviderProduct[]> {
    return this.options.plans.map(({ plan, price }) => ({
      provider,
      sku: plan,
      code: `PZ-${plan.toUpperCase()}`,
      category: "plan",
      group: "Premzone",
      name: `Premzone ${titleCase(plan)}`,
      basePrice: price,
      stock: null,
      input: "gmail",
      delivery: "plan",
      meta: { plan },
    }));
  }

  /** Our reseller balance: the account info of our own email. */
  async getBalance(): Promise<ProviderBalance> {
    const result = await this.post("/api/accounts/info", { email: this.options.email }, accountSchema, true);
    if (!result.ok) throw errorFor(result.rejection);
    return { amount: result.data.balance, currency: "IDR", idr: result.data.balance };
  }

  /**
   * Makes sure the buyer's Gmail is our downline, then buys the plan with our balance.
   * The buy cannot be looked up by our reference, so an unclear answer to it is thrown as is
   * (the order waits for an admin) rather than bought again.
   */
  async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    const inputs = inputsSchema.safeParse(request.inputs);
    if (!inputs.success) throw new ProviderError("invalid_input", `${provider}: the order has no valid email`, { provider });
    const { email, coupon } = inputs.data;
    const plan = this.planOf(request.product);
    await this.beforePurchase(() => this.ensureDownline(email, request.orderId));
    // A buyer's own coupon (an input) wins over the admin's promo code for the product (`/promo`).
    return this.buy(email, plan, coupon ?? request.promoCode ?? null, request);
  }

  /** Current state of a transaction, by Premzone's reference. */
  async getStatus(ref: { providerRef: string; refId: string; product: ProviderProduct }): Promise<OrderOutcome> {
    const result = await this.post("/api/transactions/status", { reference: ref.providerRef }, transactionSchema, true);
    if (!result.ok) throw errorFor(result.rejection);
    return outcomeOf(result.data, this.planOf(ref.product));
  }

  /**
   * A buy whose answer was lost cannot be found by our reference (the API has none), but its
   * webhook names the transaction. Which lost purchase it is, is read from the transaction itself
   * (`POST /api/transactions/status`): a plan purchase (`debit`, `PLAN_<PLAN>`, made through the
   * API) of the plan exactly one lost order bought. Two lost orders of the same plan are not
   * told apart: null, and an admin decides.
   */
  async matchLostPurchase(providerRef: string, lost: readonly LostPurchase[]): Promise<string | null> {
    if (lost.length === 0) return null;
    const result = await this.post("/api/transactions/status", { reference: providerRef }, transactionSchema, true);
    if (!result.ok) return null;
    const transaction = result.data;
    if ((transaction.type ?? "debit") !== "debit" || transaction.via_api === false || !transaction.sku) return null;
    const sku = transaction.sku.toUpperCase();
    const fits = lost.filter((order) => sku === `PLAN_${this.planOf(order.product).toUpperCase()}`);
    if (fits.length !== 1) return null;
    this.options.logger?.info({ provider, orderId: fits[0]!.orderId, providerRef }, "premzone webhook matched a buy whose answer was lost");
    return fits[0]!.orderId;
  }

  /** Checks `X-Api-Secret` and reads a TRX_STATUS_UPDATE; the hint still has to be confirmed by getStatus. */
  parseWebhook(request: WebhookRequest): WebhookHint {
    requireWebhookSecret(request, "X-Api-Secret", this.options.webhookSecret, provider);
    const event = header(request.headers, "X-Webhook-Event");
    if (event !== "TRX_STATUS_UPDATE") {
      throw new ProviderError("malformed", `${provider}: unexpected webhook event`, { provider });
    }
    const body = webhookBodySchema.safeParse(safeJson(request.rawBody));
    if (!body.success) throw new ProviderError("malformed", `${provider}: webhook body of an unexpected shape`, { provider });
    return { providerRef: body.data.reference, status: body.data.status };
  }

  private planOf(product: ProviderProduct): string {
    return typeof product.meta?.plan === "string" ? product.meta.plan : product.sku;
  }

  /**
   * Registers the email as our downline unless it already is one. An email that belongs to
   * another reseller's tree is the buyer's mistake (or someone else's account), so it is
   * refused as invalid input and nothing is bought.
   */
  private async ensureDownline(email: string, orderId: string): Promise<void> {
    const info = await this.accountInfo(email);
    if (info !== "not_registered") return;
    const name = downlineName(email);
    const result = await this.post("/api/accounts/register", { email, name }, z.object({ email: z.string() }), true);
    if (result.ok) {
      this.options.logger?.info({ provider, orderId }, "registered the buyer's email as a downline");
      return;
    }
    // A retried register whose first try went through, or a race with another registration:
    // ask again whose account it is now instead of guessing.
    if (!alreadyRegistered.test(result.rejection.message)) throw errorFor(result.rejection);
    if ((await this.accountInfo(email)) !== "ours") throw errorFor(result.rejection);
  }

  /** Whose account an email is, as far as Premzone will tell us. */
  private async accountInfo(email: string): Promise<"ours" | "not_registered"> {
    const result = await this.post("/api/accounts/info", { email }, z.object({ email: z.string() }), true);
    if (result.ok) return "ours";
    const { message } = result.rejection;
    if (notOurs.test(message)) {
      throw new ProviderError("invalid_input", `${provider}: the email is registered to another account`, {
        provider,
        status: result.rejection.status,
      });
    }
    if (notRegistered.test(message)) return "not_registered";
    throw errorFor(result.rejection);
  }

  /**
   * Runs the steps before the purchase. Nothing has been bought yet, so an unclear answer
   * there (timeout, 5xx, garbage) is reported as `unavailable` — "nothing happened, try
   * later" — instead of an unknown outcome that would park the order for an admin.
   */
  private async beforePurchase(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.outcomeUnknown) throw error;
      throw new ProviderError("unavailable", `${error.message} (before the purchase)`, error.details);
    }
  }

  private async buy(email: string, plan: string, coupon: string | null, request: PlaceOrderRequest): Promise<OrderOutcome> {
    const body = { email, plan, channel_code: "BALANCE", coupon_code: coupon };
    const result = await this.post("/api/transactions/buy", body, transactionSchema, false);
    if (!result.ok) {
      // We registered or checked the account a moment ago; a "not registered" now is about the
      // buyer's email, not a missing order.
      if (notRegistered.test(result.rejection.message)) {
        throw new ProviderError("invalid_input", `${provider}: ${result.rejection.message}`, { provider, status: result.rejection.status });
      }
      throw errorFor(result.rejection);
    }
    if (result.data.amount !== request.product.basePrice) {
      // No catalog endpoint means the configured price can go stale; say so where admins look.
      this.options.logger?.warn(
        { provider, orderId: request.orderId, charged: result.data.amount, configured: request.product.basePrice },
        "premzone charged a different price than configured",
      );
    }
    const outcome = outcomeOf(result.data, plan, email);
    // What the buy says it took from our balance (a coupon applied) is the order's real cost.
    return outcome.state === "success" || outcome.state === "pending" ? { ...outcome, cost: Math.round(result.data.amount) } : outcome;
  }

  /**
   * POSTs to the API and reads the envelope. Transport-level failures (401/403, 404, 429, 5xx,
   * garbage) are thrown; a refusal by the API itself comes back as a {@link Rejection} so the
   * caller can read the message.
   */
  private async post<T>(path: string, json: unknown, dataSchema: z.ZodType<T>, safe: boolean): Promise<ApiResult<T>> {
    const response = await this.http.send({ method: "POST", path, json, safe });
    const { status } = response;
    if (isTransportStatus(status)) {
      throw errorFor({ status, message: messageOf(response) }, status === 429 ? retryAfterMs(response) : undefined);
    }
    const envelope = parseBody(provider, response, envelopeSchema);
    if (status >= 400 || envelope.status !== 200) {
      // Either status may carry the refusal; the HTTP one wins when it is an error.
      const rejection = { status: status >= 400 ? status : envelope.status, message: messageOf(response) };
      if (isTransportStatus(rejection.status)) throw errorFor(rejection);
      return { ok: false, rejection };
    }
    const data = parseBody(provider, response, z.object({ data: dataSchema }));
    return { ok: true, data: data.data };
  }
}

