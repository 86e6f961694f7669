import { describe, expect, it } from "vitest";
import { chosenOs, describeInputs, inputKinds, normalizeIndonesianPhone, orderUnits, osChoicesOf, parseTargetInput } from "../../src/providers/inputs.js";

describe("normalizeIndonesianPhone", () => {
  it.each([
    ["081234567890", "081234567890"],
    ["0812 3456 7890", "081234567890"],
    ["0812-3456-7890", "081234567890"],
    ["0812.3456.7890", "081234567890"],
    ["(0812) 3456-7890", "081234567890"],
    ["6281234567890", "081234567890"],
    ["62 812 3456 7890", "081234567890"],
    ["+6281234567890", "081234567890"],
    ["+62 812-3456-7890", "081234567890"],
    ["81234567890", "081234567890"],
    ["0895123456", "0895123456"], // 10 digits, the shortest accepted
    ["08951234567890", "08951234567890"], // 14 digits, the longest accepted
  ])("%j → %j", (raw, phone) => {
    expect(normalizeIndonesianPhone(raw)).toBe(phone);
  });

  it.each([
    ["", "empty"],
    ["081234567", "too short (9 digits)"],
    ["6281234567", "too short after +62"],
    ["081234567890123", "too long (15 digits)"],
    ["0213456789", "Jakarta landline (021)"],
    ["+62 21 345 6789", "landline with country code"],
    ["0712345678", "not a mobile prefix"],
    ["+6208123456789", "+62 followed by the trunk 0"],
    ["+1 415 555 0100", "foreign number"],
    ["0812abc4567", "letters"],
    ["0812_3456_7890", "underscore separators"],
    ["++6281234567890", "double plus"],
    ["0812 3456 7890 ext 2", "trailing words"],
  ])("rejects %j (%s)", (raw) => {
    expect(normalizeIndonesianPhone(raw)).toBeNull();
  });
});

describe("parseTargetInput", () => {
  it("knows every input kind", () => {
    expect([...inputKinds].sort()).toEqual(["email", "game_id", "game_id_zone", "gmail", "months", "none", "panel_username", "phone"]);
  });

  describe("none", () => {
    it("accepts anything and produces no fields", () => {
      expect(parseTargetInput("none", "")).toEqual({ ok: true, inputs: {} });
      expect(parseTargetInput("none", "whatever")).toEqual({ ok: true, inputs: {} });
    });
  });

  describe("phone", () => {
    it("normalises to the local 08… form", () => {
      expect(parseTargetInput("phone", "+62 812-3456-7890")).toEqual({ ok: true, inputs: { phone: "081234567890" } });
      expect(parseTargetInput("phone", " 6285712345678 ")).toEqual({ ok: true, inputs: { phone: "085712345678" } });
    });

    it("rejects a non-mobile number with the phone reason", () => {
      expect(parseTargetInput("phone", "021-345-6789")).toEqual({ ok: false, reason: "input-error-phone" });
      expect(parseTargetInput("phone", "0812")).toEqual({ ok: false, reason: "input-error-phone" });
    });
  });

  describe("game_id", () => {
    it("accepts 4–20 digits", () => {
      expect(parseTargetInput("game_id", "1234")).toEqual({ ok: true, inputs: { userId: "1234" } });
      expect(parseTargetInput("game_id", " 987654321 ")).toEqual({ ok: true, inputs: { userId: "987654321" } });
      expect(parseTargetInput("game_id", "1".repeat(20))).toEqual({ ok: true, inputs: { userId: "1".repeat(20) } });
    });

    it.each(["123", "1".repeat(21), "12a45", "1234 5678", "-12345", ""])("rejects %j", (text) => {
      expect(parseTargetInput("game_id", text)).toEqual({ ok: false, reason: "input-error-game-id" });
    });
  });

  describe("game_id_zone", () => {
    it.each([
      "12345678 1234",
      "12345678  1234",
      "12345678(1234)",
      "12345678 (1234)",
      "12345678 ( 1234 )",
      "12345678|1234",
      "12345678 | 1234",
      "12345678/1234",
      "12345678:1234",
      "12345678,1234",
      "12345678.1234",
      "12345678-1234",
      "  12345678 (1234)  ",
    ])("reads %j as id 12345678, zone 1234", (text) => {
      expect(parseTargetInput("game_id_zone", text)).toEqual({ ok: true, inputs: { userId: "12345678", zoneId: "1234" } });
    });

    it("accepts zones of 1–8 digits", () => {
      expect(parseTargetInput("game_id_zone", "12345678 1")).toEqual({ ok: true, inputs: { userId: "12345678", zoneId: "1" } });
      expect(parseTargetInput("game_id_zone", "12345678 12345678")).toEqual({ ok: true, inputs: { userId: "12345678", zoneId: "12345678" } });
    });

    it.each(["12345678", "123456781234", "12345678 (abcd)", "123 (1234)", "12345678 123456789", "12345678 (1234) extra", "id 12345678 1234", ""])(
      "rejects %j with the id+zone reason",
      (text) => {
        expect(parseTargetInput("game_id_zone", text)).toEqual({ ok: false, reason: "input-error-game-id-zone" });
      },
    );
  });

  describe("email", () => {
    it("accepts an address, trimmed and lower-cased", () => {
      expect(parseTargetInput("email", " Budi.Santoso@Example.co.id ")).toEqual({ ok: true, inputs: { email: "budi.santoso@example.co.id" } });
    });

    it.each(["budi", "budi@", "@example.com", "budi@example", "budi santoso@example.com"])("rejects %j", (text) => {
      expect(parseTargetInput("email", text)).toEqual({ ok: false, reason: "input-error-email" });
    });
  });

  describe("gmail", () => {
    it("accepts gmail.com and googlemail.com, lower-cased", () => {
      expect(parseTargetInput("gmail", "Budi@GMAIL.com")).toEqual({ ok: true, inputs: { email: "budi@gmail.com" } });
      expect(parseTargetInput("gmail", "budi@googlemail.com")).toEqual({ ok: true, inputs: { email: "budi@googlemail.com" } });
    });

    it("explains that another provider's address is not a Gmail address", () => {
      expect(parseTargetInput("gmail", "budi@yahoo.com")).toEqual({ ok: false, reason: "input-error-gmail" });
      expect(parseTargetInput("gmail", "budi@gmail.com.evil.example")).toEqual({ ok: false, reason: "input-error-gmail" });
    });

    it("says the address is invalid when it is not an address at all", () => {
      expect(parseTargetInput("gmail", "budi")).toEqual({ ok: false, reason: "input-error-email" });
    });
  });

  describe("panel_username", () => {
    it("accepts 3–30 characters starting with a letter, lower-cased", () => {
      expect(parseTargetInput("panel_username", "Budi_01")).toEqual({ ok: true, inputs: { username: "budi_01" } });
      expect(parseTargetInput("panel_username", "a.b-c")).toEqual({ ok: true, inputs: { username: "a.b-c" } });
      expect(parseTargetInput("panel_username", "abc")).toEqual({ ok: true, inputs: { username: "abc" } });
      expect(parseTargetInput("panel_username", `a${"b".repeat(29)}`)).toEqual({ ok: true, inputs: { username: `a${"b".repeat(29)}` } });
    });

    it.each(["ab", "1budi", "_budi", "budi santoso", "budi!", `a${"b".repeat(30)}`, "bud😀"])("rejects %j", (text) => {
      expect(parseTargetInput("panel_username", text)).toEqual({ ok: false, reason: "input-error-panel-username" });
    });
  });

  describe("length cap", () => {
    it.each(inputKinds)("rejects more than 200 characters for %s", (kind) => {
      expect(parseTargetInput(kind, "1".repeat(201))).toEqual({ ok: false, reason: "input-error-too-long" });
    });

    it("still reads 200 characters", () => {
      expect(parseTargetInput("none", "x".repeat(200))).toEqual({ ok: true, inputs: {} });
      expect(parseTargetInput("game_id", `${" ".repeat(190)}12345678`)).toEqual({ ok: true, inputs: { userId: "12345678" } });
    });
  });
});

describe("describeInputs", () => {
  it("shows id and zone together, other fields as they are", () => {
    expect(describeInputs({ userId: "12345678", zoneId: "1234" })).toBe("12345678 (1234)");
    expect(describeInputs({ userId: "12345678" })).toBe("12345678");
    expect(describeInputs({ phone: "081234567890" })).toBe("081234567890");
    expect(describeInputs({})).toBe("");
  });
});

describe("months (a subscription period)", () => {
  it.each([
    ["1", "1"],
    ["3", "3"],
    [" 6 bulan ", "6"],
    ["12 months", "12"],
  ])("reads %j as %s months", (text, months) => {
    expect(parseTargetInput("months", text)).toEqual({ ok: true, inputs: { months } });
  });

  it.each(["2", "0", "24", "tiga", "-3", "3.5"])("refuses %j: only 1, 3, 6 or 12", (text) => {
    expect(parseTargetInput("months", text)).toEqual({ ok: false, reason: "input-error-months" });
  });

  it("counts the months of an order (1 for any product without a period)", () => {
    expect(orderUnits({ months: "6" })).toBe(6);
    expect(orderUnits({ phone: "081234567890" })).toBe(1);
  });
});

describe("OS choices (aluy templates on product meta)", () => {
  const meta = { kind: "preset", osChoices: JSON.stringify([{ id: 1, label: "Ubuntu 24.04 LTS" }, { id: 2, label: "Debian 12" }]) };

  it("reads the list from meta, and none from a missing or malformed one", () => {
    expect(osChoicesOf(meta).map((choice) => choice.id)).toEqual([1, 2]);
    expect(osChoicesOf(undefined)).toEqual([]);
    expect(osChoicesOf({ osChoices: "not json" })).toEqual([]);
    expect(osChoicesOf({ osChoices: JSON.stringify([{ id: "1", label: "Ubuntu" }]) })).toEqual([]);
    expect(osChoicesOf({ osChoices: JSON.stringify([{ id: 0, label: "Ubuntu" }]) })).toEqual([]);
  });

  it("takes only an OS id of the product's list; none chosen is the provider's default", () => {
    expect(chosenOs({ months: "1" }, meta)).toBeNull();
    expect(chosenOs({ os: "2" }, meta)).toEqual({ id: 2, label: "Debian 12" });
    for (const os of ["3", "02x", "1.0", "", " 1", "-1"]) expect(chosenOs({ os }, meta)).toBe("invalid");
    expect(chosenOs({ os: "1" }, {})).toBe("invalid");
  });

  it("leaves the OS id out of the target line", () => {
    expect(describeInputs({ months: "3", os: "2" })).toBe("3");
  });
});
