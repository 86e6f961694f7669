/**
 * Machinery shared by the fault tests: a private redis-server (optionally with an append-only
 * file, so its data survives a restart), worker processes running the real entry point
 * (`src/main.ts`, ROLE=worker) that can be SIGKILLed and started again, paid orders written
 * straight into the stores, and the counts the tests assert on: purchases per refid at the
 * ICS-Store fake and "delivered"/"refunded" notices per order.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { buildApp, type App } from "../../src/compose/app.js";
import { formatRupiah } from "../../src/core/money.js";
import { finalStatuses, type Order, type OrderStore } from "../../src/commerce/orders.js";
import type { Wallet } from "../../src/commerce/wallet.js";
import { type Translator } from "../../src/i18n/translator.js";
import { msg } from "../../src/core/message.js";
import { silentLogger } from "../../src/logger.js";
import { defaultIcsCatalogs, IcsstoreFake, type IcsOrderScenario } from "../fakes/icsstore-server.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { testConfig } from "../helpers/app.js";
import { exited, startPrivateRedis, type PrivateRedis } from "../helpers/private-redis.js";

export { startPrivateRedis, type PrivateRedis };

/** The repository root: the working directory of worker processes. */
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `intervalMs` until it returns something other than undefined/false, and
 * returns that. After `timeoutMs` it throws, with `explain()` in the message so a hang says why.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs, intervalMs = 100, explain }: { timeoutMs: number; intervalMs?: number; explain?: () => Promise<string> | string },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${await explain()}` : ""}`);
    await sleep(intervalMs);
  }
}

/** The output of every worker process of a test, kept to print when the test fails. */
export class ProcessLog {
  private readonly lines: string[] = [];

  constructor(private readonly keep = 400) {}

  add(source: string, line: string): void {
    this.lines.push(`[${source}] ${line}`);
    if (this.lines.length > this.keep) this.lines.shift();
  }

  /** The last lines, oldest first. */
  dump(): string {
    return this.lines.join("\n");
  }
}

/**
 * One `src/main.ts` process. It is started as `node --import tsx src/main.ts` rather than through
 * `node_modules/.bin/tsx`: the tsx CLI runs the app in a second node process, and a SIGKILL to
 * the CLI cannot be forwarded, so the app would live on as an orphan instead of crashing.
 */
export class WorkerProcess {
  /** Resolves with the HTTP port once the app has started (its start-up sweep is done). */
  readonly ready: Promise<number>;
  private readonly child: ChildProcess;
  private port: number | null = null;

  /**
   * Spawns the app with exactly `env` plus PATH and HOME: nothing of the test's own environment
   * (Telegram token, provider keys, REDIS_URL) leaks into it. HTTP_PORT defaults to 0 (any free
   * port), LOG_LEVEL to info.
   */
  constructor(
    readonly name: string,
    env: Record<string, string>,
    log: ProcessLog,
    readyTimeoutMs = 30_000,
    /** The script to run, from the repository root: a test entry may wrap `src/main.ts` with a crash point. */
    entry = "src/main.ts",
  ) {
    const base = { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: process.env.HOME ?? tmpdir() };
    this.child = spawn(process.execPath, ["--import", "tsx", entry], {
      cwd: repoRoot,
      env: { ...base, HTTP_PORT: "0", LOG_LEVEL: "info", CONSOLE: "off", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    createInterface({ input: this.child.stderr! }).on("line", (line) => log.add(`${name}!`, line));
    const lines = createInterface({ input: this.child.stdout! });
    lines.on("line", (line) => log.add(name, line));
    this.ready = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${readyTimeoutMs} ms`)), readyTimeoutMs);
      lines.on("line", (line) => {
        const port = listeningPort(line);
        if (port === null) return;
        clearTimeout(timer);
        this.port = port;
        resolve(port);
      });
      this.child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${signal ?? code}) before it was ready`));
      });
    });
    // A test that never awaits `ready` (it killed the process first) must not see an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  /** True until the process has exited. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` (SIGTERM, SIGINT) and returns at once. */
  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Resolves with the exit code (or the signal that ended it) once the process has exited. */
  async exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await exited(this.child);
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  /** SIGKILL: the process dies wherever it is, as in a crash or an OOM kill. Waits until it is gone. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill("SIGKILL");
    await exited(this.child);
  }

  /** The value of one Prometheus sample on the process's /metrics, e.g. `warung_order_transitions_total{status="placing"}`. */
  async metric(sample: string): Promise<number> {
    if (this.port === null) throw new Error(`${this.name} is not ready`);
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
    const line = text.split("\n").find((row) => row.startsWith(`${sample} `));
    return line ? Number(line.slice(sample.length + 1)) : 0;
  }
}

/** The port from pino's "http server listening" line, or null for any other line. */
function listeningPort(line: string): number | null {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return entry.msg === "http server listening" && typeof entry.port === "number" ? entry.port : null;
  } catch {
    return null;
  }
}

/** The ICS-Store products the tests buy: one in stock, one the supplier refuses as sold out. */
export type IcsSku = "XLA10" | "XLA15";

/** An order's product snapshot for an ICS-Store item of the default fake catalog. */
function icsProduct(sku: IcsSku): Order["product"] {
  const catalog = defaultIcsCatalogs().xla!;
  const item = [...catalog.ready, ...catalog.empty].find((product) => product.kode_produk === sku)!;
  return {
    code: sku,
    provider: "icsstore",
    sku,
    name: item.nama_produk,
    category: "data",
    group: "XLA — Bulanan",
    basePrice: item.harga_final,
    stock: item.stok ?? null,
    input: "phone",
    delivery: "serial",
  };
}

/**
 * An order paid from the wallet, written the way the bot writes one (credit exactly the price,
 * create, debit `pay:<id>`, move to `paid`) but queued by nobody: the caller decides who picks
 * it up (a worker's start-up sweep, or `fulfilment.enqueue`).
 */
export async function seedPaidOrder(
  stores: { orders: OrderStore; wallet: Wallet },
  to: { channel: "telegram" | "console"; chatId: string },
  sku: IcsSku,
): Promise<Order> {
  const buyer = `${to.channel}:${to.chatId}`;
  const product = icsProduct(sku);
  const price = product.basePrice + 1_000;
  await stores.wallet.credit(buyer, price, { id: `seed:${to.chatId}`, reason: "manual" });
  const order = await stores.orders.create({
    buyer,
    channel: to.channel,
    chatId: to.chatId,
    locale: "id",
    product,
    // A valid 08… number derived from the chat, so each buyer's target is distinct.
    inputs: { phone: `0812${to.chatId.replace(/\D/g, "").padStart(8, "0").slice(-8)}` },
    price,
    cost: product.basePrice,
    payment: { method: "wallet", amount: price },
  });
  const debit = await stores.wallet.debit(buyer, price, { id: `pay:${order.id}`, reason: "purchase", orderId: order.id });
  if (!debit.ok) throw new Error(`could not debit ${buyer}`);
  const paid = await stores.orders.transition(order.id, ["awaiting_payment"], "paid", (o) => ({ payment: { ...o.payment, paidAt: Date.now() } }));
  if (!paid) throw new Error(`could not mark ${order.id} paid`);
  return paid;
}

/** The sku of the `i`-th seeded order of a run: every fifth is sold out at the supplier. */
export function mixedSku(i: number): IcsSku {
  return i % 5 === 4 ? "XLA15" : "XLA10";
}

/**
 * The checks every order of a crash or concurrency run ends with: the outcome its sku calls for
 * (XLA10 delivered and bought exactly once; XLA15, sold out, refunded and never held by the
 * supplier), no admin attention, and a wallet whose balance equals its ledger.
 */
export async function expectEndedAsItsSkuSays(ics: IcsstoreFake, wallet: Wallet, order: Order): Promise<void> {
  const soldOut = order.product.sku === "XLA15";
  expect(order.status, order.id).toBe(soldOut ? "refunded" : "delivered");
  expect(order.attention, order.id).toBeUndefined();
  if (soldOut) expect(ics.transactions.has(order.refId), `${order.id} at the supplier`).toBe(false);
  else expect(purchasesOf(ics, order.refId), `${order.id} purchases`).toBe(1);
  expect(await walletProblems(wallet, order)).toEqual([]);
}

/** How many purchases (`createTransaction`) for `refId` reached the fake, whatever their answer. */
export function purchasesOf(ics: IcsstoreFake, refId: string): number {
  return ics.requests.filter((request) => {
    const body = request.body;
    return request.action === "createTransaction" && typeof body === "object" && body !== null && "refid" in body && body.refid === refId;
  }).length;
}

/** What a buyer was told about an order's end, from the texts sent to their chat (one entry per notice). */
export function noticesAbout(translator: Translator, order: Order, texts: readonly string[]): ("delivered" | "refunded")[] {
  const delivered = translator.render("id", msg("order-delivered", { order: order.id, product: order.product.name }));
  const failed = translator.render("id", msg("order-failed", { order: order.id, reason: msg(order.failureReason ?? "provider-error-failed") }));
  // The refund line ends with the balance, which depends on the wallet's history: match up to it.
  const refunded = translator.render("id", msg("order-refunded", { amount: formatRupiah(order.payment.amount), balance: "\u0000" })).split("\u0000")[0]!;
  return texts.flatMap((text): ("delivered" | "refunded")[] => {
    const [first, second = ""] = text.split("\n");
    if (first === delivered) return ["delivered"];
    if (first === failed && second.startsWith(refunded)) return ["refunded"];
    return [];
  });
}

/** The wallet check every fault test ends with: balance equals the ledger, and what the outcome implies. */
export async function walletProblems(wallet: Wallet, order: Order): Promise<string[]> {
  const problems: string[] = [];
  const { balance, ledgerSum, consistent } = await wallet.verify(order.buyer);
  if (!consistent) problems.push(`${order.buyer}: balance ${balance} != ledger sum ${ledgerSum}`);
  const expected = order.status === "refunded" ? order.price : 0;
  if (balance !== expected) problems.push(`${order.buyer}: balance ${balance}, expected ${expected} after ${order.status}`);
  const entries = await wallet.ledger(order.buyer, 100);
  const refunds = entries.filter((entry) => entry.id === `refund:${order.id}`).length;
  if (refunds !== (order.status === "refunded" ? 1 : 0)) problems.push(`${order.id}: ${refunds} refund entries while ${order.status}`);
  return problems;
}

/** A small seeded PRNG (mulberry32), so a failing random run can be repeated with FAULT_SEED. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Makes the ICS-Store fake a slow supplier: each purchase answers after `purchaseMs` and each
 * status read after `readMs` (random within the ranges, below the workers' 3 s client timeout),
 * so a kill lands mid-call. The order is taken when the request arrives, as with a real slow API.
 * Purchases alternate between "succeeds at once" and "pending, succeeds at the first status
 * check", so both paths get crashed into.
 */
export function slowSupplier(ics: IcsstoreFake, next: () => number, purchaseMs: [number, number], readMs: [number, number]): void {
  const between = ([low, high]: [number, number]) => low + Math.floor(next() * (high - low));
  for (let i = 0; i < 1_000; i++) ics.inject("createTransaction", { kind: "slow", delayMs: between(purchaseMs) });
  for (let i = 0; i < 3_000; i++) ics.inject("checkTransaction", { kind: "slow", delayMs: between(readMs) });
  const instant: IcsOrderScenario = { kind: "success", note: "SN 9990001" };
  const later: IcsOrderScenario = { kind: "pending", checks: 0, note: "SN 9990002" };
  // The fake reads `scenario` while it handles a purchase, after recording the request.
  Object.defineProperty(ics, "scenario", { get: () => (ics.count("createTransaction") % 2 === 0 ? instant : later) });
}

/** Everything a worker-process test runs on, and the way to start workers against it. */
export interface Rig {
  redis: PrivateRedis;
  ics: IcsstoreFake;
  telegram: FakeTelegram;
  /** A BullMQ-backed App with ROLE=bot in this process: it queues jobs and never works them. */
  bot: App;
  log: ProcessLog;
  /** Starts a worker process; `env` overrides the rig's worker environment. */
  spawn(name: string, env?: Record<string, string>): WorkerProcess;
  /** Kills every worker and stops everything else. */
  close(): Promise<void>;
}

/**
 * A private Redis, the ICS-Store and Telegram fakes, the ROLE=bot App, and the environment of
 * workers: ROLE=worker, the ICS-Store fake as the only provider, deliveries through the Telegram
 * fake, a 3 s provider timeout and a 2 s placing grace (longer than the slowest purchase call).
 */
export async function startRig(prefix: string): Promise<Rig> {
  const redis = await startPrivateRedis();
  const ics = await IcsstoreFake.start();
  ics.balance = 100_000_000;
  const telegram = await startFakeTelegram();
  const bot = await buildApp({
    config: testConfig({ ROLE: "bot", REDIS_URL: redis.url, REDIS_KEY_PREFIX: prefix, SANDBOX: "off" }),
    logger: silentLogger,
    providers: [],
    httpPort: null,
  });
  const log = new ProcessLog();
  const workers: WorkerProcess[] = [];
  const env = {
    ROLE: "worker",
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    ICSSTORE_API_KEY: ics.apiKey,
    ICSSTORE_BASE_URL: ics.url,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.url,
    PROVIDER_TIMEOUT_MS: "3000",
    PLACING_GRACE_SECONDS: "2",
  };
  return {
    redis,
    ics,
    telegram,
    bot,
    log,
    spawn(name, extra = {}) {
      const worker = new WorkerProcess(name, { ...env, ...extra }, log);
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.kill()));
      await bot.stop().catch(() => undefined);
      await telegram.close();
      await ics.close();
      await redis.close();
    },
  };
}

/** The texts the Telegram fake accepted for one chat. */
export function textsTo(telegram: FakeTelegram, chatId: string): string[] {
  return telegram.messagesTo(Number(chatId)).flatMap((message) => (message.method === "sendMessage" && message.text ? [message.text] : []));
}

/** Orders as they are now. */
export async function loadOrders(orders: OrderStore, ids: readonly string[]): Promise<Order[]> {
  return Promise.all(ids.map(async (id) => (await orders.get(id))!));
}

/** Waits until every order is delivered, refunded or expired; on timeout names the ones still open. */
export async function allEnded(orders: OrderStore, ids: readonly string[], timeoutMs: number): Promise<Order[]> {
  return waitFor(
    `${ids.length} orders to end`,
    async () => {
      const now = await loadOrders(orders, ids);
      return now.every((order) => finalStatuses.has(order.status)) ? now : undefined;
    },
    {
      timeoutMs,
      intervalMs: 250,
      explain: async () =>
        (await loadOrders(orders, ids))
          .filter((order) => !finalStatuses.has(order.status))
          .map((order) => `${order.id} ${order.status} attempts=${order.attempts} since ${new Date(order.updatedAt).toISOString()}`)
          .join("\n"),
    },
  );
}
