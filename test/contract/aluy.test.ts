/**
 * Contract tests: AluyProvider against the in-memory aluy.net fake (written from the provider
 * document). They cover the catalog and money conversion, the order → provision → delivery flow,
 * the error table, unclear order answers resolved by lookup, VPS management, and secrets.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { AluyProvider, aluyDefaultLookupDelayMs, type AluyProviderOptions } from "../../src/providers/aluy/adapter.js";
import { ProviderError, type ProviderErrorCode } from "../../src/providers/errors.js";
import { loadConfig } from "../../src/config.js";
import { testProviders } from "../helpers/app.js";
import type { OrderOutcome, PlaceOrderRequest, ProviderProduct } from "../../src/providers/types.js";
import { addMonths, aluyFakeCookie, aluyFakeToken, startAluyFake, type AluyFake } from "../fakes/aluy-server.js";

const eurToIdr = 17_321;
const presetVariant = "clxvar0000000000000000001";
const inactiveVariant = "clxvar0000000000000000003";

let fake: AluyFake;

beforeEach(async () => {
  fake = await startAluyFake();
});

afterEach(async () => {
  await fake.close();
});

function aluy(overrides: Partial<AluyProviderOptions> = {}): AluyProvider {
  return new AluyProvider({
    baseUrl: fake.url,
    sessionCookie: aluyFakeCookie,
    eurToIdr,
    timeoutMs: 300,
    retryDelaysMs: [5, 5, 5],
    ...overrides,
  });
}

function product(meta: ProviderProduct["meta"]): ProviderProduct {
  return {
    provider: "aluy",
    sku: "test",
    category: "vps",
    group: "VPS Starter",
    name: "VPS Starter 1 GB",
    basePrice: 86_432,
    stock: null,
    input: "none",
    delivery: "vps",
    meta,
  };
}

const preset = product({ kind: "preset", variantId: presetVariant });

function orderRequest(refId: string, item: ProviderProduct = preset): PlaceOrderRequest {
  return { orderId: `ORD-${refId}`, refId, product: item, inputs: {}, payment: "direct" };
}

async function rejection(promise: Promise<unknown>, code: ProviderErrorCode): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as ProviderError).code).toBe(code);
  return error as ProviderError;
}

/** Places an order and polls until it is delivered (the fake provisions after `provisionPolls`). */
async function deliveredVps(provider: AluyProvider, refId: string): Promise<OrderOutcome & { state: "success" }> {
  const placed = await provider.placeOrder(orderRequest(refId));
  for (let poll = 0; poll < 10; poll++) {
    const outcome = await provider.getStatus({ providerRef: placed.providerRef ?? "", refId, product: preset });
    if (outcome.state === "success") return outcome;
  }
  throw new Error("the VPS was never delivered");
}

describe("catalog", () => {
  it("lists each active VPS variant with its EUR price converted to rupiah, rounded up", async () => {
    const products = await aluy().listProducts();

    // The inactive variant and the non-VPS product are not sellable.
    expect(products.map((p) => p.sku)).toEqual([presetVariant, "clxvar0000000000000000002"]);
    expect(products[0]).toEqual({
      provider: "aluy",
      sku: presetVariant,
      code: "VPS-1G",
      category: "vps",
      group: "VPS Starter",
      name: "VPS Starter 1 GB",
      description: "1 vCPU, 1 GB RAM, 20 GB SSD",
      basePrice: 86_432, // 4.99 € × 17 321 = 86 431.79
      stock: null,
      input: "months",
      delivery: "vps",
      meta: { kind: "preset", variantId: presetVariant },
    });
    expect(fake.count("GET", "/vm-config")).toBe(0);
  });

  it("adds custom plans within the live limits, one per location, priced per resource", async () => {
    const products = await aluy({
      customPlans: [
        { ramGb: 4, cpuCores: 2, ssdGb: 60 },
        { ramGb: 128, cpuCores: 2, ssdGb: 60 }, // above maxRamGb 64
        { ramGb: 2, cpuCores: 1, ssdGb: 10 }, // below minSsdGb 20
        { ramGb: 2, cpuCores: 1, ssdGb: 25 },
      ],
    }).listProducts();

    const custom = products.filter((p) => p.meta?.kind === "custom");
    expect(custom.map((p) => p.code)).toEqual([
      "VPS-4G-2C-60G-FI-HEL",
      "VPS-4G-2C-60G-DE-FRA",
      "VPS-2G-1C-25G-FI-HEL",
      "VPS-2G-1C-25G-DE-FRA",
    ]);
    // 4×200 + 2×300 + 6×100 = 2000 cents; 2×200 + 1×300 + 2.5×100 = 950 cents (164 549.5 → up).
    expect(custom.map((p) => p.basePrice)).toEqual([346_420, 346_420, 164_550, 164_550]);
    expect(custom[1]).toMatchObject({
      category: "vps",
      delivery: "vps",
      input: "months",
      stock: null,
      meta: { kind: "custom", ramGb: 4, cpuCores: 2, ssdGb: 60, location: "de-fra" },
    });
  });

  it("lists no custom plans while the custom pool is unavailable", async () => {
    fake.vmConfig.available = false;
    const products = await aluy({ customPlans: [{ ramGb: 4, cpuCores: 2, ssdGb: 60 }] }).listProducts();
    expect(products.every((p) => p.meta?.kind === "preset")).toBe(true);
    expect(fake.count("GET", "/vm-config")).toBe(1);
  });

  it("fails the listing when the custom config cannot be read, rather than dropping custom plans", async () => {
    fake.fail({ method: "GET", path: "/vm-config", fault: { kind: "html", status: 502 }, times: 4 });
    const error = await rejection(aluy({ customPlans: [{ ramGb: 4, cpuCores: 2, ssdGb: 60 }] }).listProducts(), "upstream");
    expect(error.message).not.toContain("<html");
    expect(fake.count("GET", "/vm-config")).toBe(4); // a read: retried 3 times
  });
});

describe("account", () => {
  it("reports the balance in EUR cents and in rupiah", async () => {
    fake.balanceCents = 4250;
    expect(await aluy().getBalance()).toEqual({ amount: 4250, currency: "EUR", idr: 736_143 });
  });

  it("quotes a valid promo code for a variant", async () => {
    const result = await aluy().validatePromo("summer10", presetVariant);
    expect(result).toEqual({ valid: true, discountPercent: 10 });
    expect(fake.requests.at(-1)?.body).toEqual({ code: "summer10", variantId: presetVariant });
  });

  it("checks a /promo code against the product's variant (the Provider port)", async () => {
    expect(await aluy().checkPromo("summer10", preset)).toEqual({ valid: true, discountPercent: 10 });
    expect(fake.requests.at(-1)?.body).toEqual({ code: "summer10", variantId: presetVariant });
    expect(await aluy().checkPromo("NOPE", preset)).toEqual({ valid: false, reason: "Invalid promo code" });
  });

  it("sends an admin's promo code as promoCode, and the cost is what aluy charged after it", async () => {
    const outcome = await aluy().placeOrder({ ...orderRequest("REF-PROMO"), promoCode: "SUMMER10" });
    const post = fake.requests.find((r) => r.method === "POST" && r.path === "/orders");
    expect(post?.body).toEqual({ variantId: presetVariant, label: "REF-PROMO", period: "monthly", promoCode: "SUMMER10" });
    // 499 cents less 10 % (50) = 449 cents charged.
    expect(outcome).toMatchObject({ state: "pending", cost: Math.ceil((449 * eurToIdr) / 100) });
    expect(fake.balanceCents).toBe(10_000 - 449);
  });

  it("reports an unknown promo code as invalid, not as an error", async () => {
    expect(await aluy().validatePromo("NOPE")).toEqual({ valid: false, error: "Invalid promo code" });
  });

  it("sends a bare session token as the portal's session cookie", async () => {
    await aluy({ sessionCookie: aluyFakeToken }).getBalance();
    expect(fake.requests[0]?.headers.cookie).toBe(aluyFakeCookie);
  });

  it("reads a malformed balance as malformed", async () => {
    fake.fail({ method: "GET", path: "/balance", fault: { kind: "malformed" } });
    await rejection(aluy().getBalance(), "malformed");
  });
});

describe("ordering and delivery", () => {
  it("orders a preset variant for a month, labelled with our refId, and waits for provisioning", async () => {
    const outcome = await aluy().placeOrder(orderRequest("REF-1"));

    // The cost is what aluy's answer says it charged (totalCents), in rupiah.
    expect(outcome).toEqual({ state: "pending", providerRef: fake.orders[0]?.id, cost: Math.ceil((499 * eurToIdr) / 100) });
    const post = fake.requests.find((r) => r.method === "POST" && r.path === "/orders");
    expect(post?.body).toEqual({ variantId: presetVariant, label: "REF-1", period: "monthly" });
    expect(post?.headers.cookie).toBe(aluyFakeCookie);
    expect(fake.balanceCents).toBe(10_000 - 499); // PREPAID monthly: charged up front
  });

  it("sends period hourly when configured, costed at the answer's hourlyRateCents over a month of hours", async () => {
    const outcome = await aluy({ period: "hourly" }).placeOrder(orderRequest("REF-H"));
    expect(fake.requests.at(-1)?.body).toMatchObject({ period: "hourly" });
    expect(fake.orders[0]?.totalCents).toBe(0);
    const hourlyRateCents = Math.max(1, Math.ceil(499 / 730)); // what the fake answers
    expect(outcome).toMatchObject({ cost: Math.ceil((hourlyRateCents * 730 * eurToIdr) / 100) });
  });

  it("orders a custom plan on the custom path only", async () => {
    const custom = product({ kind: "custom", ramGb: 4, cpuCores: 2, ssdGb: 60, location: "fi-hel" });
    const outcome = await aluy().placeOrder(orderRequest("REF-C", custom));

    expect(outcome.state).toBe("pending");
    expect(fake.requests.at(-1)?.body).toEqual({
      type: "vm-custom",
      ramGb: 4,
      cpuCores: 2,
      ssdGb: 60,
      location: "fi-hel",
      label: "REF-C",
      period: "monthly",
    });
  });

  it("goes pending → success with IP, root and a secret password, resetting the password once", async () => {
    fake.provisionPolls = 2;
    fake.bootPolls = 1;
    const provider = aluy();
    const placed = await provider.placeOrder(orderRequest("REF-2"));
    const ref = { providerRef: placed.state === "pending" ? placed.providerRef : "", refId: "REF-2", product: preset };

    expect(await provider.getStatus(ref)).toEqual({ state: "pending", providerRef: ref.providerRef }); // PENDING
    expect(await provider.getStatus(ref)).toEqual({ state: "pending", providerRef: ref.providerRef }); // booting, no IP
    expect(fake.count("POST", /reset-password$/)).toBe(0);

    const delivered = await provider.getStatus(ref);
    const service = fake.services[0]!;
    expect(delivered).toEqual({
      state: "success",
      providerRef: service.id,
      delivery: [
        { label: "ip", value: service.ipv4 },
        { label: "username", value: "root" },
        { label: "password", value: service.password, secret: true },
        { label: "note", value: service.id },
        { label: "expires", value: service.nextDueAt },
      ],
    });
    expect(service.nextDueAt).not.toBeNull();
    expect(service.subscriptionCancelledAt).not.toBeNull();
    expect(fake.count("POST", `/services/${service.id}/cancel`)).toBe(1);
    expect(service.passwordResets).toBe(1);
    expect(fake.count("POST", /reset-password$/)).toBe(1);
    expect(fake.requests.find((r) => r.path === "/services")?.query).toMatchObject({ kind: "VPS" });
  });

  it("stays pending while no service carries our label", async () => {
    const outcome = await aluy().getStatus({ providerRef: "clxord-unknown", refId: "REF-NONE", product: preset });
    expect(outcome).toEqual({ state: "pending", providerRef: "clxord-unknown" });
  });

  it("reports a VPS that could not be provisioned as stuck (aluy holds the charge: never failed), without retrying on a poll", async () => {
    fake.provisionIssue = true;
    const provider = aluy();
    const placed = await provider.placeOrder(orderRequest("REF-3"));
    const outcome = await provider.getStatus({ providerRef: placed.providerRef ?? "", refId: "REF-3", product: preset });

    expect(outcome).toMatchObject({ state: "stuck", providerRef: fake.orders[0]?.id });
    expect(fake.count("POST", /retry-provision$/)).toBe(0);
    expect(fake.count("POST", /reset-password$/)).toBe(0);
  });

  it("repairs a stuck VPS with one retry-provision and labels the new service with our refId (service labels of aluy's own)", async () => {
    fake.provisionIssue = true;
    fake.serviceLabel = "own";
    const provider = aluy();
    const placed = await provider.placeOrder(orderRequest("WBREPAIR1"));
    const ref = { providerRef: placed.providerRef ?? "", refId: "WBREPAIR1", product: preset };
    expect((await provider.getStatus(ref)).state).toBe("stuck");
    const old = fake.services[0]!.id;

    expect(await provider.repair(ref)).toEqual({ state: "pending", providerRef: ref.providerRef });
    expect(fake.count("POST", `/services/${old}/retry-provision`)).toBe(1);
    const replaced = fake.services[0]!;
    expect(replaced.id).not.toBe(old);
    expect(replaced.label).toBe("WBREPAIR1");
    const delivered = await provider.getStatus(ref);
    expect(delivered).toMatchObject({ state: "success", providerRef: replaced.id });
  });

  it("pays an order aluy answers PENDING_PAYMENT from the balance, and fails it (nothing charged) when the balance cannot", async () => {
    fake.pendingPayment = true;
    const provider = aluy();
    await provider.placeOrder(orderRequest("REF-P"));
    expect(fake.orders[0]?.status).toBe("PAID");
    expect(fake.count("POST", `/orders/${fake.orders[0]!.id}/pay`)).toBe(1);

    fake.balanceCents = 0;
    await rejection(provider.placeOrder(orderRequest("REF-P2")), "insufficient_balance");
    const unpaid = fake.orders[0]!;
    expect(unpaid.status).toBe("PENDING_PAYMENT");
    // A later look pays it when it can, and fails it (not pending forever) when it cannot.
    const outcome = await provider.getStatus({ providerRef: unpaid.id, refId: "REF-P2", product: preset });
    expect(outcome.state).toBe("failed");
    fake.balanceCents = 10_000;
    expect((await provider.getStatus({ providerRef: unpaid.id, refId: "REF-P2", product: preset })).state).toBe("pending");
    expect(unpaid.status).toBe("PAID");
  });

  it("finds an order among the newest two pages by its line label", async () => {
    fake.billingMode = "POSTPAID";
    const provider = aluy();
    await provider.placeOrder(orderRequest("REF-OLD"));
    for (let i = 0; i < 60; i++) await provider.placeOrder(orderRequest(`REF-FILL-${i}`));

    expect(await provider.findOrder("REF-OLD")).toEqual({ state: "pending", providerRef: fake.orders.at(-1)?.id });
    expect(fake.requests.filter((r) => r.path === "/orders" && r.method === "GET").map((r) => r.query.offset)).toEqual([
      "0",
      "50",
    ]);
    expect(await provider.findOrder("REF-MISSING")).toBeNull();
  });

  it("reports a found order that aluy cancelled as failed", async () => {
    const provider = aluy();
    await provider.placeOrder(orderRequest("REF-X"));
    fake.orders[0]!.status = "CANCELLED";
    expect(await provider.findOrder("REF-X")).toMatchObject({ state: "failed", providerRef: fake.orders[0]?.id });
  });
});

describe("a service that does not take the order's label (stricter than the fake's assumption)", () => {
  beforeEach(() => {
    fake.serviceLabel = "own";
  });

  it("finds the service its order created, labels it with our refId, and delivers it", async () => {
    fake.provisionPolls = 1;
    const provider = aluy();
    const placed = await provider.placeOrder(orderRequest("REF-OWN1"));
    expect(fake.services[0]!.label).not.toBe("REF-OWN1");
    const ref = { providerRef: placed.providerRef ?? "", refId: "REF-OWN1", product: preset };
    let outcome = await provider.getStatus(ref);
    for (let poll = 0; poll < 5 && outcome.state === "pending"; poll++) outcome = await provider.getStatus(ref);
    expect(outcome).toMatchObject({ state: "success", providerRef: fake.services[0]!.id });
    // Claimed once under our refId, so later looks find it by label.
    expect(fake.services[0]!.label).toBe("REF-OWN1");
    expect(fake.count("PATCH", /^\/services\/[^/]+$/)).toBe(1);
    expect(fake.services[0]!.passwordResets).toBe(1);
  });

  it("does not guess when two orders were made at the same time: it waits (an admin resolves it)", async () => {
    const provider = aluy();
    const first = await provider.placeOrder(orderRequest("REF-OWN2"));
    await provider.placeOrder(orderRequest("REF-OWN3"));
    const outcome = await provider.getStatus({ providerRef: first.providerRef ?? "", refId: "REF-OWN2", product: preset });
    expect(outcome).toEqual({ state: "pending", providerRef: first.providerRef });
    expect(fake.count("PATCH", /^\/services\/[^/]+$/)).toBe(0);
    expect(fake.services.every((service) => service.passwordResets === 0)).toBe(true);
  });
});

describe("order errors", () => {
  it("maps 402 to insufficient_balance", async () => {
    fake.balanceCents = 100;
    const error = await rejection(aluy().placeOrder(orderRequest("REF-402")), "insufficient_balance");
    expect(error.details.status).toBe(402);
    expect(fake.orders).toHaveLength(0);
  });

  it("maps 404 (inactive variant) to not_found", async () => {
    const item = product({ kind: "preset", variantId: inactiveVariant });
    await rejection(aluy().placeOrder(orderRequest("REF-404", item)), "not_found");
  });

  it("maps the POSTPAID VPS quota (429) to unavailable, with current and limit in the message", async () => {
    fake.billingMode = "POSTPAID";
    fake.vpsLimit = 1;
    const provider = aluy();
    await provider.placeOrder(orderRequest("REF-Q1"));
    const error = await rejection(provider.placeOrder(orderRequest("REF-Q2")), "unavailable");
    expect(error.message).toContain("1 of 1");
    expect(fake.count("POST", "/orders")).toBe(2); // not retried
    // The document: "4xx errors should not be retried without changes". Not transient: the shop
    // must not place the order again later on its own; it ends (refund) and the admins see why.
    expect(error.transient).toBe(false);
    expect(error.definitive).toBe(true);
  });

  it("maps 400 to invalid_input", async () => {
    const item = product({ kind: "custom", ramGb: 4, cpuCores: 2, ssdGb: 60, location: "us-ash" });
    const error = await rejection(aluy().placeOrder(orderRequest("REF-400", item)), "invalid_input");
    expect(error.message).toContain("Invalid location");
  });

  it("maps 403 to auth", async () => {
    const provider = aluy({ sessionCookie: "__Secure-next-auth.session-token=expired-session" });
    await rejection(provider.placeOrder(orderRequest("REF-403")), "auth");
    await rejection(provider.getBalance(), "auth");
  });

  it("maps 503 to unavailable and neither looks up nor retries", async () => {
    fake.fail({
      method: "POST",
      path: "/orders",
      fault: { kind: "error", status: 503, body: { error: "Server management is not configured. Contact support." } },
    });
    const error = await rejection(aluy().placeOrder(orderRequest("REF-503")), "unavailable");
    expect(fake.count("POST", "/orders")).toBe(1);
    expect(fake.count("GET", "/orders")).toBe(0);
    // A 503 is "not configured … contact support": retrying later changes nothing.
    expect(error.transient).toBe(false);
  });

  it("does not retry a read answered 409, 429 or 503 (only 5xx other than 503 are transient)", async () => {
    for (const status of [409, 429, 503]) {
      fake.fail({ method: "GET", path: "/balance", fault: { kind: "error", status, body: { error: `refused ${status}` } } });
      const before = fake.count("GET", "/balance");
      const error = await rejection(aluy().getBalance(), "unavailable");
      expect(fake.count("GET", "/balance") - before, `HTTP ${status}`).toBe(1);
      expect(error.transient, `HTTP ${status}`).toBe(false);
    }
  });

  it("maps a 502 to upstream (outcome unknown) after one POST, neither looking up nor posting again", async () => {
    fake.fail({ method: "POST", path: "/orders", fault: { kind: "error", status: 502, body: { error: "Upstream provider error" } } });
    await rejection(aluy().placeOrder(orderRequest("REF-502")), "upstream");
    expect(fake.count("POST", "/orders")).toBe(1);
    expect(fake.count("GET", "/orders")).toBe(0);
    expect(fake.orders).toHaveLength(0);
  });

  it("reads an HTML error page as upstream, without the page in the message", async () => {
    fake.fail({ method: "POST", path: "/orders", fault: { kind: "html", status: 502 }, times: 2 });
    const error = await rejection(aluy().placeOrder(orderRequest("REF-HTML")), "upstream");
    expect(error.message).not.toMatch(/html|cloudflare/i);
  });

  it("refuses a product without aluy order data before calling aluy", async () => {
    await rejection(aluy().placeOrder(orderRequest("REF-META", product({ kind: "other" }))), "invalid_input");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("unclear order answers", () => {
  // Issue 14: the adapter sends POST /orders ONCE; fulfilment looks the label up (findOrder,
  // i.e. GET /orders first, as the contract asks) after `lookupDelayMs`, and decides.
  it("throws outcome-unknown on a timed-out POST /orders without looking or posting again; findOrder then finds it", async () => {
    fake.fail({ method: "POST", path: "/orders", fault: { kind: "timeout" }, afterEffect: true });
    const request = orderRequest("REF-T1");
    const error = await rejection(aluy().placeOrder(request), "timeout");
    expect(error.outcomeUnknown).toBe(true);
    expect(fake.count("POST", "/orders")).toBe(1);
    expect(fake.count("GET", "/orders")).toBe(0);

    expect(await aluy().findOrder(request.refId)).toEqual({ state: "pending", providerRef: fake.orders[0]?.id });
    expect(fake.orders).toHaveLength(1);
  });

  it("findOrder says null when aluy has no order with our label", async () => {
    fake.fail({ method: "POST", path: "/orders", fault: { kind: "timeout" } });
    await rejection(aluy().placeOrder(orderRequest("REF-T2")), "timeout");
    expect(await aluy().findOrder("REF-T2")).toBeNull();
    expect(fake.count("POST", "/orders")).toBe(1);
  });

  it("waits at least 15 s after an unclear answer before a lookup, unless told otherwise (tests)", () => {
    expect(aluyDefaultLookupDelayMs).toBeGreaterThanOrEqual(15_000);
    expect(aluy().lookupDelayMs).toBe(aluyDefaultLookupDelayMs);
    expect(aluy({ lookupDelayMs: 5 }).lookupDelayMs).toBe(5);
  });

  it("a garbled 201 is outcome-unknown (malformed), one POST", async () => {
    fake.fail({ method: "POST", path: "/orders", fault: { kind: "malformed" }, afterEffect: true });
    const error = await rejection(aluy().placeOrder(orderRequest("REF-M")), "malformed");
    expect(error.outcomeUnknown).toBe(true);
    expect(fake.count("POST", "/orders")).toBe(1);
  });

  it("waits for a slow answer that arrives within the timeout", async () => {
    fake.fail({ method: "POST", path: "/orders", fault: { kind: "slow", ms: 100 } });
    const outcome = await aluy().placeOrder(orderRequest("REF-S"));
    expect(outcome).toMatchObject({ state: "pending", providerRef: fake.orders[0]?.id });
    expect(fake.count("GET", "/orders")).toBe(0);
  });
});

describe("VPS management", () => {
  it("reads the live status, runs power actions, resets the password and reinstalls", async () => {
    fake.provisionPolls = 1;
    const provider = aluy();
    const delivered = await deliveredVps(provider, "REF-MGMT");
    const serviceId = delivered.providerRef;

    const status = await provider.serviceStatus(serviceId);
    expect(status).toMatchObject({ serviceId, state: "running" });
    expect(status.ipAddresses).toContainEqual({ address: fake.services[0]?.ipv4, type: "ipv4" });

    expect(await provider.power(serviceId, "stop")).toEqual({ ok: true, action: "stop", serviceId });
    expect(fake.requests.at(-1)?.body).toEqual({ action: "stop" });
    expect((await provider.serviceStatus(serviceId)).state).toBe("stopped");

    const password = await provider.resetPassword(serviceId);
    expect(password).toBe(fake.services[0]?.password);
    expect(fake.services[0]?.passwordResets).toBe(2);

    expect(await provider.templates(serviceId)).toEqual([
      { id: 1, label: "Ubuntu 24.04 LTS" },
      { id: 2, label: "Debian 12" },
      { id: 3, label: "Rocky Linux 9" },
    ]);

    expect(await provider.reinstall(serviceId, 2, "edge.example.com")).toEqual({ ok: true, serviceId });
    expect(fake.services[0]).toMatchObject({ operatingSystemId: 2, hostname: "edge.example.com" });
  });

  it("maps a rejected reinstall (502) to upstream and does not retry it", async () => {
    fake.provisionPolls = 1;
    const provider = aluy();
    const { providerRef } = await deliveredVps(provider, "REF-RI");
    await rejection(provider.reinstall(providerRef, 99), "upstream");
    expect(fake.count("POST", /reinstall$/)).toBe(1);
  });

  it("maps 409 (not provisioned yet) to unavailable", async () => {
    fake.provisionIssue = true;
    const provider = aluy();
    await provider.placeOrder(orderRequest("REF-409"));
    const error = await rejection(provider.power(fake.services[0]!.id, "start"), "unavailable");
    expect(error.message).toContain("not yet provisioned");
    expect(error.transient).toBe(false);
  });

  it("maps an unknown service (404) to not_found", async () => {
    await rejection(aluy().serviceStatus("clxsvc-none"), "not_found");
  });

  it("maps a status the hypervisor cannot give (502) to upstream after retrying the read", async () => {
    fake.provisionPolls = 1;
    const provider = aluy();
    const { providerRef } = await deliveredVps(provider, "REF-502S");
    fake.fail({
      method: "GET",
      path: /\/status$/,
      fault: { kind: "error", status: 502, body: { error: "Could not retrieve server status." } },
      times: 4,
    });
    await rejection(provider.serviceStatus(providerRef), "upstream");
  });
});

describe("secrets", () => {
  it("never puts the session cookie in an error message or a log line", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(line) });
    const provider = aluy({ logger });
    const errors: ProviderError[] = [];
    const collect = async (promise: Promise<unknown>) => {
      await promise.catch((error: unknown) => {
        if (error instanceof ProviderError) errors.push(error);
      });
    };

    // An error body that echoes the cookie back (as a misconfigured proxy might).
    fake.fail({
      method: "GET",
      path: "/balance",
      fault: { kind: "error", status: 400, body: { error: `bad session ${aluyFakeCookie}` } },
    });
    await collect(provider.getBalance());
    fake.fail({ method: "POST", path: "/orders", fault: { kind: "timeout" } });
    await collect(provider.placeOrder(orderRequest("REF-SEC-1")));
    fake.fail({ method: "GET", path: "/products", fault: { kind: "html", status: 503 }, times: 4 });
    await collect(provider.listProducts());
    fake.balanceCents = 0;
    await collect(provider.placeOrder(orderRequest("REF-SEC-2")));
    await collect(provider.serviceStatus("clxsvc-none"));
    await collect(aluy({ sessionCookie: aluyFakeToken.toUpperCase() }).getBalance());

    expect(errors.map((error) => error.code)).toEqual(["invalid_input", "timeout", "upstream", "insufficient_balance", "not_found", "auth"]);
    for (const error of errors) {
      expect(error.message).not.toContain(aluyFakeToken);
      expect(error.message).not.toContain(aluyFakeToken.toUpperCase());
    }
    expect(errors[0]?.message).toContain("bad session");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain(aluyFakeToken);
  });
});

describe("history (GET /orders, for /reconcile)", () => {
  const hour = 3_600_000;
  const window = () => ({ from: Date.now() - 24 * hour, to: Date.now() + hour });
  const oldOrder = (i: number, createdAt: string) => ({
    id: `clxold${String(i).padStart(19, "0")}`,
    label: `someone-else-${i}`,
    status: "PAID",
    totalCents: 499,
    period: "monthly" as const,
    lines: [{ label: `someone-else-${i}`, quantity: 1, unitCents: 499, totalCents: 499 }],
    createdAt,
  });

  it("reads orders as records: our label as refId, EUR cents in rupiah at the adapter's rate, cancelled as failed", async () => {
    const adapter = aluy();
    const placed = await adapter.placeOrder(orderRequest("WBHISTORY01"));
    fake.orders.unshift({ ...oldOrder(1, new Date().toISOString()), status: "CANCELLED", lines: [{ label: "WBHISTORY02", quantity: 1, unitCents: 499, totalCents: 499 }] });
    fake.orders.unshift({ ...oldOrder(2, new Date().toISOString()), status: "PENDING_PAYMENT" });
    const history = await adapter.history(window());
    expect(history.complete).toBe(true);
    const byRef = new Map(history.records.map((record) => [record.providerRef, record]));
    const ours = byRef.get(placed.providerRef!)!;
    expect(ours).toMatchObject({ refId: "WBHISTORY01", status: "success", charged: Math.ceil((fake.orders.at(-1)!.totalCents * eurToIdr) / 100) });
    expect(ours.at).toBeGreaterThan(Date.now() - hour);
    expect(history.records.find((record) => record.refId === "WBHISTORY02")).toMatchObject({ status: "failed" });
    const foreign = byRef.get(oldOrder(2, "").id)!;
    expect(foreign).toMatchObject({ status: "unpaid" });
    expect(foreign.refId).toBeUndefined();
    // Read-only: no password reset, nothing but GET /orders.
    expect(fake.requests.slice(1).every((request) => request.method === "GET" && request.path === "/orders")).toBe(true);
  });

  it("pages newest first and stops at the window's start", async () => {
    const old = new Date(Date.now() - 10 * 24 * hour).toISOString();
    for (let i = 0; i < 250; i++) fake.orders.push(oldOrder(i, old));
    fake.orders.unshift({ ...oldOrder(999, new Date().toISOString()), lines: [{ label: "WBNEWEST001", quantity: 1, unitCents: 499, totalCents: 499 }] });
    const history = await aluy().history(window());
    expect(history.complete).toBe(true);
    expect(history.records.map((record) => record.refId)).toContain("WBNEWEST001");
    expect(fake.count("GET", "/orders")).toBe(1);
  });

  it("stricter: findOrder reads a list under `items` too", async () => {
    const adapter = aluy();
    const placed = await adapter.placeOrder(orderRequest("WBITEMSFIND1"));
    fake.ordersListKey = "items";
    expect(await adapter.findOrder("WBITEMSFIND1")).toMatchObject({ state: "pending", providerRef: placed.providerRef });
  });

  it("stricter: reads a list under `items`, as the document's conventions say lists come", async () => {
    fake.ordersListKey = "items";
    fake.orders.unshift({ ...oldOrder(1, new Date().toISOString()), lines: [{ label: "WBITEMS0001", quantity: 1, unitCents: 499, totalCents: 499 }] });
    const history = await aluy().history(window());
    expect(history.records.map((record) => record.refId)).toEqual(["WBITEMS0001"]);
  });

  it("does not claim an amount for hourly billing, whose order total is 0 while the meter runs", async () => {
    fake.orders.unshift({ ...oldOrder(1, new Date().toISOString()), totalCents: 0, period: "hourly" });
    const history = await aluy({ period: "hourly" }).history(window());
    expect(history.records[0]).toMatchObject({ charged: null });
  });

  it("says when its page bound cut the read short", async () => {
    const recent = new Date().toISOString();
    for (let i = 0; i < 1_100; i++) fake.orders.push(oldOrder(i, recent));
    const history = await aluy().history(window());
    expect(history.complete).toBe(false);
    expect(fake.count("GET", "/orders")).toBe(10);
  });
});


describe("a subscription of several months (issue 14, item 5)", () => {
  it("lists VPS products asking for the period (input months)", async () => {
    const products = await aluy().listProducts();
    expect(products.every((item) => item.input === "months")).toBe(true);
  });

  it("costs the months bought (aluy's totalCents per month) and delivers the paid-until date months ahead", async () => {
    const provider = aluy();
    const request = { ...orderRequest("WBMONTHS3"), inputs: { months: "3" } };
    const placed = await provider.placeOrder(request);
    expect(placed).toMatchObject({ cost: Math.ceil((499 * 3 * eurToIdr) / 100) });
    const ref = { providerRef: placed.providerRef ?? "", refId: "WBMONTHS3", product: preset, inputs: { months: "3" } };
    let outcome = await provider.getStatus(ref);
    for (let poll = 0; poll < 5 && outcome.state !== "success"; poll++) outcome = await provider.getStatus(ref);
    const service = fake.services[0]!;
    expect(outcome.state === "success" && outcome.delivery).toContainEqual({ label: "expires", value: addMonths(service.nextDueAt!, 2) });
    // aluy must renew twice more: renewal stays on until the last paid month has started.
    expect(service.subscriptionCancelledAt).toBeNull();
    expect(fake.count("POST", /\/cancel$/)).toBe(0);

    const paidUntil = Date.parse(addMonths(service.nextDueAt!, 2));
    await provider.syncSubscription({ providerRef: service.id, paidUntil });
    expect(fake.count("POST", /\/cancel$/)).toBe(0);
    // Two renewals later, aluy's current period is the last one paid for: renewal off.
    service.nextDueAt = addMonths(service.nextDueAt!, 2);
    await provider.syncSubscription({ providerRef: service.id, paidUntil });
    expect(service.subscriptionCancelledAt).not.toBeNull();
    await provider.syncSubscription({ providerRef: service.id, paidUntil });
    expect(fake.count("POST", /\/cancel$/)).toBe(1);
  });
});

describe("ALUY_CUSTOM_PLANS (custom specs from /vm-config)", () => {
  it("sells the listed specs in each location, and refuses a malformed list at start-up", async () => {
    const env = { ALUY_BASE_URL: fake.url, ALUY_SESSION_COOKIE: aluyFakeCookie, ALUY_EUR_TO_IDR: String(eurToIdr), ALUY_CUSTOM_PLANS: "4/2/60, 8/4/160" };
    const [provider] = testProviders({ SANDBOX: "off", ...env });
    const products = await provider!.listProducts();
    const custom = products.filter((item) => item.meta?.kind === "custom");
    expect(custom.map((item) => item.sku)).toEqual([
      "custom-4g-2c-60g-fi-hel",
      "custom-4g-2c-60g-de-fra",
      "custom-8g-4c-160g-fi-hel",
      "custom-8g-4c-160g-de-fra",
    ]);
    expect(loadConfig({ CONSOLE: "off", SANDBOX: "off", ...env, ALUY_CUSTOM_PLANS: "4GB" }).ok).toBe(false);
  });
});

describe("the OS chosen at order time (issue 14)", () => {
  const templates = [
    { id: 1, label: "Ubuntu 24.04 LTS" },
    { id: 2, label: "Debian 12" },
    { id: 3, label: "Rocky Linux 9" },
  ];
  const withOs = product({ kind: "preset", variantId: presetVariant, osChoices: JSON.stringify(templates) });

  it("reads the OS list with the catalog from GET /services/:id/templates of a service of ours (GET /products, as documented, has none)", async () => {
    await aluy().placeOrder(orderRequest("WBFIRST01"));
    const products = await aluy().listProducts();
    const meta = products.find((p) => p.sku === presetVariant)?.meta;
    expect(meta).toEqual({ kind: "preset", variantId: presetVariant, osChoices: JSON.stringify(templates) });
    expect(fake.count("GET", /^\/services\/[^/]+\/templates$/)).toBe(1);
  });

  it("offers no OS list (the default OS) while there is no service to ask, and when the list cannot be read", async () => {
    const none = await aluy().listProducts();
    expect(none.every((p) => p.meta?.osChoices === undefined)).toBe(true);
    await aluy().placeOrder(orderRequest("WBFIRST01"));
    fake.fail({ method: "GET", path: /\/templates$/, fault: { kind: "error", status: 502, body: { error: "Upstream provider error" } }, times: 5 });
    const failing = await aluy().listProducts();
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((p) => p.meta?.osChoices === undefined)).toBe(true);
  });

  it("uses templates listed on a catalog product, without a service id (ASSUMPTION: the quick start's 'ship with the catalog package')", async () => {
    fake.products[0]!.templates = [{ id: 7, label: "Alma Linux 9" }];
    const products = await aluy().listProducts();
    expect(products.find((p) => p.sku === presetVariant)?.meta?.osChoices).toBe(JSON.stringify([{ id: 7, label: "Alma Linux 9" }]));
    expect(fake.count("GET", "/services")).toBe(0);
  });

  it("sends the chosen OS as operatingSystemId, and none when the buyer chose none", async () => {
    await aluy().placeOrder({ ...orderRequest("WBOS000001", withOs), inputs: { months: "1", os: "2" } });
    await aluy().placeOrder({ ...orderRequest("WBOS000002", withOs), inputs: { months: "1" } });
    const posts = fake.requests.filter((r) => r.method === "POST" && r.path === "/orders").map((r) => r.body);
    expect(posts).toEqual([
      { variantId: presetVariant, label: "WBOS000001", period: "monthly", operatingSystemId: 2 },
      { variantId: presetVariant, label: "WBOS000002", period: "monthly" },
    ]);
    expect(fake.services.find((s) => s.label === "WBOS000001")?.operatingSystemId).toBe(2);
  });

  it("refuses, before any POST, an OS that is not one of the product's templates", async () => {
    for (const os of ["9", "abc", "-1", "2.5"]) {
      const error = await aluy()
        .placeOrder({ ...orderRequest("WBOS000003", withOs), inputs: { months: "1", os } })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).code).toBe("invalid_input");
    }
    expect(fake.count("POST", "/orders")).toBe(0);
  });
});
