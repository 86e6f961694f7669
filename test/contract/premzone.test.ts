import { afterEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../src/providers/errors.js";
import { parsePremzonePlans, PremzoneProvider } from "../../src/providers/premzone/adapter.js";
import type { PlaceOrderRequest, ProviderProduct } from "../../src/providers/types.js";
import { silentLogger } from "../../src/logger.js";
import { gmailAddress, startPremzoneFake, type PremzoneFake, type PremzoneFakeOptions } from "../fakes/premzone-server.js";

const plans = [
  { plan: "basic", price: 50_000 },
  { plan: "gold", price: 90_000 },
  { plan: "diamond", price: 150_000 },
];
const webhookSecret = "whsec-premzone-0123456789";

const fakes: PremzoneFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function setup(fakeOptions: PremzoneFakeOptions = {}, overrides: { apiKey?: string; timeoutMs?: number } = {}) {
  const fake = await startPremzoneFake(fakeOptions);
  fakes.push(fake);
  const provider = new PremzoneProvider({
    baseUrl: fake.url,
    apiKey: overrides.apiKey ?? fake.apiKey,
    email: fake.email,
    webhookSecret,
    plans,
    logger: silentLogger,
    timeoutMs: overrides.timeoutMs ?? 300,
    retryDelaysMs: [5, 5, 5],
  });
  return { fake, provider };
}

async function product(provider: PremzoneProvider, plan: string): Promise<ProviderProduct> {
  const found = (await provider.listProducts()).find((item) => item.sku === plan);
  if (!found) throw new Error(`no product for ${plan}`);
  return found;
}

async function order(provider: PremzoneProvider, email: string, plan = "gold", extra: Record<string, string> = {}): Promise<PlaceOrderRequest> {
  return {
    orderId: "ORD-1",
    refId: "REF-1",
    product: await product(provider, plan),
    inputs: { email, ...extra },
    payment: "direct",
  };
}

/** The ProviderError a promise rejects with (fails the test if it resolves or throws something else). */
async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

const paths = {
  info: "/api/accounts/info",
  register: "/api/accounts/register",
  buy: "/api/transactions/buy",
  status: "/api/transactions/status",
};

describe("parsePremzonePlans", () => {
  it("reads the env form into integer rupiah, lower-casing plan names", () => {
    expect(parsePremzonePlans("basic:50000, Gold:90000 ,diamond:150000")).toEqual(plans);
  });

  it.each([
    ["", /entry 1 \(""\): expected "plan:price"/],
    ["basic", /entry 1 \("basic"\): expected "plan:price"/],
    ["basic:50000,gold:9.5", /entry 2 \("gold:9.5"\): price must be a whole number of rupiah/],
    ["basic:abc", /price must be a whole number/],
    ["basic:0", /price must be above 0/],
    ["basic:-5", /price must be a whole number/],
    ["go ld:90000", /plan name must be/],
    ["basic:50000,basic:60000", /entry 2 .*listed twice/],
    ["basic:50000,", /entry 2 \(""\)/],
  ])("refuses %j with a clear message", (text, message) => {
    expect(() => parsePremzonePlans(text)).toThrow(message);
  });
});

describe("PremzoneProvider catalog and balance", () => {
  it("lists the configured plans without calling the API", async () => {
    const { fake, provider } = await setup();
    const products = await provider.listProducts();
    expect(products).toHaveLength(3);
    expect(products[1]).toEqual({
      provider: "premzone",
      sku: "gold",
      code: "PZ-GOLD",
      category: "plan",
      group: "Premzone",
      name: "Premzone Gold",
      basePrice: 90_000,
      stock: null,
      input: "gmail",
      delivery: "plan",
      meta: { plan: "gold" },
    });
    expect(fake.requests).toHaveLength(0);
  });

  it("reads the balance from our own account info, with the documented headers", async () => {
    const { fake, provider } = await setup({ balance: 725_000 });
    expect(await provider.getBalance()).toEqual({ amount: 725_000, currency: "IDR", idr: 725_000 });
    const [request] = fake.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(paths.info);
    expect(request?.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(request?.headers["x-api-email"]).toBe(fake.email);
    expect(request?.headers["content-type"]).toMatch(/^application\/json/);
    expect(request?.headers.accept).toMatch(/application\/json/);
    expect(request?.body).toEqual({ email: fake.email });
  });

  it("spells every documented header exactly as the document does (it says names are case-sensitive)", async () => {
    const { fake, provider } = await setup();
    await provider.getBalance();
    const names = fake.requests.at(-1)?.rawHeaderNames ?? [];
    for (const name of ["Authorization", "X-Api-Email", "Content-Type", "Accept"]) expect(names).toContain(name);
    expect(names).not.toContain("accept");
    expect(names).not.toContain("content-type");
  });

  it("maps a wrong API key to auth, without the key in the message", async () => {
    const { provider } = await setup({}, { apiKey: "wrong-key-123" });
    const error = await failure(provider.getBalance());
    expect(error.code).toBe("auth");
    expect(error.message).not.toContain("wrong-key-123");
  });
});

describe("PremzoneProvider.placeOrder", () => {
  it("registers a new Gmail as our downline, then buys the plan with our balance", async () => {
    const { fake, provider } = await setup({ balance: 200_000 });
    const email = gmailAddress("jane.doe");
    const outcome = await provider.placeOrder(await order(provider, email));

    expect(fake.requests.map((request) => request.path)).toEqual([paths.info, paths.register, paths.buy]);
    expect(fake.requestsTo(paths.register)[0]?.body).toEqual({ email, name: "Jane Doe" });
    expect(fake.requestsTo(paths.buy)[0]?.body).toEqual({ email, plan: "gold", channel_code: "BALANCE", coupon_code: null });
    const reference = [...fake.transactions.keys()][0]!;
    expect(outcome).toEqual({
      state: "success",
      providerRef: reference,
      delivery: [
        { label: "email", value: email },
        { label: "plan", value: "Gold" },
        { label: "invoice", value: `https://premzone.com/member/invoice/${reference}` },
      ],
      // What the buy's answer says it took (its amount) is recorded as the order's cost.
      cost: 90_000,
    });
    expect(fake.balance()).toBe(110_000);
    expect(fake.account(email)?.premiumPlan).toBe("gold");
  });

  it("pads a name from a very short local part so the API accepts the registration", async () => {
    const { fake, provider } = await setup();
    const outcome = await provider.placeOrder(await order(provider, gmailAddress("jo")));
    expect(outcome.state).toBe("success");
    const name = (fake.requestsTo(paths.register)[0]?.body as { name: string }).name;
    expect(name).toBe("Jo Member");
  });

  it("does not register an email that is already our downline", async () => {
    const { fake, provider } = await setup();
    const email = gmailAddress("existing.buyer");
    fake.addDownline(email);
    const outcome = await provider.placeOrder(await order(provider, email, "basic"));
    expect(outcome.state).toBe("success");
    expect(fake.requests.map((request) => request.path)).toEqual([paths.info, paths.buy]);
  });

  it("refuses an email in someone else's tree as invalid input and buys nothing", async () => {
    const { fake, provider } = await setup();
    const email = gmailAddress("someone.else");
    fake.addForeignAccount(email);
    const error = await failure(provider.placeOrder(await order(provider, email)));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(/registered to another account/);
    expect(error.definitive).toBe(true);
    expect(fake.requestsTo(paths.register)).toHaveLength(0);
    expect(fake.requestsTo(paths.buy)).toHaveLength(0);
  });

  it("re-checks ownership when registering says the email is taken (a registration raced us)", async () => {
    const { fake, provider } = await setup();
    const email = gmailAddress("raced.buyer");
    // The first info says "not registered"; by the time we register, the email is ours.
    fake.fault(paths.info, { type: "error", status: 400, message: "Target email is not registered" });
    fake.addDownline(email);
    const outcome = await provider.placeOrder(await order(provider, email));
    expect(outcome.state).toBe("success");
    expect(fake.requests.map((request) => request.path)).toEqual([paths.info, paths.register, paths.info, paths.buy]);
  });

  it("sends a coupon from the inputs", async () => {
    const { fake, provider } = await setup();
    const email = gmailAddress("coupon.buyer");
    fake.addDownline(email);
    await provider.placeOrder(await order(provider, email, "gold", { coupon: "HEMAT10" }));
    expect(fake.requestsTo(paths.buy)[0]?.body).toMatchObject({ coupon_code: "HEMAT10" });
  });

  it("sends an admin's promo code as coupon_code and records the amount charged as the cost", async () => {
    const { fake, provider } = await setup();
    const email = gmailAddress("promo.buyer");
    fake.addDownline(email);
    const outcome = await provider.placeOrder({ ...(await order(provider, email, "gold")), promoCode: "PZPROMO" });
    expect(fake.requestsTo(paths.buy)[0]?.body).toMatchObject({ coupon_code: "PZPROMO" });
    expect(outcome).toMatchObject({ state: "success", cost: expect.any(Number) });
  });

  it("refuses an order without a usable email before calling the API", async () => {
    const { fake, provider } = await setup();
    const error = await failure(provider.placeOrder(await order(provider, "not-an-email")));
    expect(error.code).toBe("invalid_input");
    expect(fake.requests).toHaveLength(0);
  });

  it("returns pending while processing, and getStatus sees it finish", async () => {
    const { fake, provider } = await setup();
    fake.setBuyScenario({ kind: "processing", successAfterStatusCalls: 2 });
    const request = await order(provider, gmailAddress("patient.buyer"), "diamond");
    const placed = await provider.placeOrder(request);
    expect(placed.state).toBe("pending");
    if (placed.state !== "pending") return;
    expect(fake.transactions.has(placed.providerRef)).toBe(true);

    const ref = { providerRef: placed.providerRef, refId: request.refId, product: request.product };
    expect(await provider.getStatus(ref)).toEqual({ state: "pending", providerRef: placed.providerRef });
    expect(await provider.getStatus(ref)).toEqual({
      state: "success",
      providerRef: placed.providerRef,
      delivery: [
        { label: "plan", value: "Diamond" },
        { label: "invoice", value: `https://premzone.com/member/invoice/${placed.providerRef}` },
      ],
    });
    expect(fake.requestsTo(paths.status).map((r) => r.body)).toEqual([
      { reference: placed.providerRef },
      { reference: placed.providerRef },
    ]);
  });

  it("returns failed for a failed transaction", async () => {
    const { fake, provider } = await setup({ balance: 500_000 });
    fake.setBuyScenario({ kind: "failed" });
    const outcome = await provider.placeOrder(await order(provider, gmailAddress("unlucky.buyer")));
    expect(outcome).toMatchObject({ state: "failed", reason: expect.stringContaining("failed") });
    expect(outcome.providerRef).toBe([...fake.transactions.keys()][0]);
    expect(fake.balance()).toBe(500_000);
  });

  it("maps a short balance to insufficient_balance", async () => {
    const { fake, provider } = await setup({ balance: 10_000 });
    const error = await failure(provider.placeOrder(await order(provider, gmailAddress("broke.reseller"))));
    expect(error.code).toBe("insufficient_balance");
    expect(fake.transactions.size).toBe(0);
  });

  it("reads the body status when the HTTP status says 200", async () => {
    const { fake, provider } = await setup({ balance: 10_000, httpStatusMirrorsBody: false });
    const error = await failure(provider.placeOrder(await order(provider, gmailAddress("body.status"))));
    expect(error.code).toBe("insufficient_balance");
    expect(fake.requestsTo(paths.register)).toHaveLength(1);
  });

  it("does not repeat a buy whose answer timed out", async () => {
    const { fake, provider } = await setup({ balance: 200_000 });
    fake.fault(paths.buy, { type: "timeout" });
    const error = await failure(provider.placeOrder(await order(provider, gmailAddress("lost.answer"))));
    expect(error.code).toBe("timeout");
    expect(error.outcomeUnknown).toBe(true);
    expect(fake.requestsTo(paths.buy)).toHaveLength(1);
    expect(fake.balance()).toBe(110_000);
  });

  it("does not repeat a buy answered with an HTML 502", async () => {
    const { fake, provider } = await setup();
    fake.fault(paths.buy, { type: "html", status: 502 });
    const error = await failure(provider.placeOrder(await order(provider, gmailAddress("gateway.down"))));
    expect(error.code).toBe("upstream");
    expect(fake.requestsTo(paths.buy)).toHaveLength(1);
  });

  it("treats garbage from the buy call as malformed (outcome unknown), once", async () => {
    const { fake, provider } = await setup();
    fake.fault(paths.buy, { type: "malformed" });
    const error = await failure(provider.placeOrder(await order(provider, gmailAddress("garbled.answer"))));
    expect(error.code).toBe("malformed");
    expect(error.outcomeUnknown).toBe(true);
    expect(fake.requestsTo(paths.buy)).toHaveLength(1);
  });

  it("reports a failure before the purchase as unavailable, not as an unknown outcome", async () => {
    const { fake, provider } = await setup({}, { timeoutMs: 100 });
    fake.fault(paths.info, { type: "timeout" }, 4);
    const error = await failure(provider.placeOrder(await order(provider, gmailAddress("early.failure"))));
    expect(error.code).toBe("unavailable");
    expect(error.outcomeUnknown).toBe(false);
    expect(fake.requestsTo(paths.info)).toHaveLength(4);
    expect(fake.requestsTo(paths.buy)).toHaveLength(0);
  });

  it("retries a register whose answer was lost and carries on", async () => {
    const { fake, provider } = await setup();
    const email = gmailAddress("retried.register");
    fake.fault(paths.register, { type: "timeout" });
    const outcome = await provider.placeOrder(await order(provider, email));
    expect(outcome.state).toBe("success");
    // The retry hits "already registered"; a fresh info call proves the account is ours.
    expect(fake.requests.map((request) => request.path)).toEqual([paths.info, paths.register, paths.register, paths.info, paths.buy]);
  });

  it("waits for a slow answer within the timeout", async () => {
    const { fake, provider } = await setup({}, { timeoutMs: 1_000 });
    fake.fault(paths.buy, { type: "slow", ms: 150 });
    const outcome = await provider.placeOrder(await order(provider, gmailAddress("slow.buyer")));
    expect(outcome.state).toBe("success");
  });
});

describe("PremzoneProvider errors", () => {
  const ref = async (provider: PremzoneProvider) => ({ providerRef: "INV-NOPE", refId: "REF-1", product: await product(provider, "gold") });

  it("maps 'Transaction not found' to not_found", async () => {
    const { provider } = await setup();
    expect((await failure(provider.getStatus(await ref(provider)))).code).toBe("not_found");
  });

  it.each([
    [{ type: "error", status: 401, message: "Unauthenticated" }, "auth"],
    [{ type: "error", status: 403, message: "Forbidden" }, "auth"],
    [{ type: "error", status: 404, message: "Not Found" }, "not_found"],
    [{ type: "error", status: 500, message: "Server Error" }, "upstream"],
    [{ type: "error", status: 400, message: "The selected plan is invalid" }, "invalid_input"],
    [{ type: "error", status: 400, message: "Insufficient balance" }, "insufficient_balance"],
    [{ type: "error", status: 401, message: "Unauthenticated", httpStatus: 200 }, "auth"],
  ] as const)("maps %j to %s", async (fault, code) => {
    const { fake, provider } = await setup();
    fake.fault(paths.status, fault, 4);
    expect((await failure(provider.getStatus(await ref(provider)))).code).toBe(code);
  });

  it("maps 429 to rate_limited after the safe retries, with Retry-After", async () => {
    const { fake, provider } = await setup();
    fake.fault(paths.status, { type: "error", status: 429, message: "Too Many Attempts.", retryAfterSeconds: 0.01 }, 4);
    const error = await failure(provider.getStatus(await ref(provider)));
    expect(error.code).toBe("rate_limited");
    expect(error.details.retryAfterMs).toBe(10);
    expect(fake.requestsTo(paths.status)).toHaveLength(4);
  });

  it("retries a status read through an HTML 502 and then succeeds", async () => {
    const { fake, provider } = await setup();
    const email = gmailAddress("status.retry");
    fake.setBuyScenario({ kind: "processing", successAfterStatusCalls: 1 });
    const request = await order(provider, email);
    const placed = await provider.placeOrder(request);
    fake.fault(paths.status, { type: "html", status: 502 }, 2);
    const outcome = await provider.getStatus({ providerRef: placed.providerRef!, refId: request.refId, product: request.product });
    expect(outcome.state).toBe("success");
    expect(fake.requestsTo(paths.status)).toHaveLength(3);
  });

  it("maps an HTML 503 page that never goes away to upstream", async () => {
    const { fake, provider } = await setup();
    fake.fault(paths.info, { type: "html", status: 503 }, 4);
    const error = await failure(provider.getBalance());
    expect(error.code).toBe("upstream");
    expect(error.message).not.toContain("<html");
  });

  it("maps a body that is not JSON to malformed", async () => {
    const { fake, provider } = await setup();
    fake.fault(paths.info, { type: "malformed" });
    expect((await failure(provider.getBalance())).code).toBe("malformed");
  });

  it("maps JSON of an unexpected shape to malformed", async () => {
    const { fake, provider } = await setup();
    fake.fault(paths.status, { type: "shape" });
    expect((await failure(provider.getStatus(await ref(provider)))).code).toBe("malformed");
  });

  it("maps a read that never answers to timeout after retrying it", async () => {
    const { fake, provider } = await setup({}, { timeoutMs: 100 });
    fake.fault(paths.info, { type: "timeout" }, 4);
    expect((await failure(provider.getBalance())).code).toBe("timeout");
    expect(fake.requestsTo(paths.info)).toHaveLength(4);
  });
});

describe("PremzoneProvider.parseWebhook", () => {
  const body = JSON.stringify({ reference: "INV26010121MDNH572N5", status: "success" });

  it("reads a webhook with the right secret, whatever the header case", async () => {
    const { provider } = await setup();
    const hint = { providerRef: "INV26010121MDNH572N5", status: "success" };
    expect(
      provider.parseWebhook({
        headers: { "X-Api-Secret": webhookSecret, "X-Webhook-Event": "TRX_STATUS_UPDATE" },
        rawBody: body,
      }),
    ).toEqual(hint);
    expect(
      provider.parseWebhook({
        headers: { "x-api-secret": webhookSecret, "x-webhook-event": "TRX_STATUS_UPDATE", "content-type": "application/json" },
        rawBody: body,
      }),
    ).toEqual(hint);
  });

  it.each([
    ["a wrong secret of the same length", { "x-api-secret": webhookSecret.replace(/.$/, "X") }],
    ["a wrong secret of another length", { "x-api-secret": "short" }],
    ["no secret", {}],
    ["an empty secret", { "x-api-secret": "" }],
  ])("refuses %s as auth", async (_, secretHeader) => {
    const { provider } = await setup();
    const error = (() => {
      try {
        provider.parseWebhook({ headers: { ...secretHeader, "x-webhook-event": "TRX_STATUS_UPDATE" }, rawBody: body });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe("auth");
    expect((error as ProviderError).message).not.toContain(webhookSecret);
  });

  it("refuses every webhook when no secret is configured", async () => {
    const fake = await startPremzoneFake();
    fakes.push(fake);
    const provider = new PremzoneProvider({ baseUrl: fake.url, apiKey: fake.apiKey, email: fake.email, plans });
    expect(() =>
      provider.parseWebhook({ headers: { "x-api-secret": "", "x-webhook-event": "TRX_STATUS_UPDATE" }, rawBody: body }),
    ).toThrow(expect.objectContaining({ code: "auth" }));
  });

  it.each([
    ["a wrong event", { "x-webhook-event": "TRX_CREATED" }, body],
    ["no event", {}, body],
    ["a body that is not JSON", { "x-webhook-event": "TRX_STATUS_UPDATE" }, "reference=INV1&status=success"],
    ["a body without a reference", { "x-webhook-event": "TRX_STATUS_UPDATE" }, JSON.stringify({ status: "success" })],
    ["an unknown status", { "x-webhook-event": "TRX_STATUS_UPDATE" }, JSON.stringify({ reference: "INV1", status: "paid" })],
  ])("refuses %s as malformed", async (_, eventHeader, rawBody) => {
    const { provider } = await setup();
    expect(() => provider.parseWebhook({ headers: { "x-api-secret": webhookSecret, ...eventHeader }, rawBody })).toThrow(
      expect.objectContaining({ code: "malformed" }),
    );
  });
});
