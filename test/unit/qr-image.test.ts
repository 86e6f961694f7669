import { readFileSync } from "node:fs";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { crc16Hex } from "../../src/payments/crc16.js";
import { renderQrPng } from "../../src/payments/qr-image.js";
import { toDynamicQris } from "../../src/payments/qris.js";

const vectors = z
  .object({ static_valid: z.array(z.string()).min(1), static_with_amount_tag: z.string() })
  .parse(JSON.parse(readFileSync(new URL("../fixtures/qris-vectors.json", import.meta.url), "utf8")));

/** A static with a non-ASCII merchant name (CRC computed independently), to prove scanners get UTF-8. */
const UNICODE_STATIC =
  "00020101021126450019ID.CO.WARUNGPAY.WWW0118936009990000067890520458125303360570155802ID5911Kedai Sé ☕😀6010Yogyakarta62060702A163043968";

const QUIET_ZONE_MODULES = 4;
/** The finder pattern in the top-left corner is 7 modules wide, which tells us the module size. */
const FINDER_MODULES = 7;

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function decode(png: PNG): ReturnType<typeof jsQR.default> {
  return jsQR.default(new Uint8ClampedArray(png.data), png.width, png.height);
}

function pixel(png: PNG, x: number, y: number): readonly number[] {
  const at = (y * png.width + x) * 4;
  return [...png.data.subarray(at, at + 4)];
}

function isDark(png: PNG, x: number, y: number): boolean {
  return (pixel(png, x, y)[0] ?? 255) < 128;
}

function darkBox(png: PNG): Box {
  const box = { minX: png.width, minY: png.height, maxX: -1, maxY: -1 };
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      if (isDark(png, x, y)) {
        box.minX = Math.min(box.minX, x);
        box.minY = Math.min(box.minY, y);
        box.maxX = Math.max(box.maxX, x);
        box.maxY = Math.max(box.maxY, y);
      }
    }
  }
  return box;
}

/** Pixels per module, from the dark run of the finder pattern's top edge. */
function moduleSize(png: PNG, box: Box): number {
  let run = 0;
  while (isDark(png, box.minX + run, box.minY)) run++;
  expect(run % FINDER_MODULES).toBe(0);
  return run / FINDER_MODULES;
}

describe("renderQrPng", () => {
  const base = vectors.static_valid[0] ?? "";

  it.each([
    ["shared static, 18500", () => toDynamicQris(base, 18500)],
    ["static with amount tag, 9999999999999", () => toDynamicQris(vectors.static_with_amount_tag, 9_999_999_999_999)],
    ["non-ASCII merchant name, 1", () => toDynamicQris(UNICODE_STATIC, 1)],
  ])("decodes back to exactly the dynamic payload (%s)", async (_name, make) => {
    const payload = make();
    const png = PNG.sync.read(await renderQrPng(payload));
    const decoded = decode(png);
    expect(decoded?.data).toBe(payload);
    // The wallet checks the CRC over the bytes it scanned, so those must be the payload's UTF-8.
    expect(Buffer.from(decoded?.binaryData ?? [])).toEqual(Buffer.from(payload, "utf8"));
    expect(crc16Hex(Buffer.from(decoded?.binaryData ?? []).subarray(0, -4))).toBe(payload.slice(-4));
  });

  it("leaves an opaque white quiet zone of at least 4 modules on every side", async () => {
    const png = PNG.sync.read(await renderQrPng(toDynamicQris(base, 18500)));
    const box = darkBox(png);
    const quiet = QUIET_ZONE_MODULES * moduleSize(png, box);

    expect(box.minX).toBeGreaterThanOrEqual(quiet);
    expect(box.minY).toBeGreaterThanOrEqual(quiet);
    expect(png.width - 1 - box.maxX).toBeGreaterThanOrEqual(quiet);
    expect(png.height - 1 - box.maxY).toBeGreaterThanOrEqual(quiet);
    let notWhite = 0;
    for (let y = 0; y < png.height; y++) {
      for (let x = 0; x < png.width; x++) {
        const outside = x < box.minX || x > box.maxX || y < box.minY || y > box.maxY;
        if (outside && pixel(png, x, y).join(",") !== "255,255,255,255") notWhite++;
      }
    }
    expect(notWhite).toBe(0);
  });

  it("is square, crisp and sized for a phone screen without costly large renders", async () => {
    const png = PNG.sync.read(await renderQrPng(toDynamicQris(base, 18500)));
    const size = moduleSize(png, darkBox(png));

    expect(png.width).toBe(png.height);
    expect(png.width).toBeGreaterThanOrEqual(300);
    expect(png.width).toBeLessThanOrEqual(450);
    expect(size).toBeGreaterThanOrEqual(4);
    expect(size).toBeLessThanOrEqual(6);
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4) colours.add([...png.data.subarray(i, i + 4)].join(","));
    expect([...colours].sort()).toEqual(["0,0,0,255", "255,255,255,255"]);
  });
});
