/**
 * ICS-Store reseller API (XL / Axis data packages), see /work/shared/providers/icsstore.txt.
 *
 * One endpoint routed by `?action=`; the key travels in the `X-API-Key` header only. The API also
 * accepts `?apikey=`, but query strings end up in access logs and proxies, so we never use it.
 * Orders carry our own unique `refid`, which is also how they are looked up (`checkTransaction`),
 * so a purchase with an unknown outcome is resolved by lookup and never sent twice blindly.
 */
import { z } from "zod";
import type { Logger } from "pino";
import { ProviderError, isProviderError } from "../errors.js";
import { HttpClient, parseBody, type HttpResponse } from "../http.js";
import { requireWebhookPathSecret } from "../webhook-auth.js";
import type {
  DeliveryItem,
  OrderOutcome,
  PlaceOrderRequest,
  Provider,
  ProviderBalance,
  ProviderHistory,
  ProviderProduct,
  ProviderRecord,
  WebhookHint,
  WebhookRequest,
} from "../types.js";

/** Where the API lives unless configured otherwise. */
export const icsstoreDefaultBaseUrl = "https://reseller.ics-store.my.id";

/** The product types the API documents (`all` is left out: we ask per type to group the catalog). */
export const icsstoreDefaultTypes: readonly string[] = ["xla", "bpa", "fmax", "xda"];

/** Options for {@link IcsstoreProvider}. `timeoutMs`, `retryDelaysMs` and `fetch` go to the HttpClient. */
export interface IcsstoreOptions {
  baseUrl: string;
  apiKey: string;
  /** Product types to list; defaults to {@link icsstoreDefaultTypes}. */
  types?: string[];
  logger?: Logger;
  timeoutMs?: number;
  retryDelaysMs?: readonly number[];
  fetch?: typeof fetch;
  /**
   * The secret path segment of our webhook URL, `/webhooks/icsstore/<secret>`. ICS-Store documents
   * no webhook authentication (no header, no signature), so the only secret it can send is the
   * URL it is given; without one configured every webhook is refused.
   */
  webhookSecret?: string;
}

const providerId = "icsstore";
const maxGroupLength = 40;
const maxReasonLength = 200;

// PHP backends are loose about number types, so amounts may arrive as numeric strings.
const rupiahSchema = z
  .union([z.number(), z.string().trim().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().nonnegative());

const productSchema = z.object({
  kode_produk: z.string().min(1),
  nama_produk: z.string().min(1),
  deskripsi: z.string().nullish(),
  harga_final: rupiahSchema,
  stok: rupiahSchema.nullish(),
});
type IcsProduct = z.infer<typeof productSchema>;

const listProductsSchema = z.object({
  success: z.literal(true),
  title: z.string().nullish(),
  data: z.object({
    ready: z.array(productSchema).default([]),
    empty: z.array(productSchema).default([]),
  }),
});

const balanceSchema = z.object({
  success: z.literal(true),
  data: z.object({ saldo: rupiahSchema }),
});

/** Any answer carrying `error` is a refusal, whatever its HTTP status (the doc: "periksa field error"). */
const errorBodySchema = z.object({
  error: z.string().min(1),
  saldo_awal: rupiahSchema.nullish(),
  saldo_akhir: rupiahSchema.nullish(),
});
type ErrorBody = z.infer<typeof errorBodySchema>;

const createAcceptedSchema = z.object({
  success: z.literal(true),
  pending: z.boolean().nullish(),
  message: z.string().nullish(),
});

const createResponseSchema = z.union([createAcceptedSchema, errorBodySchema]);

const statusSchema = z.object({
  success: z.literal(true),
  status: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .pipe(z.enum(["success", "pending", "failed", "unpaid"])),
  message: z.string().nullish(),
  note: z.string().nullish(),
});
type IcsStatus = z.infer<typeof statusSchema>;

/** getHistory's `status`: the four checkTransaction names (Indonesian spellings too); anything else counts as under way. */
const historyStatusSchema = z.string().transform((value): ProviderRecord["status"] => {
  const status = value.trim().toLowerCase();
  if (status === "success" || status === "sukses") return "success";
  if (status === "failed" || status === "gagal") return "failed";
  if (status === "unpaid") return "unpaid";
  return "pending";
});

const historyRowSchema = z
  .object({
    status: historyStatusSchema,
    harga: rupiahSchema.nullish(),
    refid: z.string().trim().min(1).nullish(),
    supplier_trxid: z.union([z.string(), z.number()]).nullish(),
    time: z.string().nullish(),
  })
  .refine((row) => Boolean(row.refid) || row.supplier_trxid != null, { message: "a history row names no transaction" });

const historySchema = z.object({ success: z.literal(true), data: z.array(historyRowSchema) });

/** getHistory page size asked for (the document gives no maximum; a smaller page is handled). */
const historyPageSize = 50;
/** At most this many getHistory pages per reconciliation, so a long history cannot run on. */
const historyMaxPages = 40;
/**
 * The document gives `time` ("2025-12-05 12:00:00") without a zone; read as WIB, an Indonesian
 * API's local time. A page is only taken as wholly before the window when it is this far before
 * it, in case the zone is another one.
 */
const wibOffsetMs = 7 * 3_600_000;
const zoneMarginMs = 14 * 3_600_000;

const webhookSchema = z.object({
  refid: z.string().trim().min(1),
  status: z.string().optional(),
});

// "Saldo tidak cukup", "saldo tidak mencukupi", "insufficient balance"… but not "saldo dikembalikan".
const balanceShortage =
  /(saldo|balance)[^.]*(cukup|kurang|insufficient|not enough|habis)|(cukup|kurang|insufficient|not enough)[^.]*(saldo|balance)/i;
const notFound = /tidak ditemukan|not found/i;
// A refusal that names our refid (e.g. "refid sudah digunakan") may mean the order already exists.
const mentionsRefid = /\bref_?id\b/i;

/** Adapter for the ICS-Store reseller API. */
export class IcsstoreProvider implements Provider {
  readonly id = providerId;
  /** ICS-Store sends nothing secret of its own: the secret is the last segment of the URL we give it. */
  readonly webhookSecretIn = "path";
  private readonly http: HttpClient;
  private readonly types: readonly string[];
  private readonly logger: Logger | undefined;
  private readonly apiKey: string;
  private readonly webhookSecret: string | undefined;

  constructor(options: IcsstoreOptions) {
    this.apiKey = options.apiKey;
    this.types = options.types ?? icsstoreDefaultTypes;
    this.logger = options.logger;
    this.webhookSecret = options.webhookSecret;
    this.http = new HttpClient({
      provider: providerId,
      baseUrl: options.baseUrl,
      headers: { "X-API-Key": options.apiKey },
      timeoutMs: options.timeoutMs,
      retryDelaysMs: options.retryDelaysMs,
      logger: options.logger,
      fetch: options.fetch,
    });
  }

  /**
   * Lists every configured type in parallel. One failing type fails the whole call: a partial
   * catalog would silently hide products, while a thrown error lets the caller keep its last good copy.
   */
  async listProducts(): Promise<ProviderProduct[]> {
    const perType = await Promise.all(this.types.map((type) => this.listType(type)));
    const bySku = new Map<string, ProviderProduct>();
    for (const product of perType.flat()) if (!bySku.has(product.sku)) bySku.set(product.sku, product);
    return [...bySku.values()];
  }

  /** The reseller balance (`data.saldo`, rupiah). */
  async getBalance(): Promise<ProviderBalance> {
    const body = await this.read({ action: "getBalance" }, balanceSchema);
    return { amount: body.data.saldo, currency: "IDR", idr: body.data.saldo };
  }

  /**
   * Buys once with our refId as `refid`. The document asks for a unique refid but never says a
   * repeated one is refused, so a repeat may buy again: the refid is looked up before every
   * purchase (an existing order is answered, not bought twice). An unclear answer is thrown
   * (outcome unknown); fulfilment then looks the refid up ({@link findOrder}) before any new one.
   */
  async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    const phone = request.inputs.phone;
    if (!phone) throw new ProviderError("invalid_input", `${providerId}: order ${request.orderId} has no phone number`, { provider: providerId });
    const existing = await this.lookBeforeBuying(request.refId);
    if (existing) return existing;
    return this.createTransaction(request, phone);
  }

  /** Current state of an order by our refId (which is also its providerRef here). */
  async getStatus(ref: { refId: string }): Promise<OrderOutcome> {
    const body = await this.read({ action: "checkTransaction", refid: ref.refId }, statusSchema);
    return statusOutcome(ref.refId, body);
  }

  /**
   * The order already made under `refId`, or null when there is none (or ICS-Store cannot say
   * now). A look that cannot answer does not hold the purchase back: the shop only places an
   * order again after a lookup said "none", so the refid was free a moment ago; this look is for
   * a caller that repeats a purchase without one. A refusal of our key or account still stops it.
   */
  private async lookBeforeBuying(refId: string): Promise<OrderOutcome | null> {
    try {
      return await this.findOrder(refId);
    } catch (error) {
      if (!isProviderError(error) || !error.outcomeUnknown) throw error;
      this.logger?.warn({ provider: providerId, refId, code: error.code }, "could not check the refid before buying; buying");
      return null;
    }
  }

  /** Looks an order up by our refId; null when ICS-Store has no such refid (404 / "tidak ditemukan"). */
  async findOrder(refId: string): Promise<OrderOutcome | null> {
    try {
      return await this.getStatus({ refId });
    } catch (error) {
      if (isProviderError(error) && error.code === "not_found") return null;
      throw error;
    }
  }

  /**
   * The reseller's transactions from getHistory, newest pages first as far as `range.from`. The
   * document says nothing of the order, the largest page or what a page past the end holds: the
   * read stops at an empty page, at a page that only repeats what was read, or, when the pages
   * run newest first, at one wholly before the window (with a margin for the unstated time
   * zone); at most {@link historyMaxPages} pages, else `complete` is false.
   */
  async history(range: { from: number; to: number }): Promise<ProviderHistory> {
    const records: ProviderRecord[] = [];
    const seen = new Set<string>();
    let previousLast: number | null = null;
    for (let page = 1; page <= historyMaxPages; page++) {
      const body = await this.read({ action: "getHistory", page: String(page), limit: String(historyPageSize) }, historySchema);
      const fresh = body.data.filter((row) => {
        const key = `${row.refid ?? ""}|${row.supplier_trxid ?? ""}|${row.time ?? ""}|${row.status}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      if (fresh.length === 0) return { records, complete: true };
      const rows = fresh.map(historyRecord);
      records.push(...rows);
      const times = rows.map((row) => row.at);
      const newestFirst = times.every((at, i) => at !== null && (i === 0 ? previousLast === null || at <= previousLast : at <= times[i - 1]!));
      const last = times[times.length - 1] ?? null;
      if (newestFirst && last !== null && last < range.from - zoneMarginMs) return { records, complete: true };
      previousLast = newestFirst ? last : null;
    }
    return { records, complete: false };
  }

  /**
   * Reads a webhook as a hint. The document gives no webhook format or authentication, so the
   * request must come to the URL holding our secret (`/webhooks/icsstore/<secret>`, compared in
   * constant time), and the bot confirms every hint with `checkTransaction` before acting on it.
   */
  parseWebhook(request: WebhookRequest): WebhookHint {
    requireWebhookPathSecret(request, this.webhookSecret, providerId);
    let json: unknown;
    try {
      json = JSON.parse(request.rawBody);
    } catch {
      throw new ProviderError("malformed", `${providerId}: webhook body is not JSON`, { provider: providerId });
    }
    const result = webhookSchema.safeParse(json);
    if (!result.success) throw new ProviderError("malformed", `${providerId}: webhook body has no refid`, { provider: providerId });
    return { refId: result.data.refid, providerRef: result.data.refid, status: result.data.status };
  }

  private async listType(type: string): Promise<ProviderProduct[]> {
    const body = await this.read({ action: "listProducts", type }, listProductsSchema);
    const group = groupName(type, body.title);
    return [
      ...body.data.ready.map((item) => toProduct(item, group, item.stok ?? null)),
      ...body.data.empty.map((item) => toProduct(item, group, 0)),
    ];
  }

  /** Sends one purchase. Throws an outcome-unknown ProviderError when the answer does not settle it. */
  private async createTransaction(request: PlaceOrderRequest, phone: string): Promise<OrderOutcome> {
    const response = await this.http.send({
      method: "POST",
      path: "/",
      query: { action: "createTransaction" },
      json: { kode_produk: request.product.sku, nomor_tujuan: phone, refid: request.refId },
    });
    const statusError = this.statusError(response);
    if (statusError) throw statusError;
    const body = parseBody(providerId, response, createResponseSchema);
    if ("error" in body) return this.rejected(request, body);
    if (body.pending) return { state: "pending", providerRef: request.refId };
    return this.settledNow(request.refId, body.message ?? "");
  }

  /**
   * A refusal is only a failed order when it proves nothing happened. A balance shortage is a
   * typed error (an admin must top up); a refusal that moved the balance or names our refid
   * (a duplicate) is outcome-unknown, so fulfilment looks the order up.
   */
  private rejected(request: PlaceOrderRequest, body: ErrorBody): OrderOutcome {
    const reason = this.clean(body.error);
    if (balanceShortage.test(body.error)) {
      throw new ProviderError("insufficient_balance", `${providerId}: ${reason}`, { provider: providerId });
    }
    const debited = body.saldo_awal != null && body.saldo_akhir != null && body.saldo_akhir < body.saldo_awal;
    if (debited || mentionsRefid.test(body.error)) {
      throw new ProviderError("upstream", `${providerId}: refusal that may not be final (${reason})`, { provider: providerId });
    }
    this.logger?.info({ provider: providerId, orderId: request.orderId, reason }, "order refused by provider");
    return { state: "failed", providerRef: request.refId, reason };
  }

  /**
   * `createTransaction` has no SN field; the SN appears in `checkTransaction`'s note. So an
   * instant success is read back once for its SN. The read-back is the order's state: one that
   * says failed is a failure (the supplier's final word), pending is followed. Only when it cannot
   * be read does the create answer stand, with its message.
   */
  private async settledNow(refId: string, message: string): Promise<OrderOutcome> {
    try {
      const current = await this.getStatus({ refId });
      if (current.state !== "success") {
        this.logger?.warn({ provider: providerId, refId, state: current.state }, "an instant success read back as not successful");
      }
      return current;
    } catch (error) {
      if (!isProviderError(error)) throw error;
      this.logger?.warn({ provider: providerId, refId, code: error.code }, "could not read back an instant success");
    }
    return { state: "success", providerRef: refId, delivery: deliveryOf(null, message) };
  }

  private async read<T>(query: Record<string, string>, schema: z.ZodType<T>): Promise<T> {
    const response = await this.http.send({ method: "GET", path: "/", query });
    const statusError = this.statusError(response);
    if (statusError) throw statusError;
    const refusal = errorBodySchema.safeParse(response.json);
    if (refusal.success) throw this.refusalError(refusal.data.error, response.status);
    return parseBody(providerId, response, schema);
  }

  /** The documented HTTP statuses, which win over any body. Null for 2xx and plain 4xx refusals. */
  private statusError(response: HttpResponse): ProviderError | null {
    const details = { provider: providerId, status: response.status };
    const said = errorBodySchema.safeParse(response.json);
    const text = said.success ? `: ${this.clean(said.data.error)}` : "";
    switch (response.status) {
      case 401:
        return new ProviderError("auth", `${providerId}: API key missing or wrong (HTTP 401)${text}`, details);
      // 403 means the key or account is not active (doc: "403 jika tidak aktif"), not an IP
      // allow-list, so `forbidden_ip` would send the admin to fix the wrong thing.
      case 403:
        return new ProviderError("auth", `${providerId}: API key not active (HTTP 403)${text}`, details);
      case 404:
        return new ProviderError("not_found", `${providerId}: not found (HTTP 404)${text}`, details);
      case 429:
        return new ProviderError("rate_limited", `${providerId}: rate limited (HTTP 429)`, {
          ...details,
          retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
        });
    }
    if (response.status >= 500) {
      return new ProviderError("upstream", `${providerId}: HTTP ${response.status}${text}`, details);
    }
    if (response.status >= 400 && !said.success) {
      return new ProviderError("invalid_input", `${providerId}: HTTP ${response.status} without a reason`, details);
    }
    return null;
  }

  /** Maps an `error` field (on 200/400) to a code: balance and not-found are told apart, the rest is invalid input. */
  private refusalError(message: string, status: number): ProviderError {
    const details = { provider: providerId, status };
    const reason = `${providerId}: ${this.clean(message)}`;
    if (balanceShortage.test(message)) return new ProviderError("insufficient_balance", reason, details);
    if (notFound.test(message)) return new ProviderError("not_found", reason, details);
    return new ProviderError("invalid_input", reason, details);
  }

  /** Provider text for messages: bounded, and never echoing our key should the API quote it. */
  private clean(text: string): string {
    const masked = this.apiKey ? text.split(this.apiKey).join("***") : text;
    return masked.trim().slice(0, maxReasonLength);
  }
}

function toProduct(item: IcsProduct, group: string, stock: number | null): ProviderProduct {
  return {
    provider: providerId,
    sku: item.kode_produk,
    code: item.kode_produk.replace(/[^A-Za-z0-9-]+/g, "-"),
    category: "data",
    group,
    name: item.nama_produk,
    description: item.deskripsi?.trim() || undefined,
    basePrice: item.harga_final,
    stock,
    input: "phone",
    delivery: "serial",
  };
}

/**
 * "XLA — Bulanan" from type `xla` and title "Daftar Produk Bulanan": the type code keeps groups
 * of different types apart even when titles repeat, and the generic "Daftar Produk" ("product
 * list") prefix says nothing to a buyer.
 */
function groupName(type: string, title: string | null | undefined): string {
  const label = type.toUpperCase();
  const topic = (title ?? "").replace(/^\s*daftar\s+produk\b/i, "").trim();
  return (topic ? `${label} — ${topic}` : label).slice(0, maxGroupLength);
}

function statusOutcome(refId: string, body: IcsStatus): OrderOutcome {
  switch (body.status) {
    case "success":
      return { state: "success", providerRef: refId, delivery: deliveryOf(body.note, body.message) };
    // `unpaid` is a state the reseller account moves past on its own; the order is not final yet.
    case "pending":
    case "unpaid":
      return { state: "pending", providerRef: refId };
    case "failed":
      return { state: "failed", providerRef: refId, reason: body.message || body.note || "failed" };
  }
}

/** The supplier's note usually carries the SN; without one the buyer gets the status message. */
function deliveryOf(note: string | null | undefined, message: string | null | undefined): DeliveryItem[] {
  const sn = note?.trim();
  if (sn) return [{ label: "serial", value: sn }];
  return [{ label: "note", value: message?.trim() || "Sukses" }];
}

function historyRecord(row: z.infer<typeof historyRowSchema>): ProviderRecord {
  const providerRef = row.refid ?? String(row.supplier_trxid);
  return {
    providerRef,
    ...(row.refid ? { refId: row.refid } : {}),
    status: row.status,
    charged: row.harga ?? null,
    at: row.time ? wibTime(row.time) : null,
  };
}

/** "2025-12-05 12:00:00" as WIB (see {@link wibOffsetMs}); a time with its own zone is read as such. */
function wibTime(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (match) {
    const [y, mo, d, h, mi, sec] = match.slice(1).map((part) => Number(part ?? 0));
    return Date.UTC(y!, mo! - 1, d!, h!, mi!, sec!) - wibOffsetMs;
  }
  const parsed = Date.parse(text);
  return Number.isFinite(parsed) ? parsed : null;
}

function retryAfterMs(header: string | null): number | undefined {
  const seconds = header ? Number(header) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
