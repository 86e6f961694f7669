/**
 * Renders a QRIS payload as the PNG the bot sends with an order.
 */

import QRCode from "qrcode";

/**
 * Pixels per module. A QRIS payload (~150–200 chars at level M) is a version 8–10 symbol of 49–57
 * modules, so with the quiet zone this gives ~340–400 px. Telegram shows photos large anyway, and
 * rendering runs on the event loop (~5–8 ms per image at scale 6 on a 2-core server), so we stay small.
 */
const SCALE = 6;

/** Four modules of quiet zone is the QR spec minimum; phone cameras lock on much faster with it. */
const QUIET_ZONE_MODULES = 4;

/**
 * Passed by qrcode to pngjs. PNG's "Up" filter only: a QR's rows repeat the row above in blocks,
 * so it compresses well (~9 KB) in half the render time of pngjs's default, which tries all five
 * filters on every row. @types/qrcode declares only the deflate options, hence the separate
 * constant (deflateLevel 9 is pngjs's default, spelled out).
 */
export const pngOptions = { deflateLevel: 9, filterType: 2 };

/**
 * A PNG of `payload` at error correction M, black on opaque white: a transparent background would
 * show the chat's dark theme through and erase the quiet zone.
 */
export function renderQrPng(payload: string): Promise<Buffer> {
  return QRCode.toBuffer(payload, {
    type: "png",
    errorCorrectionLevel: "M",
    margin: QUIET_ZONE_MODULES,
    scale: SCALE,
    color: { dark: "#000000ff", light: "#ffffffff" },
    rendererOpts: pngOptions,
  });
}
