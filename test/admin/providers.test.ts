/**
 * Provider commands and watching, with the ALxZen fake beside the sandbox: `/balance` (and the
 * low-balance warning), `/deposit` posting a scannable QRIS in the group, the periodic
 * low-balance alert (once, not on every check), provider down/back notices, and that a worker
 * process leaves the periodic watch to the others.
 */
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProviderWatch } from "../../src/admin/provider-watch.js";
import type { Msg } from "../../src/core/message.js";
import { silentLogger } from "../../src/logger.js";
import { AlxzenProvider } from "../../src/providers/alxzen/adapter.js";
import type { ProviderBalance, ProviderId } from "../../src/providers/types.js";
import { FakeAlxzenServer } from "../fakes/alxzen-server.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { formatRupiah } from "../../src/core/money.js";
import { phrase } from "../helpers/shown.js";
import { adminGroup, CountingSandbox, eventually, owner, person, postedTo, says, startAdminShop, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let alxzen: FakeAlxzenServer;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  alxzen = await FakeAlxzenServer.start({ balance: 150_000 });
  const provider = new AlxzenProvider({ baseUrl: alxzen.url, apiKey: alxzen.apiKey, logger: silentLogger, timeoutMs: 500, retryDelaysMs: [5] });
  shop = await startAdminShop(telegram, {
    env: { LOW_BALANCE_IDR: "200000" },
    overrides: { providers: [new CountingSandbox(), provider] },
    admin: { balanceEveryMs: 200 },
  });
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
  await alxzen.close();
});

const admin = () => person(telegram, adminGroup, owner);

describe("/balance", () => {
  it("shows each provider's balance and flags the ones below LOW_BALANCE_IDR", async () => {
    const balances = await admin().ask("/balance", says("admin-balance-title"));
    const line = (provider: string, idr: number) => says("admin-balance-line-idr", { provider, idr: formatRupiah(idr) }).source;
    const low = says("admin-balance-low").source;
    expect(balances).toMatch(new RegExp(line("sandbox", 10_000_000)));
    expect(balances).toMatch(new RegExp(`${line("alxzen", 150_000)}\n${says("admin-balance-low", { threshold: formatRupiah(200_000) }).source}`));
    expect(balances).not.toMatch(new RegExp(`${line("sandbox", 10_000_000)}\n${low}`));

    // Reads are retried, and the periodic check reads too: enough failures to outlast both.
    alxzen.enqueue("GET /account", ...Array.from({ length: 50 }, () => ({ kind: "html" as const, status: 502 as const })));
    await admin().ask("/balance", says("admin-balance-error", { provider: "alxzen", code: "upstream" }));
  });

  it("is checked periodically: a low balance is announced once while it stays low", async () => {
    const lowAlxzen = says("admin-notify-balance-low", { provider: "alxzen", balance: formatRupiah(150_000), threshold: formatRupiah(200_000) });
    await eventually(() => expect(postedTo(telegram, adminGroup.id).join("\n")).toMatch(lowAlxzen));
    await eventually(() => expect(alxzen.requestsTo("GET /account").length).toBeGreaterThanOrEqual(5));
    await telegram.waitForIdle(300);
    expect(postedTo(telegram, adminGroup.id).filter((text) => lowAlxzen.test(text))).toHaveLength(1);
  });
});

describe("/deposit", () => {
  it("posts the provider's QRIS as an image that scans to the deposit payload", async () => {
    const since = telegram.mark();
    admin().say("/deposit alxzen 50rb");
    const photo = await telegram.waitFor((m) => m.chatId === adminGroup.id && m.method === "sendPhoto", { since });
    const deposit = alxzen.deposits[0]!;
    expect(deposit.amount).toBe(50_000);
    expect(photo.caption).toBe(phrase("admin-deposit-caption", { provider: "alxzen", id: deposit.depositId, amount: formatRupiah(50_000) }, "en"));
    const png = PNG.sync.read(photo.photo!);
    const decoded = jsQR.default(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(`00020101021226570011ID.ESPAY.WWW${deposit.depositId}5802ID6304BEEF`);

    await admin().ask("/deposit alxzen 500", says("admin-deposit-failed", { provider: "alxzen", code: "invalid_input" }));
    await admin().ask("/deposit sandbox 50000", says("admin-deposit-unsupported", { provider: "sandbox" }));
    await admin().ask("/deposit aluy 50000", says("admin-deposit-unsupported", { provider: "aluy" }));
    expect(alxzen.deposits).toHaveLength(1);
  });
});

describe("provider health", () => {
  it("announces a provider going down and coming back, once each", () => {
    const lines: Msg[] = [];
    let down: ProviderId[] = [];
    const watch = new ProviderWatch({
      catalog: { downProviders: () => down },
      providers: new Map(),
      notify: (line) => lines.push(line),
      lowBalance: 0,
      logger: silentLogger,
    });
    watch.checkHealth();
    down = ["alxzen"];
    watch.checkHealth();
    watch.checkHealth();
    down = [];
    watch.checkHealth();
    watch.checkHealth();
    expect(lines).toEqual([
      { key: "admin-notify-provider-down", args: { provider: "alxzen" } },
      { key: "admin-notify-provider-up", args: { provider: "alxzen" } },
    ]);
  });
});

describe("in a worker process", () => {
  it("checks no balances and announces nothing, but keeps the rest of the admin wiring", async () => {
    class BalanceCounting extends CountingSandbox {
      balanceReads = 0;
      override getBalance(): Promise<ProviderBalance> {
        this.balanceReads++;
        return super.getBalance();
      }
    }
    const provider = new BalanceCounting();
    const worker = await startAdminShop(telegram, {
      env: { ROLE: "worker", LOW_BALANCE_IDR: "100000000" },
      overrides: { providers: [provider] },
      admin: { balanceEveryMs: 20, healthEveryMs: 20 },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(provider.balanceReads).toBe(0);
      expect(postedTo(telegram, adminGroup.id).join("\n")).not.toMatch(says("admin-notify-balance-low", { provider: "sandbox" }));
      expect(worker.app.alerts).toBe(worker.admin.notifier);
    } finally {
      await worker.cleanup();
    }
  });
});
