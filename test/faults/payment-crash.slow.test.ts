/**
 * A process SIGKILLed between moving a QRIS payment to `paid` and applying its money (the wallet
 * credit, the order's debit and move to paid). The gateway never got an answer, so it retries.
 *
 * Real processes on a private Redis: `test/faults/payment-crash-entry.ts` runs `src/main.ts` and
 * kills itself right before the `qris:` credit; a second, ordinary process starts on the same
 * Redis (its start-up finishes the payment) and the gateway's retry arrives. The order must be
 * delivered exactly once and the buyer's balance must equal the ledger, with nothing left over.
 */
import { afterEach, describe, expect, it } from "vitest";
import { buildApp, type App } from "../../src/compose/app.js";
import { silentLogger } from "../../src/logger.js";
import { signCallback } from "../../src/payments/callback-route.js";
import { SandboxProvider } from "../../src/providers/sandbox/adapter.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { testConfig } from "../helpers/app.js";
import { noticesAbout, ProcessLog, startPrivateRedis, textsTo, waitFor, WorkerProcess, type PrivateRedis } from "./support.js";
import { staticQris } from "../payments/support.js";

const secret = "fault-callback-secret-0123456789";
const prefix = "fault-paycrash:";

let redis: PrivateRedis | undefined;
let telegram: FakeTelegram | undefined;
let app: App | undefined;
const processes: WorkerProcess[] = [];
const log = new ProcessLog();

afterEach(async () => {
  await Promise.all(processes.map((p) => p.kill()));
  await app?.stop().catch(() => undefined);
  await telegram?.close();
  await redis?.close();
});

function processEnv(redisUrl: string, tg: FakeTelegram): Record<string, string> {
  return {
    // A worker also serves HTTP (the callback route), and works fulfilment jobs without polling Telegram.
    ROLE: "worker",
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    SANDBOX: "on",
    QRIS_STATIC_PAYLOAD: staticQris,
    PAYMENT_METHODS: "wallet,qris",
    PAYMENT_CALLBACK_SECRET: secret,
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: tg.url,
  };
}

async function post(port: number, body: string): Promise<number | "no answer"> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/payments/callback`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-signature": signCallback(secret, body) },
      body,
    });
    await response.text();
    return response.status;
  } catch {
    return "no answer";
  }
}

describe("SIGKILL between a QRIS payment's move to paid and its settlement", () => {
  it("restart and the gateway's retry: delivered once, the ledger equals the balance", async () => {
    redis = await startPrivateRedis();
    telegram = await startFakeTelegram();
    const env = processEnv(redis.url, telegram);
    // This process only opens the buyer's QRIS order, as the bot process would.
    app = await buildApp({ config: testConfig({ ...env, ROLE: "bot" }), logger: silentLogger, providers: [new SandboxProvider()], httpPort: null });
    await app.catalog.init();
    const item = app.catalog.view().find("SB-NFX1")!;
    const chatId = "7001";
    const buyer = `telegram:${chatId}`;
    const created = await app.orders.create({
      buyer,
      channel: "telegram",
      chatId,
      locale: "id",
      product: { code: item.code, provider: item.provider, sku: item.sku, name: item.name, category: item.category, group: item.group, basePrice: item.basePrice, stock: item.stock, input: item.input, delivery: item.delivery },
      inputs: {},
      price: item.price,
      cost: item.cost,
      payment: { method: "qris", amount: item.price },
    });
    await app.payments.startOrderPayment(created);
    const total = (await app.orders.get(created.id))!.payment.amount;
    expect(total).toBeGreaterThan(item.price);

    const doomed = new WorkerProcess("doomed", { ...env, CRASH_AT: "before-qris-credit" }, log, 30_000, "test/faults/payment-crash-entry.ts");
    processes.push(doomed);
    const body = JSON.stringify({ amount: total, reference: "GW-CRASH-1", paidAt: new Date().toISOString() });
    expect(await post(await doomed.ready, body)).toBe("no answer");
    await waitFor("the doomed process to die", () => !doomed.alive, { timeoutMs: 10_000, explain: () => log.dump() });

    // The crash window: the payment is paid, its money is not applied, the order still waits.
    expect(await app.redis.hget(`payment:${created.id}`, "status")).toBe("paid");
    expect(await app.wallet.hasEntry(buyer, `qris:${created.id}`)).toBe(false);
    expect((await app.orders.get(created.id))?.status).toBe("awaiting_payment");

    // Restart: the start-up finishes the payment before the HTTP server listens.
    const survivor = new WorkerProcess("survivor", env, log);
    processes.push(survivor);
    const port = await survivor.ready;
    // The gateway's retry: its money is fully applied by now, so it is a repeat that changes nothing.
    expect(await post(port, body)).toBe(409);
    const order = await waitFor(
      "the order to be delivered",
      async () => {
        const now = await app!.orders.get(created.id);
        return now?.status === "delivered" ? now : undefined;
      },
      { timeoutMs: 30_000, explain: () => log.dump() },
    );
    await waitFor("the delivery message", () => noticesAbout(app!.translator, order, textsTo(telegram!, chatId)).length > 0, { timeoutMs: 10_000 });
    // A second retry, and a moment for anything doubled to show.
    expect(await post(port, body)).toBe(409);
    await telegram.waitForIdle(300, 10_000);

    expect(noticesAbout(app.translator, order, textsTo(telegram, chatId))).toEqual(["delivered"]);
    const ledger = (await app.wallet.ledger(buyer, 100)).map((entry) => entry.id).sort();
    expect(ledger).toEqual([`pay:${created.id}`, `qris:${created.id}`].sort());
    const check = await app.wallet.verify(buyer);
    expect(check).toMatchObject({ consistent: true, balance: 0 });
  }, 120_000);
});
