/**
 * odzreshop (noetopup.com): game top-ups, pulsa and data packages, paid from our reseller
 * balance. Contract: /work/shared/providers/odzreshop.txt.
 *
 * Every call is a POST with `api_key` in the JSON body (the API offers nothing else), so the
 * reads are marked `safe` for the HTTP client to retry, while the order call never is. Access
 * also needs our server's IP on the dashboard whitelist; a 403 means that is missing.
 */
import { z } from "zod";
import type { InputKind, TargetInputs } from "../inputs.js";
import type { Logger } from "pino";
import { ProviderError, type ProviderErrorCode } from "../errors.js";
import { HttpClient, parseBody, type HttpResponse } from "../http.js";
import type {
  CategoryId,
  DeliveryItem,
  OrderOutcome,
  PlaceOrderRequest,
  Provider,
  ProviderBalance,
  ProviderProduct,
} from "../types.js";

/** The production API root, for configuration defaults. */
export const odzreshopDefaultBaseUrl = "https://noetopup.com/api/v1";

/**
 * Games whose player id only identifies an account together with a zone (server) id. A service
 * is one of these when its `brand` or the slug it was listed under matches. Add games here.
 */
export const odzreshopZoneGames: readonly { brand: string; slug: string }[] = [
  { brand: "MOBILELEGEND", slug: "mobile-legends" },
];

/** Adapter settings; the retry, timeout and fetch overrides exist for tests. */
export interface OdzreshopOptions {
  baseUrl: string;
  apiKey: string;
  /** Category slugs to list (`/services` needs one per call), e.g. `mobile-legends`. */
  slugs: string[];
  /** How a game id and zone id become one `target`; see {@link odzreshopTarget}. */
  zoneTarget?: string;
  logger?: Logger;
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  fetch?: typeof fetch;
}

const providerId = "odzreshop";

const serviceSchema = z.object({
  sku: z.string().min(1),
  name: z.string(),
  category: z.string(),
  brand: z.string(),
  price: z.number().int().nonnegative(),
  status: z.string(),
});
type Service = z.infer<typeof serviceSchema>;

const profileSchema = z.object({ balance: z.number().int() });

/** The `data` of both `/order` and `/status`: the fields we act on. */
const transactionSchema = z.object({
  invoice: z.string().min(1),
  status: z.string(),
  sn: z.string().nullish(),
  message: z.string().nullish(),
});
type Transaction = z.infer<typeof transactionSchema>;

/** Error bodies: `{ success: false, message }`. */
const refusalSchema = z.object({ success: z.literal(false), message: z.string() });
const errorMessageSchema = z.object({ message: z.string() });

// Statuses are compared lower-cased. Only these are final; anything else ("pending",
// "processing", …) stays pending, because calling an order failed too early would refund a
// purchase the provider may still deliver.
const successStatuses: ReadonlySet<string> = new Set(["success", "sukses"]);
const failedStatuses: ReadonlySet<string> = new Set(["failed", "gagal", "refund", "refunded"]);

// Pulsa and data packages are bought for a phone number. Services only say so through their
// category / brand / slug names, e.g. category "Pulsa Telkomsel" or slug "data-xl".
const phoneTopUpWords = /\b(pulsa|data|kuota|internet)\b/i;
const operatorBrands: ReadonlySet<string> = new Set(["TELKOMSEL", "INDOSAT", "XL", "AXIS", "TRI", "THREE", "SMARTFREN", "BYU", "BY.U"]);
// PLN tokens are bought for a meter number, which no InputKind accepts (the phone kind rejects
// anything not starting 08), so such services could never be ordered and are left out.
const electricityWords = /\b(pln|listrik)\b/i;

/** Status codes from the document's error table whose meaning does not depend on the message. */
const statusCodes: Readonly<Record<number, ProviderErrorCode>> = {
  400: "invalid_input",
  401: "auth",
  403: "forbidden_ip",
  404: "not_found",
  // We only ever POST, so a 405 means the request was rewritten on the way, in practice a
  // redirect from a wrong base URL (fetch follows 301/302 for a POST as a GET). Nothing was
  // bought and retrying cannot help: a configuration error, hence definitive invalid_input.
  405: "invalid_input",
  429: "rate_limited",
};

/** The table's messages, for a `success: false` body that comes with a 2xx status. Order matters. */
const messageCodes: readonly (readonly [RegExp, ProviderErrorCode])[] = [
  [/insufficient balance/i, "insufficient_balance"],
  [/vendor balance depleted/i, "unavailable"],
  [/api key/i, "auth"],
  [/ip whitelist|unknown ip/i, "forbidden_ip"],
  [/not found/i, "not_found"],
  [/too many requests/i, "rate_limited"],
  [/missing|required|method not supported/i, "invalid_input"],
];

/**
 * Maps an HTTP status and the body's message to our error code. Anything the document does not
 * list becomes `upstream`: for a purchase that means "outcome unknown", so the order waits for
 * a check instead of being refunded or repeated on a guess.
 */
export function odzreshopErrorCode(status: number, message: string): ProviderErrorCode {
  if (status === 400 && /insufficient balance/i.test(message)) return "insufficient_balance";
  if (status === 503 && /vendor balance depleted/i.test(message)) return "unavailable";
  if (status >= 200 && status < 300) return messageCodes.find(([pattern]) => pattern.test(message))?.[1] ?? "upstream";
  return statusCodes[status] ?? "upstream";
}

/**
 * How a zone game's target is written unless `ODZRESHOP_ZONE_TARGET` says otherwise. The
 * document says only `"target": "string"`, and its one example is a bare run of digits
 * (`"123456789"`); it never shows a zone. Appending the zone id keeps the target in that form (and
 * is how most Indonesian top-up APIs take Mobile Legends). Confirm with odzreshop and set the
 * variable (e.g. `{id}|{zone}` or `{id} ({zone})`) if they want it another way.
 */
export const odzreshopDefaultZoneTarget = "{id}{zone}";

/**
 * The `target` string for an order: a player id; a player id and zone id written by the
 * `zoneTarget` template (`{id}` and `{zone}`); or a phone number as `08…`.
 */
export function odzreshopTarget(input: InputKind, inputs: TargetInputs, zoneTarget = odzreshopDefaultZoneTarget): string {
  switch (input) {
    case "game_id_zone": {
      const id = required(inputs.userId, "userId");
      const zone = required(inputs.zoneId, "zoneId");
      return zoneTarget.replaceAll("{id}", id).replaceAll("{zone}", zone);
    }
    case "game_id":
      return required(inputs.userId, "userId");
    case "phone":
      return required(inputs.phone, "phone");
    default:
      throw new ProviderError("invalid_input", `${providerId}: products never ask for ${input}`, { provider: providerId });
  }
}

function required(value: string | undefined, field: string): string {
  if (value) return value;
  throw new ProviderError("invalid_input", `${providerId}: the target needs ${field}`, { provider: providerId });
}

/** Reseller adapter for odzreshop; see the module comment. */
export class OdzreshopProvider implements Provider {
  readonly id = providerId;
  private readonly http: HttpClient;

  constructor(private readonly options: OdzreshopOptions) {
    this.http = new HttpClient({
      provider: providerId,
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs,
      retryDelaysMs: options.retryDelaysMs,
      logger: options.logger,
      fetch: options.fetch,
    });
  }

  /**
   * Lists every configured slug in parallel. A slug the provider does not know (404) is skipped
   * with a warning so one stale slug in the configuration does not empty the shop; any other
   * failure fails the whole listing, because a partial catalog would look like products vanished.
   */
  async listProducts(): Promise<ProviderProduct[]> {
    const perSlug = await Promise.all(this.options.slugs.map((slug) => this.productsOf(slug)));
    const bySku = new Map<string, ProviderProduct>();
    for (const product of perSlug.flat()) {
      if (!bySku.has(product.sku)) bySku.set(product.sku, product);
    }
    return [...bySku.values()];
  }

  /** The reseller balance, in rupiah. */
  async getBalance(): Promise<ProviderBalance> {
    const profile = await this.call("/profile", {}, profileSchema, true);
    return { amount: profile.balance, currency: "IDR", idr: profile.balance };
  }

  /**
   * Buys from our balance. The API cannot look an order up by our `ref_id`, so an unclear
   * answer (timeout, 5xx, garbage) is thrown as it is and the order waits for an admin.
   */
  async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    if (request.payment !== "direct") {
      throw new ProviderError("invalid_input", `${providerId}: orders are paid from the reseller balance only`, {
        provider: providerId,
      });
    }
    const fields = {
      sku: request.product.sku,
      target: odzreshopTarget(request.product.input, request.inputs, this.options.zoneTarget),
      ref_id: request.refId,
    };
    return toOutcome(await this.call("/order", fields, transactionSchema, false));
  }

  /** Where an order stands, by the invoice the order call returned. */
  async getStatus({ providerRef }: { providerRef: string; refId: string; product: ProviderProduct }): Promise<OrderOutcome> {
    return toOutcome(await this.call("/status", { invoice: providerRef }, transactionSchema, true));
  }

  private async productsOf(slug: string): Promise<ProviderProduct[]> {
    let services: Service[];
    try {
      services = await this.call("/services", { slug }, z.array(serviceSchema), true);
    } catch (error) {
      if (!(error instanceof ProviderError) || error.code !== "not_found") throw error;
      this.options.logger?.warn({ provider: providerId, slug }, "odzreshop does not know this category slug; skipped");
      return [];
    }
    const sellable = services.filter((service) => !isElectricity(slug, service));
    if (sellable.length < services.length) {
      this.options.logger?.warn(
        { provider: providerId, slug, skipped: services.length - sellable.length },
        "odzreshop PLN services skipped: no input kind for a meter number",
      );
    }
    return sellable.map((service) => toProduct(slug, service));
  }

  /**
   * One POST with the key in the body. Non-2xx statuses and `success: false` bodies become the
   * mapped ProviderError; a 2xx body of another shape becomes `malformed`.
   */
  private async call<T>(path: string, fields: Record<string, string>, data: z.ZodType<T>, safe: boolean): Promise<T> {
    const response = await this.http.send({ method: "POST", path, json: { api_key: this.options.apiKey, ...fields }, safe });
    if (response.status < 200 || response.status >= 300) throw this.errorFor(response);
    if (refusalSchema.safeParse(response.json).success) throw this.errorFor(response);
    return parseBody(providerId, response, z.object({ success: z.literal(true), data })).data;
  }

  private errorFor(response: HttpResponse): ProviderError {
    const body = errorMessageSchema.safeParse(response.json);
    const message = body.success ? this.withoutKey(body.data.message) : "";
    const retryAfterHeader = response.headers.get("retry-after");
    const retryAfter = retryAfterHeader ? Number(retryAfterHeader) : Number.NaN;
    return new ProviderError(
      odzreshopErrorCode(response.status, message),
      `${providerId}: HTTP ${response.status}${message ? ` ${message}` : ""}`,
      {
        provider: providerId,
        status: response.status,
        ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
      },
    );
  }

  /** Provider messages go into errors and logs; an echoed key must not. Long pages are cut. */
  private withoutKey(message: string): string {
    const { apiKey } = this.options;
    return (apiKey ? message.split(apiKey).join("***") : message).slice(0, 200);
  }
}

function isElectricity(slug: string, service: Service): boolean {
  return [slug, service.category, service.brand].some((name) => electricityWords.test(name));
}

function isPhoneTopUp(slug: string, service: Service): boolean {
  return (
    operatorBrands.has(service.brand.toUpperCase()) ||
    [slug, service.category, service.brand].some((name) => phoneTopUpWords.test(name))
  );
}

function needsZone(slug: string, service: Service): boolean {
  const brand = service.brand.toUpperCase();
  return odzreshopZoneGames.some((game) => game.brand === brand || game.slug === slug);
}

/**
 * Normalises a service. Inactive services stay in the list with stock 0 rather than vanishing,
 * so the shop shows them as sold out and keeps their code stable until they come back.
 */
function toProduct(slug: string, service: Service): ProviderProduct {
  const phone = isPhoneTopUp(slug, service);
  const category: CategoryId = phone ? "data" : "game";
  const input: InputKind = phone ? "phone" : needsZone(slug, service) ? "game_id_zone" : "game_id";
  return {
    provider: providerId,
    sku: service.sku,
    code: service.sku.toUpperCase().replace(/[^A-Z0-9-]+/g, "-"),
    category,
    group: service.category,
    name: service.name,
    basePrice: service.price,
    stock: service.status.toLowerCase() === "active" ? null : 0,
    input,
    delivery: "serial",
  };
}

function toOutcome(transaction: Transaction): OrderOutcome {
  const status = transaction.status.toLowerCase();
  const providerRef = transaction.invoice;
  if (successStatuses.has(status)) return { state: "success", providerRef, delivery: deliveryOf(transaction) };
  if (failedStatuses.has(status)) return { state: "failed", providerRef, reason: transaction.message || status };
  return { state: "pending", providerRef };
}

/** The serial number (SN) is the proof of a top-up; a success without one delivers nothing more. */
function deliveryOf(transaction: Transaction): DeliveryItem[] {
  return transaction.sn ? [{ label: "serial", value: transaction.sn }] : [];
}
