/**
 * Which writes wait for a replica (issue 18's Sentinel follow-up): besides wallet moves, order
 * transitions and payment moves, every write a buyer was shown or promised something on must
 * survive a failover — a payment's QR total (owner QRIS, replaced, or gateway), the provider
 * reference index webhooks and /reconcile match by, voucher holds and releases, and referral
 * codes, links, reward claims and debts. Against the shared test Redis (no replica): each wait
 * falls short at once and is reported with the script it followed, which is what is asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/logger.js";
import { OrderStore, type NewOrder } from "../../src/commerce/orders.js";
import { Referrals } from "../../src/commerce/referrals.js";
import { VoucherStore } from "../../src/commerce/vouchers.js";
import { Wallet } from "../../src/commerce/wallet.js";
import { PaymentStore, type OpenInput } from "../../src/payments/payment-store.js";
import { connectRedis, type Redis } from "../../src/store/redis.js";
import { testRedisUrl } from "../helpers/redis.js";

let redis: Redis;
/** The scripts whose writes were followed by a WAIT, in order. */
const waited: string[] = [];

beforeAll(async () => {
  redis = await connectRedis({
    url: testRedisUrl,
    keyPrefix: `wbtest:durable:${Date.now()}:${process.pid}:`,
    // recheckMs 0: every durable write waits (no skipping after a shortfall), so each is seen.
    replicaWait: { replicas: 1, timeoutMs: 5, recheckMs: 0, onOutcome: (_outcome, script) => waited.push(script) },
  });
});
afterAll(() => redis?.disconnect());

/** The scripts that waited while `work` ran. */
async function waitsOf(work: () => Promise<unknown>): Promise<string[]> {
  const from = waited.length;
  await work();
  return waited.slice(from);
}

let seq = 0;
function paymentInput(buyer: string, purpose: string): OpenInput {
  const now = Date.now();
  return { id: `PAY-DUR${++seq}`, kind: "topup", buyer, channel: "telegram", chatId: buyer.split(":")[1]!, locale: "id", baseAmount: 50_000, createdAt: now, expiresAt: now + 600_000, purpose };
}

/** An order taken as far as `placing` (paid, purchase claimed) or `delivered`. */
async function orderIn(orders: OrderStore, buyer: string, status: "placing" | "delivered") {
  const paid = await orders.create(newOrder(buyer));
  const claim = await orders.claimPurchase(paid.id, ["paid"], 3);
  if (claim?.kind !== "claimed") throw new Error("not claimed");
  if (status === "placing") return claim.order;
  return (await orders.transition(paid.id, ["placing"], "delivered", () => ({ providerRef: `SBX-${paid.id}` })))!;
}

function newOrder(buyer: string): NewOrder {
  return {
    buyer,
    channel: "telegram",
    chatId: buyer.split(":")[1]!,
    locale: "id",
    product: { code: "SB-FF70", provider: "sandbox", sku: "FF70", name: "Free Fire 70 Diamonds", category: "game", group: "Free Fire", basePrice: 9_500, stock: null, input: "game_id", delivery: "serial" },
    inputs: { game_id: "12345678" },
    price: 10_000,
    cost: 9_500,
    payment: { method: "wallet", amount: 10_000, paidAt: Date.now() },
    status: "paid",
  };
}

describe("writes that wait for a replica", () => {
  it("payments a buyer was shown a QR for: open, replace, gateway open", async () => {
    const payments = new PaymentStore(redis, 100);
    const input = paymentInput("telegram:71", "topup:50000");
    expect(await waitsOf(() => payments.open(input))).toEqual(["paymentOpen2"]);
    const older = await payments.get(input.id);
    expect(older?.status).toBe("open");
    expect(await waitsOf(() => payments.replace(older!, paymentInput("telegram:71", "topup:50000")))).toEqual(["paymentReplace"]);
    const gateway = { id: "midtrans", total: 50_350, credit: 50_000, feeCost: 350 } as unknown as Parameters<PaymentStore["openGateway"]>[1];
    expect(await waitsOf(() => payments.openGateway(paymentInput("telegram:72", "topup:50000"), gateway, Date.now() + 5_000))).toEqual(["paymentOpenGateway"]);
  });

  it("the provider reference index, when a transition or a found purchase sets it", async () => {
    const orders = new OrderStore(redis);
    const order = await orderIn(orders, "telegram:73", "placing");
    const steps = await waitsOf(() => orders.transition(order.id, ["placing"], "pending", () => ({ providerRef: "SBX-1" })));
    expect(steps).toEqual(["orderCas", "orderIndexProviderRef"]);
    expect(await orders.findByProviderRef("sandbox", "SBX-1")).toBe(order.id);
    const lost = await orderIn(orders, "telegram:74", "placing");
    expect(await waitsOf(() => orders.adoptProviderRef(lost.id, "SBX-2"))).toEqual(["orderCas", "orderIndexProviderRef"]);
    expect(await orders.findByProviderRef("sandbox", "SBX-2")).toBe(lost.id);
  });

  it("voucher holds and releases (a redeem need not: a held use already counts)", async () => {
    const vouchers = new VoucherStore(redis);
    await vouchers.save({ code: "DURABLE10", kind: "percent", value: 10, uses: 5, allowLoss: false, createdAt: Date.now(), by: "test" } as Parameters<VoucherStore["save"]>[0]);
    expect(await waitsOf(() => vouchers.hold("DURABLE10", "ORD-DURV0001", "telegram:75"))).toEqual(["voucherHold"]);
    expect(await waitsOf(() => vouchers.redeem("DURABLE10", "ORD-DURV0001"))).toEqual([]);
    expect(await waitsOf(() => vouchers.release("DURABLE10", "ORD-DURV0001"))).toEqual(["voucherRelease"]);
  });

  it("referral codes, links, reward claims and debts", async () => {
    const orders = new OrderStore(redis);
    const wallet = new Wallet(redis);
    const referrals = new Referrals({ redis, orders, wallet, logger: silentLogger, percent: 10, days: 90 });
    let code = "";
    expect(await waitsOf(async () => (code = await referrals.codeOf("telegram:76")))).toEqual(["referralCode"]);
    expect(await waitsOf(() => referrals.link("telegram:77", code))).toEqual(["referralLink"]);
    const order = await orderIn(orders, "telegram:77", "delivered");
    const rewardSteps = await waitsOf(() => referrals.reward(order.id));
    expect(rewardSteps[0]).toBe("referralClaim");
    expect(rewardSteps).toContain("walletMove");
    expect(await wallet.balance("telegram:76")).toBe(1_000);
    // The referrer spends the bonus; the refund's reversal cannot be covered, so it is owed.
    await wallet.debit("telegram:76", 1_000, { id: "spent:76", reason: "purchase" });
    await orders.transition(order.id, ["delivered"], "refunded");
    expect(await waitsOf(() => referrals.reverse(order.id))).toContain("referralOwed");
  });
});
