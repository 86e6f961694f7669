/**
 * Issue 14, item 5: "Perpanjang" paid by the owner's QRIS. The renewal is a top-up of exactly the
 * renewal price whose confirmation applies the renewal through the wallet path: credit
 * `qris:<id>` → debit `ledgerIds.renewal(order, paid-until)` → paid-until moved by compare-and-set.
 * A repeated or late confirmation renews at most once; when the VPS was renewed meanwhile (or
 * lapsed) the money stays in the wallet.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FollowUpPlan } from "../../src/commerce/fulfilment.js";
import type { Order } from "../../src/commerce/orders.js";
import { ledgerIds } from "../../src/commerce/ledger-ids.js";
import { AluyProvider } from "../../src/providers/aluy/adapter.js";
import { addMonths, aluyFakeCookie, startAluyFake, type AluyFake } from "../fakes/aluy-server.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { consoleBuyer, keysOf, qrisOf, staticQris } from "../payments/support.js";

const plan: FollowUpPlan = { delayMs: () => 10, giveUpAfterMs: 60_000, maxTransientAttempts: 3, placingGraceMs: 20 };

let fake: AluyFake;
let test: TestApp;
let aluy: AluyProvider;
let seq = 0;

beforeEach(async () => {
  fake = await startAluyFake();
  aluy = new AluyProvider({ baseUrl: fake.url, sessionCookie: aluyFakeCookie, eurToIdr: 17_321, timeoutMs: 500, retryDelaysMs: [5], lookupDelayMs: 20 });
  test = await startTestApp({ SANDBOX: "off", QRIS_STATIC_PAYLOAD: staticQris, PAYMENT_METHODS: "wallet,qris" }, { providers: [aluy], followUpPlan: plan });
});

afterEach(async () => {
  await test?.cleanup();
  await fake?.close();
});

/** A delivered one-month aluy VPS bought from the wallet (the wallet is empty afterwards). */
async function deliveredVps(): Promise<{ order: Order; buyer: string; chatId: string }> {
  const { app } = test;
  const item = (await aluy.listProducts())[0]!;
  seq += 1;
  const chatId = `75${seq}`;
  const buyer = `console:${chatId}`;
  const price = item.basePrice + 1_000;
  await app.wallet.credit(buyer, price, { id: `seed:${buyer}`, reason: "manual" });
  const order = await app.orders.create({
    buyer,
    channel: "console",
    chatId,
    locale: "en",
    product: { ...item, code: item.code ?? "VPS-1" },
    inputs: { months: "1" },
    price,
    cost: item.basePrice,
    payment: { method: "wallet", amount: price, paidAt: Date.now() },
    status: "paid",
  });
  await app.wallet.debit(buyer, price, { id: `pay:${order.id}`, reason: "purchase", orderId: order.id });
  await app.fulfilment.enqueue(order);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const current = (await app.orders.get(order.id))!;
    if (current.status === "delivered" || Date.now() > deadline) {
      expect(current.status).toBe("delivered");
      expect(current.expiresAt).toBeDefined();
      return { order: current, buyer, chatId };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function openQris(buyer: string, chatId: string, orderId: string) {
  const started = await test.app.payments.startRenewal({ buyer, channel: "console", chatId, locale: "en" }, orderId, 1);
  expect(started.kind).toBe("opened");
  return qrisOf(started.kind === "opened" ? started.replies : []);
}

describe("Perpanjang paid by QRIS", () => {
  it("a confirmed payment renews once: paid-until one month later, ledger = balance; a repeated confirmation changes nothing", async () => {
    const { order, buyer, chatId } = await deliveredVps();
    const monthly = order.payment.amount;
    const qr = await openQris(buyer, chatId, order.id);
    expect(qr.amount).toBeGreaterThanOrEqual(monthly);

    const first = await test.app.payments.confirm(qr.id, { by: "admin:1" });
    expect(first.kind).toBe("confirmed");
    const renewed = (await test.app.orders.get(order.id))!;
    const oneMonthOn = Date.parse(addMonths(new Date(order.expiresAt!).toISOString(), 1));
    expect(renewed.expiresAt).toBe(oneMonthOn);
    expect(await test.app.wallet.hasEntry(buyer, ledgerIds.qrisPayment(qr.id))).toBe(true);
    expect(await test.app.wallet.hasEntry(buyer, ledgerIds.renewal(order.id, order.expiresAt!))).toBe(true);
    // Only the unique code of the total is left over.
    expect(await test.app.wallet.balance(buyer)).toBe(qr.amount - monthly);
    expect((await test.app.wallet.verify(buyer)).consistent).toBe(true);

    const again = await test.app.payments.confirm(qr.id, { by: "admin:2" });
    expect(again.kind).toBe("already_paid");
    const after = (await test.app.orders.get(order.id))!;
    expect(after.expiresAt).toBe(oneMonthOn);
    expect(after.price).toBe(renewed.price);
    expect(await test.app.wallet.balance(buyer)).toBe(qr.amount - monthly);
    expect((await test.app.wallet.verify(buyer)).consistent).toBe(true);
    expect(await test.app.payments.finishUnsettled()).toBe(0);
    expect((await test.app.orders.get(order.id))!.expiresAt).toBe(oneMonthOn);
  });

  it("renewed from the balance meanwhile: the QRIS money stays in the wallet, the period is paid once", async () => {
    const { order, buyer, chatId } = await deliveredVps();
    const monthly = order.payment.amount;
    const qr = await openQris(buyer, chatId, order.id);
    await test.app.wallet.credit(buyer, monthly, { id: `seed2:${buyer}`, reason: "manual" });
    expect(await test.app.renewals.renew(buyer, order.id, 1)).toMatchObject({ kind: "renewed" });
    const oneMonthOn = Date.parse(addMonths(new Date(order.expiresAt!).toISOString(), 1));

    expect((await test.app.payments.confirm(qr.id, { by: "admin:1" })).kind).toBe("confirmed");
    expect((await test.app.orders.get(order.id))!.expiresAt).toBe(oneMonthOn);
    expect(await test.app.wallet.balance(buyer)).toBe(qr.amount);
    expect((await test.app.wallet.verify(buyer)).consistent).toBe(true);
  });

  it("a late payment (after the QR expired) renews at most once; a lapsed VPS is not renewed and the money stays", async () => {
    const { order, buyer, chatId } = await deliveredVps();
    const monthly = order.payment.amount;
    const qr = await openQris(buyer, chatId, order.id);
    expect(await test.app.payments.expireDue(Date.now() + 24 * 3_600_000)).toBe(1);
    expect((await test.app.payments.confirm(qr.id, { by: "admin:1" })).kind).toBe("late");
    const oneMonthOn = Date.parse(addMonths(new Date(order.expiresAt!).toISOString(), 1));
    expect((await test.app.orders.get(order.id))!.expiresAt).toBe(oneMonthOn);
    expect(await test.app.wallet.balance(buyer)).toBe(qr.amount - monthly);
    await test.app.payments.confirm(qr.id, { by: "admin:2" });
    expect((await test.app.orders.get(order.id))!.expiresAt).toBe(oneMonthOn);
    expect(await test.app.wallet.balance(buyer)).toBe(qr.amount - monthly);

    const second = await deliveredVps();
    const qr2 = await openQris(second.buyer, second.chatId, second.order.id);
    const lapsedAt = Date.now() - 1_000;
    await test.app.orders.update(second.order.id, () => ({ expiresAt: lapsedAt }));
    await test.app.payments.confirm(qr2.id, { by: "admin:1" });
    expect((await test.app.orders.get(second.order.id))!.expiresAt).toBe(lapsedAt);
    expect(await test.app.wallet.balance(second.buyer)).toBe(qr2.amount);
    expect((await test.app.wallet.verify(second.buyer)).consistent).toBe(true);
  });

  it("through the chat: /vps → Perpanjang offers Saldo and QRIS; QRIS shows the QR of the renewal price, and its confirmation renews", async () => {
    const { order, buyer, chatId } = await deliveredVps();
    const chat = consoleBuyer(test.app, chatId);
    expect(chat.key).toBe(buyer);
    await chat.say("/vps");
    await chat.say("1");
    const confirm = await chat.say("9"); // the ninth action: Perpanjang
    expect(confirm.replies.flatMap(keysOf)).toContain("vps-renew-confirm");
    const shown = await chat.say("2");
    const qr = qrisOf(shown.replies);
    expect(keysOf(qr.photo)).toContain("qris-caption");
    const caption = (Array.isArray(qr.photo.caption) ? qr.photo.caption : [qr.photo.caption]).find((m) => m.key === "qris-caption")!;
    expect(caption.args).toMatchObject({ purpose: { key: "qris-purpose-renewal", args: { order: order.id } } });
    expect(caption.args?.expires).toMatch(/WIB$/);
    expect((await test.app.payments.confirm(qr.id, { by: "admin:1" })).kind).toBe("confirmed");
    expect((await test.app.orders.get(order.id))!.expiresAt).toBe(Date.parse(addMonths(new Date(order.expiresAt!).toISOString(), 1)));
    expect((await test.app.wallet.verify(buyer)).consistent).toBe(true);
  });
});
