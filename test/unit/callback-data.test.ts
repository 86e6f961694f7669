import { describe, expect, it } from "vitest";
import { decodeMenuPress, encodeMenuPress } from "../../src/bot/callback-data.js";

/** Telegram rejects callback_data longer than 64 bytes. */
const telegramLimitBytes = 64;

describe("menu press callback data", () => {
  it.each([
    [0, 0],
    [1, 0],
    [42, 7],
    [123_456, 999],
    [999_999_999, 999],
  ])("round-trips menu %i, item %i", (menuId, index) => {
    const data = encodeMenuPress(menuId, index);
    expect(decodeMenuPress(data)).toEqual({ menuId, index });
  });

  it("uses the versioned m1 format", () => {
    expect(encodeMenuPress(12, 3)).toBe("m1:12:3");
  });

  it("fits Telegram's 64-byte limit even for the largest accepted values", () => {
    expect(Buffer.byteLength(encodeMenuPress(999_999_999, 999), "utf8")).toBeLessThanOrEqual(telegramLimitBytes);
  });

  it("returns exactly the two fields, as numbers", () => {
    const press = decodeMenuPress("m1:007:01");
    expect(press).toEqual({ menuId: 7, index: 1 });
    expect(Object.keys(press ?? {}).sort()).toEqual(["index", "menuId"]);
  });

  it.each(["m0:1:1", "m2:1:1", "m10:1:1", "M1:1:1", "v1:1:1", "1:1"])("rejects another version or prefix: %j", (data) => {
    expect(decodeMenuPress(data)).toBeNull();
  });

  it.each([
    "",
    " ",
    "m1",
    "m1:",
    "m1::1",
    "m1:1:",
    "m1:1",
    "m1:1:1:1",
    "m1:a:1",
    "m1:1:b",
    "m1:-1:1",
    "m1:1:-1",
    "m1:1.5:1",
    "m1:1:1 ",
    " m1:1:1",
    "m1:1:1\n",
    "m1:١:1",
    "m1:1e3:1",
    "m1:0x1:1",
    "prod:ML86",
    '{"menu":1}',
  ])("rejects garbage %j", (data) => {
    expect(decodeMenuPress(data)).toBeNull();
  });

  it("rejects numbers too large to be ours instead of losing precision", () => {
    expect(decodeMenuPress("m1:1000000000:0")).toBeNull();
    expect(decodeMenuPress("m1:1:1000")).toBeNull();
    expect(decodeMenuPress(`m1:${"9".repeat(30)}:1`)).toBeNull();
    expect(decodeMenuPress(`m1:1:${"9".repeat(30)}`)).toBeNull();
  });

  it("rejects anything longer than 64 characters", () => {
    expect(decodeMenuPress(`m1:1:1${" ".repeat(64)}`)).toBeNull();
    expect(decodeMenuPress("x".repeat(10_000))).toBeNull();
  });
});
