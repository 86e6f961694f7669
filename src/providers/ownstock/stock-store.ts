/**
 * The shop's own stock in Redis: owner products, and their items (accounts, vouchers, codes)
 * sealed with a key derived from `DATA_ENCRYPTION_KEY`. Every move of an item is one Lua script,
 * so no item is ever sold twice or lost, whatever races or crashes:
 *
 *   upload → available ─reserve(order)→ reserved-for-order ─take(order)→ sold
 *                 ↖──────release(order)────────┘
 *
 * `reserve` moves all `qty` items or none (sold out); `take` is idempotent (the same order gets
 * the same items back, never new ones); `release` returns a hold not yet taken. Each hold has a
 * deadline in a sorted set, so a sweep can release the holds of orders that expired or died.
 * Duplicates are found by an HMAC of the item (a key derived from the same secret), so the
 * clear text is never stored. A sold item's HMAC stays (as `sold:<id>`) for good, so a list
 * uploaded again with items already sold never puts them back on sale: never delivered twice.
 *
 * @example
 * const store = new StockStore(redis, parseEncryptionKey(env.DATA_ENCRYPTION_KEY));
 * await store.addItems("NETFLIX1", ["a@b.c:pw1", "d@e.f:pw2"]); // { added: 2, duplicates: 0, available: 2 }
 * await store.reserve("ORD-…", "NETFLIX1", 1, Date.now() + 15 * 60_000); // { ok: true, available: 1 }
 * await store.take("ORD-…", "NETFLIX1"); // ["a@b.c:pw1"]
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { z } from "zod";
import { categoryIds, type CategoryId } from "../types.js";
import { keys } from "../../store/keys.js";
import { defineScript, type Redis } from "../../store/redis.js";

/** Most items one upload may carry. */
export const maxItemsPerUpload = 5_000;
/** Longest item (one line), in characters. */
export const maxItemLength = 1_000;
/** Most units one order may buy. */
export const maxOrderQuantity = 10;

/** The heading owner products land under until moved (`/stock category`). */
export const defaultStockGroup = "Produk toko";

const productSchema = z.object({
  code: z.string(),
  name: z.string(),
  price: z.number().int().min(0),
  cost: z.number().int().min(0).default(0),
  category: z.enum(categoryIds).default("shop"),
  group: z.string().default(defaultStockGroup),
  description: z.string().optional(),
  warrantyDays: z.number().int().min(0).default(0),
  alert: z.number().int().min(0).default(0),
  off: z.boolean().default(false),
  createdAt: z.number(),
});
/** An owner product as stored. */
export type StockProduct = z.infer<typeof productSchema>;

/** An owner product with its counts. */
export interface StockProductView extends StockProduct {
  available: number;
  reserved: number;
  sold: number;
}

/** What an upload did. */
export interface AddResult {
  added: number;
  /** Duplicates within the upload or of unsold stock, not added. */
  duplicates: number;
  /** Items sold before (to an order or as a replacement), not added: they would be delivered twice. */
  sold: number;
  /** Lines over {@link maxItemLength}, not added. */
  tooLong: number;
  /** Available before and after. */
  before: number;
  available: number;
}

/** A recipient waiting for a product to come back (stored as JSON; read back with zod). */
export const waiterSchema = z.object({ channel: z.string(), chatId: z.string(), locale: z.string() });
export type Waiter = z.infer<typeof waiterSchema>;

// Scripts return only tables written as constructors (`{a, b}`), or text: the in-memory Redis of
// the demo (ioredis-mock's Lua) cannot hand back a table filled by assignment.
// KEYS: avail, items, itemHashes, dedup, seq. ARGV: hash1, sealed1, hash2, sealed2, …
// The dedup hash maps an item's HMAC to its id while unsold, to 'sold:<id>' once sold.
const addScript = `
local added, dup, sold = 0, 0, 0
local before = redis.call('LLEN', KEYS[1])
for i = 1, #ARGV, 2 do
  local h = ARGV[i]
  local known = redis.call('HGET', KEYS[4], h)
  if known and string.sub(known, 1, 5) == 'sold:' then sold = sold + 1
  elseif known then dup = dup + 1 else
    local id = tostring(redis.call('INCR', KEYS[5]))
    redis.call('HSET', KEYS[2], id, ARGV[i + 1])
    redis.call('HSET', KEYS[3], id, h)
    redis.call('HSET', KEYS[4], h, id)
    redis.call('LPUSH', KEYS[1], id)
    added = added + 1
  end
end
return {added, dup, sold, before, redis.call('LLEN', KEYS[1])}
`;

// KEYS: avail, reservation, deadlines, counts. ARGV: orderId, code, qty, until.
// All or none; a second call for the same order changes nothing. Returns {ok, available after}.
const reserveScript = `
if redis.call('EXISTS', KEYS[2]) == 1 then return {1, redis.call('LLEN', KEYS[1])} end
local qty = tonumber(ARGV[3])
local n = redis.call('LLEN', KEYS[1])
if n < qty then return {0, n} end
local ids = {}
for i = 1, qty do ids[i] = redis.call('RPOP', KEYS[1]) end
redis.call('HSET', KEYS[2], 'code', ARGV[2], 'ids', table.concat(ids, ','), 'state', 'reserved', 'qty', qty)
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('HINCRBY', KEYS[4], 'reserved', qty)
return {1, n - qty}
`;

// A hold's item ids are one comma-separated field; both scripts that read it back split it alike.
const splitLua = `
local function split(text)
  local out, n, start = {}, 0, 1
  while true do
    local i = string.find(text, ',', start, true)
    n = n + 1
    if not i then out[n] = string.sub(text, start) return out end
    out[n] = string.sub(text, start, i - 1)
    start = i + 1
  end
end
`;

// KEYS: reservation, deadlines, counts, items, itemHashes, dedup. ARGV: orderId, code.
// Marks the hold sold (once), its items' dedup hashes too (kept, so they are never uploaded again),
// and returns its sealed items (base64, so commas separate them):
// 'none' | 'ok,<sealed>,<sealed>…'.
const takeScript = `
${splitLua}local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'none' end
if redis.call('HGET', KEYS[1], 'code') ~= ARGV[2] then return 'none' end
local ids = split(redis.call('HGET', KEYS[1], 'ids'))
if state == 'reserved' then
  redis.call('HSET', KEYS[1], 'state', 'taken')
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HINCRBY', KEYS[3], 'reserved', -#ids)
  redis.call('HINCRBY', KEYS[3], 'sold', #ids)
  for i = 1, #ids do
    local h = redis.call('HGET', KEYS[5], ids[i])
    if h then redis.call('HSET', KEYS[6], h, 'sold:' .. ids[i]) end
  end
end
local sealed = {}
for i = 1, #ids do sealed[i] = redis.call('HGET', KEYS[4], ids[i]) or '' end
return 'ok,' .. table.concat(sealed, ',')
`;

// KEYS: reservation, deadlines, counts, avail. ARGV: orderId, code. Returns the items given back.
const releaseScript = `
${splitLua}redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], 'state') ~= 'reserved' then return 0 end
if redis.call('HGET', KEYS[1], 'code') ~= ARGV[2] then return 0 end
local ids = split(redis.call('HGET', KEYS[1], 'ids'))
for i = #ids, 1, -1 do redis.call('RPUSH', KEYS[4], ids[i]) end
redis.call('HINCRBY', KEYS[3], 'reserved', -#ids)
redis.call('DEL', KEYS[1])
return #ids
`;

// KEYS: avail, items, itemHashes, dedup. ARGV: n (-1 = all). Removes the newest n. Returns {removed, left}.
const removeScript = `
local n = tonumber(ARGV[1])
local len = redis.call('LLEN', KEYS[1])
if n < 0 or n > len then n = len end
for i = 1, n do
  local id = redis.call('LPOP', KEYS[1])
  local h = redis.call('HGET', KEYS[3], id)
  if h then redis.call('HDEL', KEYS[4], h) end
  redis.call('HDEL', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end
return {n, redis.call('LLEN', KEYS[1])}
`;

type AddCommand = (avail: string, items: string, hashes: string, dedup: string, seq: string, ...pairs: string[]) => Promise<[number, number, number, number, number]>;
type ReserveCommand = (avail: string, res: string, deadlines: string, counts: string, orderId: string, code: string, qty: number, until: number) => Promise<[number, number]>;
type TakeCommand = (res: string, deadlines: string, counts: string, items: string, hashes: string, dedup: string, orderId: string, code: string) => Promise<string>;
type ReleaseCommand = (res: string, deadlines: string, counts: string, avail: string, orderId: string, code: string) => Promise<number>;
type RemoveCommand = (avail: string, items: string, hashes: string, dedup: string, n: number) => Promise<[number, number]>;

/** Thrown when items would be stored without `DATA_ENCRYPTION_KEY`: they are never kept in clear. */
export class StockKeyMissingError extends Error {
  override readonly name = "StockKeyMissingError";
  constructor() {
    super("DATA_ENCRYPTION_KEY is not set: stock items are never stored in clear");
  }
}

/** A hold as stored: which product, how many, and whether it is sold. */
export interface Reservation {
  code: string;
  qty: number;
  state: "reserved" | "taken";
}

export class StockStore {
  private readonly sealKey: Buffer | null;
  private readonly hashKey: Buffer | null;
  private readonly addCmd: AddCommand;
  private readonly reserveCmd: ReserveCommand;
  private readonly takeCmd: TakeCommand;
  private readonly releaseCmd: ReleaseCommand;
  private readonly removeCmd: RemoveCommand;

  /** @param key the 32-byte `DATA_ENCRYPTION_KEY`, or null (then uploads are refused). */
  constructor(
    private readonly redis: Redis,
    key: Buffer | null,
  ) {
    // Separate keys for sealing and for dedup hashes, both derived from the one secret.
    this.sealKey = key ? createHmac("sha256", key).update("warung-stock-seal").digest() : null;
    this.hashKey = key ? createHmac("sha256", key).update("warung-stock-dedup").digest() : null;
    this.addCmd = defineScript<AddCommand>(redis, "stockAdd", 5, addScript);
    this.reserveCmd = defineScript<ReserveCommand>(redis, "stockReserve", 4, reserveScript);
    this.takeCmd = defineScript<TakeCommand>(redis, "stockTake", 6, takeScript);
    this.releaseCmd = defineScript<ReleaseCommand>(redis, "stockRelease", 4, releaseScript);
    this.removeCmd = defineScript<RemoveCommand>(redis, "stockRemove", 4, removeScript);
  }

  /** True when items can be stored (a key is set). */
  get canStore(): boolean {
    return this.sealKey !== null;
  }

  // ── products ───────────────────────────────────────────────────────────────────────────

  /** Creates a product; false when the code is taken. */
  async createProduct(product: Pick<StockProduct, "code" | "name" | "price">, now = Date.now()): Promise<boolean> {
    const record = productSchema.parse({ ...product, createdAt: now });
    return (await this.redis.hsetnx(keys.stockProducts(), product.code, JSON.stringify(record))) === 1;
  }

  async product(code: string): Promise<StockProduct | null> {
    const raw = await this.redis.hget(keys.stockProducts(), code);
    return raw ? parseProduct(raw) : null;
  }

  /** Changes a product's fields; null when there is no such product. */
  async updateProduct(code: string, patch: Partial<Omit<StockProduct, "code" | "createdAt">>): Promise<StockProduct | null> {
    const current = await this.product(code);
    if (!current) return null;
    const next = productSchema.parse({ ...current, ...patch });
    await this.redis.hset(keys.stockProducts(), code, JSON.stringify(next));
    return next;
  }

  /** Every product with its counts, by code. */
  async products(): Promise<StockProductView[]> {
    const all = await this.redis.hgetall(keys.stockProducts());
    const products = Object.values(all)
      .map(parseProduct)
      .filter((product): product is StockProduct => product !== null)
      .sort((a, b) => a.code.localeCompare(b.code));
    if (products.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const product of products) {
      pipeline.llen(keys.stockAvailable(product.code));
      pipeline.hmget(keys.stockCounts(product.code), "reserved", "sold");
    }
    const results = (await pipeline.exec()) ?? [];
    return products.map((product, i) => {
      const available = Number(results[i * 2]?.[1] ?? 0);
      const [reserved, sold] = (results[i * 2 + 1]?.[1] as (string | null)[] | undefined) ?? [];
      return { ...product, available, reserved: Number(reserved ?? 0), sold: Number(sold ?? 0) };
    });
  }

  async available(code: string): Promise<number> {
    return this.redis.llen(keys.stockAvailable(code));
  }

  // ── items ──────────────────────────────────────────────────────────────────────────────

  /**
   * Seals and adds items (blank ones are skipped by the caller's parse); duplicates, within the
   * list or of unsold stock, and items sold before are counted and not added. Throws {@link StockKeyMissingError}
   * without a key.
   */
  async addItems(code: string, items: readonly string[]): Promise<AddResult> {
    if (!this.sealKey || !this.hashKey) throw new StockKeyMissingError();
    const pairs: string[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    let tooLong = 0;
    for (const item of items) {
      if (item.length > maxItemLength) {
        tooLong++;
        continue;
      }
      const hash = this.hash(item);
      if (seen.has(hash)) {
        duplicates++;
        continue;
      }
      seen.add(hash);
      pairs.push(hash, this.seal(item));
    }
    if (pairs.length === 0) {
      const available = await this.available(code);
      return { added: 0, duplicates, sold: 0, tooLong, before: available, available };
    }
    const [added, dup, sold, before, available] = await this.addCmd(
      keys.stockAvailable(code),
      keys.stockItems(code),
      keys.stockItemHashes(code),
      keys.stockDedup(code),
      keys.stockSeq(),
      ...pairs,
    );
    return { added: Number(added), duplicates: duplicates + Number(dup), sold: Number(sold), tooLong, before: Number(before), available: Number(available) };
  }

  /** Removes the newest `count` available items (`"all"`: every one). */
  async removeItems(code: string, count: number | "all"): Promise<{ removed: number; available: number }> {
    const [removed, available] = await this.removeCmd(
      keys.stockAvailable(code),
      keys.stockItems(code),
      keys.stockItemHashes(code),
      keys.stockDedup(code),
      count === "all" ? -1 : count,
    );
    return { removed: Number(removed), available: Number(available) };
  }

  /** Holds `qty` items for `orderId` until `untilMs`, all or none; see the module comment. */
  async reserve(orderId: string, code: string, qty: number, untilMs: number): Promise<{ ok: boolean; available: number }> {
    const [ok, available] = await this.reserveCmd(
      keys.stockAvailable(code),
      keys.stockReservation(orderId),
      keys.stockReservationDeadlines(),
      keys.stockCounts(code),
      orderId,
      code,
      qty,
      untilMs,
    );
    return { ok: Number(ok) === 1, available: Number(available) };
  }

  /**
   * The items of `orderId`'s hold, marking them sold the first time: the same items on every
   * call; null when the order holds none (never reserved, or released).
   */
  async take(orderId: string, code: string): Promise<string[] | null> {
    const answer = await this.takeCmd(
      keys.stockReservation(orderId),
      keys.stockReservationDeadlines(),
      keys.stockCounts(code),
      keys.stockItems(code),
      keys.stockItemHashes(code),
      keys.stockDedup(code),
      orderId,
      code,
    );
    const [status, ...sealed] = answer.split(",");
    if (status !== "ok") return null;
    return sealed.map((value) => this.open(value));
  }

  /** The hold of an order as stored, or null. */
  async reservation(orderId: string): Promise<Reservation | null> {
    const [code, qty, state] = await this.redis.hmget(keys.stockReservation(orderId), "code", "qty", "state");
    if (!code || !qty || (state !== "reserved" && state !== "taken")) return null;
    return { code, qty: Number(qty), state };
  }

  /** Returns an order's hold to stock unless it was taken; the number of items given back. */
  async release(orderId: string): Promise<number> {
    const held = await this.reservation(orderId);
    if (!held) {
      await this.redis.zrem(keys.stockReservationDeadlines(), orderId);
      return 0;
    }
    return Number(
      await this.releaseCmd(keys.stockReservation(orderId), keys.stockReservationDeadlines(), keys.stockCounts(held.code), keys.stockAvailable(held.code), orderId, held.code),
    );
  }

  /** Order ids whose hold deadline is at or before `now`. */
  async dueReservations(now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(keys.stockReservationDeadlines(), 0, now, "LIMIT", 0, limit);
  }

  /** Moves a hold's deadline, only while it is still listed (not taken or released). */
  async extendReservation(orderId: string, untilMs: number): Promise<void> {
    await this.redis.zadd(keys.stockReservationDeadlines(), "XX", untilMs, orderId);
  }

  // ── restock waiters and the low-stock marker ──────────────────────────────────────────

  async addWaiter(code: string, waiter: Waiter): Promise<void> {
    await this.redis.sadd(keys.stockWaiting(code), JSON.stringify(waiter));
  }

  /** Everyone waiting for `code`, removed in the same step (so each is told once). */
  async takeWaiters(code: string): Promise<Waiter[]> {
    const results = (await this.redis.multi().smembers(keys.stockWaiting(code)).del(keys.stockWaiting(code)).exec()) ?? [];
    const members = (results[0]?.[1] as string[] | undefined) ?? [];
    return members.flatMap((raw) => {
      try {
        const parsed = waiterSchema.safeParse(JSON.parse(raw));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
  }

  /** True the first time since the last restock above the threshold (so one alert per crossing). */
  async claimLowAlert(code: string): Promise<boolean> {
    return (await this.redis.set(keys.stockLowAlerted(code), "1", "NX")) === "OK";
  }

  async clearLowAlert(code: string): Promise<void> {
    await this.redis.del(keys.stockLowAlerted(code));
  }

  // ── sealing ────────────────────────────────────────────────────────────────────────────

  private hash(item: string): string {
    return createHmac("sha256", this.hashKey!).update(item, "utf8").digest("base64");
  }

  private seal(text: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.sealKey!, iv);
    const sealed = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64");
  }

  private open(sealed: string): string {
    if (!this.sealKey) throw new StockKeyMissingError();
    const raw = Buffer.from(sealed, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.sealKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}

function parseProduct(raw: string): StockProduct | null {
  try {
    const parsed = productSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The items of an upload: one per line (a CSV row is one item, as written), trimmed, blank
 * lines skipped. More than {@link maxItemsPerUpload} makes the upload too big (the caller says so).
 */
export function parseItemLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Whether `name` names a shop category (the owner may move a product into one). */
export function asCategory(name: string): CategoryId | null {
  const lower = name.trim().toLowerCase();
  return (categoryIds as readonly string[]).includes(lower) ? (lower as CategoryId) : null;
}
