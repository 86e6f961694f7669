/**
 * `/paid` in the admin group (the real bot against the fake Bot API) on a QRIS payment that a
 * crash left half applied: moved to paid, its money not yet credited nor the order paid. The
 * answer says truthfully that this /paid finished it, and the next /paid that nothing changed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { adminGroup, eventually, owner, person, placeOrder, startAdminShop, type AdminShop } from "../admin/support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram);
});
afterEach(async () => {
  vi.restoreAllMocks();
  await shop.cleanup();
  await telegram.close();
});

describe("/paid on a payment a crash left half applied", () => {
  it("finishes it and says so; a second /paid says nothing changed", async () => {
    const order = await placeOrder(shop, 1301, "SB-NFX1", "qris");
    const total = (await shop.app.orders.get(order.id))!.payment.amount;
    const wallet = shop.app.wallet;
    const credit = wallet.credit.bind(wallet);
    vi.spyOn(wallet, "credit").mockImplementationOnce(async () => {
      throw new Error("process died"); // right after the move to paid
    });
    await expect(shop.app.payments.receive(total, "GW-HALF-1")).rejects.toThrow("process died");
    vi.mocked(wallet.credit).mockImplementation(credit);
    expect((await shop.app.orders.get(order.id))?.status).toBe("awaiting_payment");

    const admin = person(telegram, adminGroup, owner);
    expect(await admin.ask(`/paid ${order.id}`, "it is finished now")).toContain(order.id);
    await eventually(async () => expect((await shop.app.orders.get(order.id))?.status).toBe("delivered"));
    expect(await admin.ask(`/paid ${order.id}`, "already confirmed")).toContain("nothing changed");
    expect(await wallet.verify("telegram:1301")).toMatchObject({ consistent: true, balance: 0 });
  });
});
