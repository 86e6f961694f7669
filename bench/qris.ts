/**
 * Benchmark 4: what a QRIS image costs per order — the dynamic payload (static QRIS + amount,
 * fresh CRC) and its PNG — against `qrcode` rendering the same payloads alone with the same
 * options. Many short rounds alternate the two variants, and the ratio is the median of the
 * ratios of adjacent rounds, so drift (other work on the machine, JIT, CPU frequency) hits both
 * sides of each pair alike. Rendering is synchronous CPU work on the event loop, so the
 * per-image time is also how long every other chat waits.
 */
import { readFileSync } from "node:fs";
import QRCode from "qrcode";
import { z } from "zod";
import { renderQrPng } from "../src/payments/qr-image.js";
import { toDynamicQris } from "../src/payments/qris.js";
import type { BenchConfig } from "./config.js";
import { fmt, row, type BenchResult } from "./report.js";
import { median } from "./stats.js";

const vectorsFile = new URL("../test/fixtures/qris-vectors.json", import.meta.url);
/** Pairs of rounds; short rounds keep each pair close together in time. */
const rounds = 21;

/** pngjs options (filterType is not in @types/qrcode, so not an object literal below). */
const pngFilterUp = { deflateLevel: 9, filterType: 2 };

/** renderQrPng's options, repeated here so the bare render draws exactly the same image. */
const bareOptions: QRCode.QRCodeToBufferOptions = {
  type: "png",
  errorCorrectionLevel: "M",
  margin: 4,
  scale: 6,
  color: { dark: "#000000ff", light: "#ffffffff" },
  rendererOpts: pngFilterUp,
};

/** The owner's static QRIS from the shared test vectors. */
function staticQris(): string {
  const vectors = z.object({ static_valid: z.array(z.string()).min(1) }).parse(JSON.parse(readFileSync(vectorsFile, "utf8")));
  return vectors.static_valid[0] ?? "";
}

async function timeEach(count: number, work: (index: number) => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) await work(i);
  return (performance.now() - started) / count;
}

function spread(values: readonly number[]): string {
  return `${fmt(Math.min(...values))}–${fmt(Math.max(...values))}`;
}

/** Runs benchmark 4. */
export async function qrisBench(config: BenchConfig): Promise<BenchResult> {
  const base = staticQris();
  const amounts = Array.from({ length: config.qrisN }, (_, i) => 10_000 + i * 137);
  const payloads = amounts.map((amount) => toDynamicQris(base, amount));
  const perRound = Math.max(1, Math.ceil(config.qrisN / rounds));
  const full = (i: number) => renderQrPng(toDynamicQris(base, amounts[i % amounts.length]!));
  const bare = (i: number) => QRCode.toBuffer(payloads[i % payloads.length]!, bareOptions);
  // What the shop rendered before it chose a PNG filter: qrcode's defaults, which try all five.
  const { rendererOpts: _chosenFilter, ...defaultOptions } = bareOptions;
  const defaults = (i: number) => QRCode.toBuffer(payloads[i % payloads.length]!, defaultOptions);
  const payloadOnly = (i: number) => toDynamicQris(base, amounts[i % amounts.length]!);

  // Same image either way, or the comparison would be meaningless.
  const sameImage = (await renderQrPng(payloads[0]!)).equals(await QRCode.toBuffer(payloads[0]!, bareOptions));
  await timeEach(Math.min(20, perRound), full);
  await timeEach(Math.min(20, perRound), bare);

  const fullMs: number[] = [];
  const bareMs: number[] = [];
  const payloadMs: number[] = [];
  const defaultsMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const offset = round * perRound;
    if (round % 2 === 0) {
      fullMs.push(await timeEach(perRound, (i) => full(offset + i)));
      bareMs.push(await timeEach(perRound, (i) => bare(offset + i)));
    } else {
      bareMs.push(await timeEach(perRound, (i) => bare(offset + i)));
      fullMs.push(await timeEach(perRound, (i) => full(offset + i)));
    }
    payloadMs.push(await timeEach(perRound * 10, (i) => payloadOnly(offset + i)));
    defaultsMs.push(await timeEach(perRound, (i) => defaults(offset + i)));
  }
  const fullMedian = median(fullMs);
  const bareMedian = median(bareMs);
  const pairedRatio = median(fullMs.map((ms, round) => ms / (bareMs[round] ?? ms)));
  const png = await renderQrPng(payloads[0]!);
  return {
    name: "qris",
    summary: [
      row({
        bench: "4 qris",
        metric: "ms per order image (dynamic payload + PNG)",
        value: fullMedian,
        unit: "ms",
        baseline: { label: "bare qrcode render", value: bareMedian },
        ratio: pairedRatio,
        target: "<= 1.2x bare",
        met: pairedRatio <= 1.2,
      }),
      row({
        bench: "4 qris, change",
        metric: "ms per order image, Up filter vs qrcode's default PNG filters",
        value: fullMedian,
        unit: "ms",
        baseline: { label: "default filters", value: median(defaultsMs) },
      }),
    ],
    details: [
      {
        title: `4. QRIS per image (${rounds} alternating pairs of rounds of ${perRound}; ratio = median of the pairs' ratios = ${fmt(pairedRatio)}x)`,
        header: ["variant", "median ms/image", "images/s (one core)", "rounds min–max ms/image"],
        rows: [
          ["toDynamicQris + renderQrPng", fmt(fullMedian), fmt(1000 / fullMedian), spread(fullMs)],
          ["qrcode.toBuffer (same payload, same options)", fmt(bareMedian), fmt(1000 / bareMedian), spread(bareMs)],
          ["toDynamicQris alone", fmt(median(payloadMs)), fmt(1000 / median(payloadMs)), spread(payloadMs)],
          ["qrcode.toBuffer, default PNG filters (before the change)", fmt(median(defaultsMs)), fmt(1000 / median(defaultsMs)), spread(defaultsMs)],
        ],
      },
    ],
    notes: [
      `Payload: ${payloads[0]!.length} characters (shared test vector + amount); PNG ${png.length} bytes at scale 6, margin 4, level M.`,
      sameImage
        ? "The bare render produced byte-identical PNGs, so both variants draw the same image."
        : "WARNING: the bare render's PNG differs from renderQrPng's: its options changed; update bareOptions in bench/qris.ts.",
      "Rendering is synchronous on the event loop: each image blocks every other chat of that process for the time shown.",
    ],
    data: { fullMs, bareMs, payloadMs, defaultsMs, fullMedian, bareMedian, pairedRatio, sameImage, pngBytes: png.length, payloadChars: payloads[0]!.length },
  };
}
