/**
 * Issue 15 end to end with Pakasir: the real grammY bot against the fake Bot API, the real Pakasir
 * module against the fake Pakasir API (`test/fakes/pakasir-server.ts`, whose payment simulation
 * posts the webhook to the app's `POST /payments/pakasir` over real HTTP), Tripay second in
 * `QRIS_GATEWAYS`, alerts in the fake admin group.
 *
 * Pakasir signs nothing, so a webhook is only a hint: a perfectly formed "completed" webhook for a
 * payment its status API says is pending moves no money. Checked besides: the photo decodes to
 * exactly Pakasir's `payment_number`, captioned with its total and the payer's fee; every bad
 * webhook (another project, wrong amount, another order, malformed, missing fields) moves
 * nothing; the simulated payment's webhook delivers once and a replay changes nothing, the fee
 * never entering the wallet; a top-up by `/topup`; Pakasir refusing → Tripay's QR and a failover
 * alert; a lost webhook → the status poll; expiry → the cancel call; a late webhook after a failed
 * cancel, sent twice at once → credited late, once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakePakasirServer } from "../fakes/pakasir-server.js";
import { FakeTripayServer, tripayEnv } from "../fakes/tripay-server.js";
import { textOf } from "../fakes/telegram-api.js";
import { shown } from "../helpers/shown.js";
import { formatRupiah } from "../../src/core/money.js";
import { pakasirEnv, productPrice, startGatewayE2e, ttlMs, type GatewayE2e } from "./gateway-e2e.js";
import { decodeQr, expectSoundWallet, fullLedger } from "./support.js";

let pakasir: FakePakasirServer;
let tripay: FakeTripayServer;
let e2e: GatewayE2e;
let url: string;

beforeAll(async () => {
  pakasir = await FakePakasirServer.start();
  tripay = await FakeTripayServer.start();
  e2e = await startGatewayE2e({ QRIS_GATEWAYS: "pakasir,tripay", ...pakasirEnv(pakasir), ...tripayEnv(tripay) });
  url = `${e2e.baseUrl}/payments/pakasir`;
  // The project's Webhook URL, where the payment simulation posts.
  pakasir.webhookUrl = url;
}, 30_000);

afterAll(async () => {
  await e2e?.close();
  await pakasir?.stop();
  await tripay?.close();
});

const ledgerOf = async (userId: number) => (await fullLedger(e2e.app, `telegram:${userId}`)).map((entry) => [entry.id, entry.amount]);

describe("paying by QRIS through Pakasir on Telegram", () => {
  it("shows Pakasir's QR exactly; a forged or bad webhook moves nothing; the paid one delivers once", async () => {
    const { buyer, photo, orderId, amount } = await e2e.buyByQris(7201);
    const charge = pakasir.transactions.get(orderId)!;
    expect(charge).toMatchObject({ amount: productPrice, status: "pending" });
    expect(decodeQr(photo.photo!)).toBe(charge.qrString);
    expect(charge.fee).toBeGreaterThan(0);
    expect(amount).toBe(productPrice + charge.fee);
    expect(photo.caption).toMatch(shown("qris-gateway-fee", { fee: formatRupiah(charge.fee) }));
    expect(photo.caption).not.toMatch(shown("qris-exact-amount"));

    // Anyone can post a well-formed "completed" webhook: the status API says pending, so no money.
    const forged = await pakasir.sendNotification(url, orderId, "valid");
    expect(forged.status).toBe(200);
    for (const variant of ["wrong_project", "wrong_amount", "other_order", "malformed", "missing_fields"] as const) {
      expect((await pakasir.sendNotification(url, orderId, variant)).status, variant).toBe(400);
    }
    expect((await pakasir.sendNotification(url, orderId, "not_qris")).status).toBe(200);
    expect(await ledgerOf(7201)).toEqual([]);
    expect(e2e.provider.placed).toEqual([]);
    expect((await e2e.app.orders.get(orderId))?.status).toBe("awaiting_payment");
    await e2e.adminSees(shown("admin-alert-gateway-rejected", { gateway: "pakasir" }));

    // The payer pays (sandbox simulation); Pakasir posts the webhook before answering.
    const since = e2e.telegram.mark();
    expect(await pakasir.simulatePayment(orderId)).toBe(200);
    expect(pakasir.notifications.at(-1)).toMatchObject({ orderId, variant: "valid", status: 200 });
    await buyer.expect(shown("qris-paid-order", { id: orderId }), since);
    const delivered = await buyer.expect(shown("order-delivered", { order: orderId }), since);
    expect(textOf(delivered)).toMatch(shown("delivery-serial", { value: /SBX[0-9A-F]{16}/ }));

    // The first webhook body again, and the paid one again, at once: success, nothing more.
    const again = await Promise.all([pakasir.sendNotification(url, orderId, "replay"), pakasir.sendNotification(url, orderId, "valid")]);
    expect(again.map((answer) => answer.status)).toEqual([200, 200]);
    await e2e.app.settled("telegram:7201");
    await e2e.telegram.waitForIdle(200, 10_000);
    expect(e2e.provider.placed).toEqual([orderId]);
    expect(e2e.toBuyer(7201, shown("order-delivered"))).toHaveLength(1);
    // The payer's fee went to Pakasir, never through the wallet.
    expect(await ledgerOf(7201)).toEqual([
      [`qris:${orderId}`, productPrice],
      [`pay:${orderId}`, -productPrice],
    ]);
    expect(await expectSoundWallet(e2e.app, "telegram:7201")).toBe(0);
  });

  it("a /topup is a Pakasir charge; the simulated payment credits the asked amount once", async () => {
    const { buyer, photo, id, total } = await e2e.topupByQris(7202, 30_000);
    const charge = pakasir.transactions.get(id)!;
    expect(decodeQr(photo.photo!)).toBe(charge.qrString);
    expect(total).toBe(30_000 + charge.fee);
    const since = e2e.telegram.mark();
    expect(await pakasir.simulatePayment(id)).toBe(200);
    await buyer.expect(shown("topup-paid", { amount: formatRupiah(30_000), balance: formatRupiah(30_000) }), since);
    expect((await pakasir.sendNotification(url, id, "replay")).status).toBe(200);
    expect(await ledgerOf(7202)).toEqual([[`qris:${id}`, 30_000]]);
    expect(await expectSoundWallet(e2e.app, "telegram:7202")).toBe(30_000);
  });

  it("Pakasir refusing the charge: the buyer gets Tripay's QR and the admin group a failover alert", async () => {
    pakasir.failNext("create", { kind: "status", status: 400, body: { error: "project is suspended" } });
    const since = e2e.telegram.mark();
    const { photo, orderId, amount } = await e2e.buyByQris(7203);
    expect(pakasir.transactions.has(orderId)).toBe(false);
    const charge = tripay.find(orderId)!;
    expect(charge).toBeDefined();
    expect(decodeQr(photo.photo!)).toBe(charge.qrString);
    // Tripay's fee is the merchant's here (the fake's default): the payer pays the price.
    expect(amount).toBe(productPrice);
    expect((await e2e.app.orders.get(orderId))?.payment.gateway).toBe("tripay");
    await e2e.adminSees(shown("admin-alert-qris-failover", { from: "pakasir", to: "tripay", id: orderId }), since);
  });

  it("a lost webhook: the status poll confirms and delivers", async () => {
    const { buyer, orderId } = await e2e.buyByQris(7204);
    pakasir.pay(orderId); // paid, no webhook
    const since = e2e.telegram.mark();
    expect(await e2e.app.payments.pollGateways(Date.now() + 31_000)).toBe(1);
    await buyer.expect(shown("order-delivered", { order: orderId }), since);
    expect(await expectSoundWallet(e2e.app, "telegram:7204")).toBe(0);
    expect(await e2e.app.payments.pollGateways(Date.now() + 62_000)).toBe(0);
    expect(e2e.provider.placed.filter((id) => id === orderId)).toHaveLength(1);
  });

  it("expiry cancels the charge at Pakasir; a webhook for it afterwards moves nothing", async () => {
    const { buyer, orderId } = await e2e.buyByQris(7205);
    const since = e2e.telegram.mark();
    expect(await e2e.app.payments.expireDue(Date.now() + ttlMs + 1_000)).toBeGreaterThanOrEqual(1);
    expect(pakasir.callsTo("cancel", orderId)).toHaveLength(1);
    expect(pakasir.callsTo("cancel", orderId)[0]).toMatchObject({ amount: productPrice, apiKeyOk: true });
    expect(pakasir.transactions.get(orderId)?.status).toBe("canceled");
    await buyer.expect(shown("qris-expired", { id: orderId }), since);
    expect((await e2e.app.orders.get(orderId))?.status).toBe("expired");
    expect((await pakasir.sendNotification(url, orderId, "valid")).status).toBe(200);
    expect(await ledgerOf(7205)).toEqual([]);
  });

  it("a cancel that failed, then the payer pays: the late webhook, sent twice at once, credits the wallet once", async () => {
    const { buyer, orderId } = await e2e.buyByQris(7206);
    pakasir.failNext("cancel", { kind: "status", status: 400, body: { error: "transaction cannot be canceled" } });
    expect(await e2e.app.payments.expireDue(Date.now() + ttlMs + 1_000)).toBe(1);
    expect(pakasir.callsTo("cancel", orderId)).toHaveLength(1);
    expect(pakasir.transactions.get(orderId)?.status).toBe("pending");

    pakasir.pay(orderId);
    const since = e2e.telegram.mark();
    const answers = await Promise.all([pakasir.sendNotification(url, orderId, "valid"), pakasir.sendNotification(url, orderId, "valid")]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    await buyer.expect(shown("qris-late-credited", { id: orderId, amount: formatRupiah(productPrice) }), since);
    await e2e.adminSees(shown("admin-alert-late-payment", { id: orderId }), since);
    await e2e.telegram.waitForIdle(200, 10_000);
    expect(await ledgerOf(7206)).toEqual([[`late:${orderId}`, productPrice]]);
    expect(e2e.toBuyer(7206, shown("qris-late-credited"))).toHaveLength(1);
    expect((await e2e.app.orders.get(orderId))?.status).toBe("expired");
    expect(e2e.provider.placed).not.toContain(orderId);
    expect(await expectSoundWallet(e2e.app, "telegram:7206")).toBe(productPrice);
  });
});
