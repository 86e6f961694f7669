/**
 * What the admin group is told without asking: paid, delivered, failed and refunded orders and
 * the core's alerts, each a short line with its id, grouped into one message per burst — also
 * when a second admin group (WhatsApp) is configured but its channel is not running.
 */
import { afterEach, describe, expect, it } from "vitest";
import { AdminGroup } from "../../src/admin/admin-group.js";
import { AdminNotifier, transitionLine } from "../../src/admin/admin-notifier.js";
import { ChannelUnavailableError } from "../../src/core/outbox.js";
import type { Reply } from "../../src/core/reply.js";
import type { Order } from "../../src/commerce/orders.js";
import { msg } from "../../src/core/message.js";
import { silentLogger } from "../../src/logger.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { formatRupiah } from "../../src/core/money.js";
import { adminGroup, buyer, eventually, postedTo, says, startAdminShop, type AdminShop } from "./support.js";

let telegram: FakeTelegram | undefined;
let shop: AdminShop | undefined;

afterEach(async () => {
  await shop?.cleanup();
  await telegram?.close();
});

async function start(env: Record<string, string> = {}): Promise<{ telegram: FakeTelegram; shop: AdminShop }> {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram, { env, admin: { burstMs: 400 } });
  return { telegram, shop };
}

describe("order notifications", () => {
  it("tell the group about paid, failed and refunded orders in one message per burst", async () => {
    const { telegram } = await start();
    const customer = buyer(telegram, 1501);
    await customer.ask("/topup 20000", says("topup-sandbox-done", { amount: formatRupiah(20_000) }));
    await customer.ask("SB-FAIL1", says("confirm-title"));
    await customer.ask("1", says("payment-title"));
    customer.say("1");
    await customer.expect(says("order-refunded"));
    const orderId = (await shop!.app.orders.ofBuyer("telegram:1501"))[0]!.id;

    const refunded = says("admin-notify-refunded", { order: orderId, amount: formatRupiah(1_000), buyer: "telegram:1501" });
    await eventually(() => expect(postedTo(telegram, adminGroup.id).join("\n")).toMatch(refunded));
    const burst = postedTo(telegram, adminGroup.id).find((text) => refunded.test(text))!;
    expect(burst).toMatch(new RegExp(`^${says("admin-notify-burst", { count: 3 }).source}`));
    expect(burst).toMatch(says("admin-notify-paid", { order: orderId, product: "Item uji gagal (selalu gagal)" }));
    expect(burst).toMatch(says("admin-notify-failed", { order: orderId, provider: "sandbox", detail: /.*Sandbox: this item always fails.*/ }));
  });

  it("group the core's alerts, drop a repeat within a burst, and reach Telegram when WhatsApp is not running", async () => {
    const { telegram, shop } = await start({ WHATSAPP_ADMIN_GROUP_JID: "120363012345678901@g.us" });
    await shop.app.alerts.alert(msg("admin-alert-late-payment", { id: "TOP-AAAA1111", amount: "Rp 50.000" }), "TOP-AAAA1111");
    await shop.app.alerts.alert(msg("admin-alert-overpaid", { id: "ORD-BBBB2222", amount: "Rp 500" }), "ORD-BBBB2222");
    await shop.app.alerts.alert(msg("admin-alert-overpaid", { id: "ORD-BBBB2222", amount: "Rp 500" }), "ORD-BBBB2222");
    await shop.app.alerts.alert(msg("admin-alert-bad-callback", { reason: "bad signature" }));
    const badCallback = says("admin-alert-bad-callback", { reason: "bad signature" });
    await eventually(() => expect(postedTo(telegram, adminGroup.id).join("\n")).toMatch(badCallback));
    const burst = postedTo(telegram, adminGroup.id).find((text) => badCallback.test(text))!;
    expect(burst).toMatch(new RegExp(`^${says("admin-notify-burst", { count: 3 }).source}`));
    expect(burst).toContain("TOP-AAAA1111");
    expect(burst.match(/ORD-BBBB2222/g)).toHaveLength(1);
  });
});

describe("the notifier", () => {
  it("sends a lone line as it is, and what is left when stopped", async () => {
    const posted: Reply[][] = [];
    const notifier = new AdminNotifier({ group: { post: async (replies) => void posted.push(replies) }, logger: silentLogger, burstMs: 10_000 });
    notifier.notify(msg("admin-notify-provider-down", { provider: "aluy" }));
    await notifier.stop();
    notifier.notify(msg("admin-notify-provider-up", { provider: "aluy" }));
    await notifier.flush();
    expect(posted).toEqual([[{ kind: "text", text: { key: "admin-notify-provider-down", args: { provider: "aluy" } } }]]);
  });

  it("reports new payments, not purchases being tried again", () => {
    const order = { id: "ORD-CCCC3333", status: "paid", price: 10_000, buyer: "telegram:1", product: { name: "X" }, payment: { method: "qris", amount: 10_000 }, history: [] } as unknown as Order;
    expect(transitionLine(order, "awaiting_payment")?.key).toBe("admin-notify-paid");
    expect(transitionLine(order, "placing")).toBeNull();
    expect(transitionLine(order, "failed")).toBeNull();
    expect(transitionLine({ ...order, status: "pending" }, "placing")).toBeNull();
  });

  it("posts to each admin chat on its own, spaced out", async () => {
    const sent: { channel: string; at: number }[] = [];
    const group = new AdminGroup({
      outbox: {
        send: async (to) => {
          if (to.channel === "whatsapp") throw new ChannelUnavailableError("whatsapp");
          sent.push({ channel: to.channel, at: Date.now() });
        },
      },
      targets: [
        { channel: "whatsapp", chatId: "120363012345678901@g.us", locale: "id" },
        { channel: "telegram", chatId: "-100", locale: "id" },
      ],
      logger: silentLogger,
      minGapMs: 300,
    });
    await Promise.all([group.post([]), group.post([])]);
    expect(sent.map((entry) => entry.channel)).toEqual(["telegram", "telegram"]);
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(290);
  });
});
