/**
 * `QRIS_GATEWAYS`, `QRIS_FEE_PAYER`, `QRIS_GATEWAY_TIMEOUT_MS`: the default, the order kept, and
 * one clear line per problem (an unknown id, `static` without a payload, a listed gateway's
 * missing credentials, a bad fee payer).
 */
import { describe, expect, it } from "vitest";
import { formatConfigProblems, loadConfig } from "../../src/config.js";
import { staticQris } from "../payments/support.js";

const base = { CONSOLE: "off", SANDBOX: "on" };

function problems(env: Record<string, string>): string {
  const loaded = loadConfig({ ...base, ...env });
  if (loaded.ok) throw new Error("expected problems");
  return formatConfigProblems(loaded.problems);
}

describe("QRIS_GATEWAYS", () => {
  it("defaults to static when a static QRIS is set, and to none otherwise", () => {
    const withStatic = loadConfig({ ...base, QRIS_STATIC_PAYLOAD: staticQris });
    expect(withStatic.ok && withStatic.config.qrisGateways.map((g) => g.id)).toEqual(["static"]);
    expect(withStatic.ok && withStatic.config.paymentMethods).toEqual(["wallet", "qris"]);
    expect(withStatic.ok && withStatic.config.QRIS_FEE_PAYER).toBe("buyer");
    const none = loadConfig(base);
    expect(none.ok && none.config.qrisGateways).toEqual([]);
    expect(none.ok && none.config.paymentMethods).toEqual(["wallet"]);
  });

  it("keeps the listed order, builds each gateway, and offers QRIS without a static payload", () => {
    const loaded = loadConfig({
      ...base,
      QRIS_GATEWAYS: "tripay, static",
      QRIS_STATIC_PAYLOAD: staticQris,
      TRIPAY_API_KEY: "DEV-key",
      TRIPAY_PRIVATE_KEY: "private-key",
      TRIPAY_MERCHANT_CODE: "T1234",
      QRIS_FEE_PAYER: "shop",
    });
    if (!loaded.ok) throw new Error(formatConfigProblems(loaded.problems));
    expect(loaded.config.qrisGateways.map((g) => g.id)).toEqual(["tripay", "static"]);
    expect(loaded.config.QRIS_FEE_PAYER).toBe("shop");
    const only = loadConfig({ ...base, QRIS_GATEWAYS: "tripay", TRIPAY_API_KEY: "DEV-key", TRIPAY_PRIVATE_KEY: "private-key", TRIPAY_MERCHANT_CODE: "T1234" });
    expect(only.ok && only.config.paymentMethods).toEqual(["wallet", "qris"]);
  });

  it("names each problem on one line", () => {
    expect(problems({ QRIS_GATEWAYS: "doku" })).toMatch(/^QRIS_GATEWAYS: unknown gateway "doku" \(known: static, .*\) \(example: QRIS_GATEWAYS=midtrans,static\)$/);
    expect(problems({ QRIS_GATEWAYS: "static" })).toBe(
      "QRIS_STATIC_PAYLOAD: is required when QRIS_GATEWAYS includes static (example: QRIS_STATIC_PAYLOAD=000201010211...6304ABCD)",
    );
    expect(problems({ QRIS_GATEWAYS: "tripay" })).toMatch(/TRIPAY_API_KEY: is required when QRIS_GATEWAYS includes tripay/);
    expect(problems({ QRIS_STATIC_PAYLOAD: staticQris, QRIS_FEE_PAYER: "nobody" })).toBe("QRIS_FEE_PAYER: must be buyer or shop (example: QRIS_FEE_PAYER=buyer)");
    expect(problems({ QRIS_STATIC_PAYLOAD: staticQris, QRIS_GATEWAY_TIMEOUT_MS: "5" })).toMatch(/^QRIS_GATEWAY_TIMEOUT_MS: /);
  });
});
