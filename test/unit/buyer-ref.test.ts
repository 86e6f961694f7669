/**
 * Buyer references: each channel writes its buyer keys as `buyerKey` does, and reads what an
 * admin types (`tg:…`, `wa:0812…`, a bare id) the way `/credit` and `/user` always have.
 */
import { describe, expect, it } from "vitest";
import { consoleBuyerRefs, parseBuyerRefs, telegramBuyerRefs, whatsappBuyerRefs } from "../../src/core/buyer-ref.js";
import { buyerKey } from "../../src/core/inbound.js";

describe("buyer references", () => {
  it("writes the same keys as buyerKey", () => {
    expect(telegramBuyerRefs.buyerRef("501")).toBe(buyerKey({ channel: "telegram", userId: "501" }));
    expect(whatsappBuyerRefs.buyerRef("6281234567890")).toBe("whatsapp:6281234567890");
    expect(consoleBuyerRefs.buyerRef("local")).toBe("console:local");
  });

  it("reads a reference that names its channel as that channel only", () => {
    expect(parseBuyerRefs("telegram:501")).toEqual(["telegram:501"]);
    expect(parseBuyerRefs("TG:+501")).toEqual(["telegram:501"]);
    expect(parseBuyerRefs("wa:0812345678")).toEqual(["whatsapp:62812345678"]);
    expect(parseBuyerRefs("whatsapp:+628123")).toEqual(["whatsapp:628123"]);
    expect(telegramBuyerRefs.parseBuyerRef("wa:0812345678")).toBeNull();
  });

  it("tries a bare id on every channel that reads digits, and names nothing for junk", () => {
    expect(parseBuyerRefs("0812345678")).toEqual(["telegram:0812345678", "whatsapp:62812345678"]);
    expect(parseBuyerRefs("+6281234")).toEqual(["telegram:6281234", "whatsapp:6281234"]);
    for (const junk of ["", "12", "telegram:", "whatsapp:+", "console:local", "xx:123", "9".repeat(21), "1 2"]) {
      expect(parseBuyerRefs(junk), junk).toEqual([]);
    }
  });
});
