/**
 * The pure parts of referrals: the reward (percent of the price, floored to rupiah), the window
 * after linking, codes (unambiguous alphabet, case-insensitive) and how an arrival is read, plus
 * the two variables.
 */
import { describe, expect, it } from "vitest";
import { arrivalCode, newReferralCode, referralCodeAlphabet, referralReward, withinReferralWindow } from "../../src/commerce/referrals.js";
import { referralLink } from "../../src/commerce/referral-feature.js";
import { formatConfigProblems, loadConfig } from "../../src/config.js";

const day = 24 * 60 * 60_000;

describe("referralReward", () => {
  it("is the percentage of the price, floored to whole rupiah", () => {
    expect(referralReward(18_000, 2)).toBe(360);
    expect(referralReward(18_500, 2.5)).toBe(462); // 462.5
    expect(referralReward(99, 1)).toBe(0); // 0.99
    expect(referralReward(1_000_000, 0.01)).toBe(100);
  });

  it("is nothing when off or for a free order", () => {
    expect(referralReward(18_000, 0)).toBe(0);
    expect(referralReward(0, 2)).toBe(0);
  });

  it("does not drift on decimals that binary floats cannot hold", () => {
    // 2.55 * 100 is 254.99999999999997 in floating point; the basis points are 255.
    expect(referralReward(10_000, 2.55)).toBe(255);
    expect(referralReward(20_000, 0.29)).toBe(58);
  });
});

describe("withinReferralWindow", () => {
  const linkedAt = Date.UTC(2026, 0, 1);
  it("counts orders from the link up to REFERRAL_DAYS after it, inclusive", () => {
    expect(withinReferralWindow(linkedAt, linkedAt, 90)).toBe(true);
    expect(withinReferralWindow(linkedAt, linkedAt + 90 * day, 90)).toBe(true);
    expect(withinReferralWindow(linkedAt, linkedAt + 90 * day + 1, 90)).toBe(false);
    expect(withinReferralWindow(linkedAt, linkedAt - 1, 90)).toBe(false);
  });
});

describe("codes", () => {
  it("are 6 characters without look-alikes", () => {
    for (let i = 0; i < 200; i++) {
      const code = newReferralCode();
      expect(code).toMatch(/^[A-Z2-9]{6}$/);
      for (const char of code) expect(referralCodeAlphabet).toContain(char);
    }
    for (const lookalike of ["0", "O", "1", "I", "L"]) expect(referralCodeAlphabet).not.toContain(lookalike);
  });

  it("are read from a /start payload or a REF text, in any case", () => {
    expect(arrivalCode("start", "ref_k7mzq2")).toBe("K7MZQ2");
    expect(arrivalCode("start", "REF-K7MZQ2")).toBe("K7MZQ2");
    expect(arrivalCode("text", "REF K7MZQ2")).toBe("K7MZQ2");
    expect(arrivalCode("text", "  ref   k7mzq2 ")).toBe("K7MZQ2");
    expect(arrivalCode("text", "ref: k7mzq2")).toBe("K7MZQ2");
  });

  it("are not read from anything else", () => {
    expect(arrivalCode("start", "K7MZQ2")).toBeNull(); // another deep link's payload
    expect(arrivalCode("start", "ref_")).toBeNull();
    expect(arrivalCode("start", "ref_AB")).toBeNull(); // too short
    expect(arrivalCode("text", "REF")).toBeNull();
    expect(arrivalCode("text", "REFK7MZQ2")).toBeNull(); // a product code, perhaps
    expect(arrivalCode("text", "REF K7MZQ2 please")).toBeNull();
    expect(arrivalCode("text", "REF K7M/Q2")).toBeNull();
    expect(arrivalCode("text", `REF ${"A".repeat(13)}`)).toBeNull();
  });
});

describe("referralLink", () => {
  const links = { telegramUsername: () => "warung_bot", whatsappNumber: "6281234567890" };
  it("is a deep link on Telegram and a wa.me link that types REF on WhatsApp", () => {
    expect(referralLink("telegram", "K7MZQ2", links)).toBe("https://t.me/warung_bot?start=ref_K7MZQ2");
    expect(referralLink("whatsapp", "K7MZQ2", links)).toBe("https://wa.me/6281234567890?text=REF%20K7MZQ2");
  });
  it("is absent where it cannot be made", () => {
    expect(referralLink("telegram", "K7MZQ2", { telegramUsername: () => null, whatsappNumber: null })).toBeNull();
    expect(referralLink("whatsapp", "K7MZQ2", { telegramUsername: () => null, whatsappNumber: null })).toBeNull();
    expect(referralLink("console", "K7MZQ2", links)).toBeNull();
  });
});

describe("REFERRAL_PERCENT and REFERRAL_DAYS", () => {
  const load = (env: Record<string, string>) => loadConfig({ CONSOLE: "off", ...env });

  it("default to off and 90 days", () => {
    const loaded = load({});
    expect(loaded.ok && loaded.config.REFERRAL_PERCENT).toBe(0);
    expect(loaded.ok && loaded.config.REFERRAL_DAYS).toBe(90);
  });

  it("take a percentage with up to 2 decimals", () => {
    const loaded = load({ REFERRAL_PERCENT: "2.5", REFERRAL_DAYS: "30" });
    expect(loaded.ok && loaded.config.REFERRAL_PERCENT).toBe(2.5);
    expect(loaded.ok && loaded.config.REFERRAL_DAYS).toBe(30);
  });

  it("refuse a bad value in one line naming the variable and an example", () => {
    for (const [name, value] of [
      ["REFERRAL_PERCENT", "two"],
      ["REFERRAL_PERCENT", "60"],
      ["REFERRAL_PERCENT", "-1"],
      ["REFERRAL_PERCENT", "2.555"],
      ["REFERRAL_DAYS", "0"],
      ["REFERRAL_DAYS", "1.5"],
    ] as const) {
      const loaded = load({ [name]: value });
      expect(loaded.ok).toBe(false);
      if (loaded.ok) continue;
      const text = formatConfigProblems(loaded.problems);
      expect(text.split("\n")).toHaveLength(1);
      expect(text).toMatch(new RegExp(`^${name}: .+`));
      if (name === "REFERRAL_PERCENT") expect(text).toContain("(example: REFERRAL_PERCENT=2)");
    }
  });
});
