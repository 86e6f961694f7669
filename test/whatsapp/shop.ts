/**
 * The WhatsApp shop harness: the real app with the real WhatsApp channel on the fake Baileys
 * socket (real Redis under a fresh prefix), logged in and open, plus a buyer who types and waits
 * for answers. One copy of the set-up the WhatsApp end-to-end tests share.
 *
 * @example
 * let wa: WhatsAppShop;
 * beforeEach(async () => (wa = await startWhatsAppShop({ REFERRAL_PERCENT: "2" })));
 * afterEach(() => wa.cleanup());
 *
 * it("answers the menu", async () => {
 *   const sari = whatsAppBuyer(wa.fake, "6281234560002");
 *   sari.say("/menu");
 *   const main = await sari.expect(shown("menu-main-title"));
 *   sari.say(numberOf(main, phrase("category-data")));
 * });
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppOptions } from "../../src/compose/app.js";
import type { WhatsAppModule } from "../../src/channels/whatsapp/start.js";
import { FakeWhatsApp, type FakeBaileysSocket, type SentRecord } from "../fakes/baileys-socket.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { eventually } from "./clocks.js";

/** What {@link startWhatsAppShop} takes besides the env: any app override, plus the harness's own. */
export interface WhatsAppShopOptions extends Partial<AppOptions> {
  /** The fake WhatsApp to connect to (default: a new one) — pass one to run two processes on it. */
  fake?: FakeWhatsApp;
  /**
   * Log in with a QR and wait for the channel to be open (default true). False for a process that
   * takes over an existing login: the test opens its socket itself.
   */
  open?: boolean;
}

/** A running WhatsApp shop; {@link WhatsAppShop.cleanup} stops it and removes its temp dir. */
export interface WhatsAppShop {
  shop: TestApp;
  fake: FakeWhatsApp;
  wa: WhatsAppModule;
  /** The open socket (after the login's restart); undefined when started with `open: false`. */
  socket: FakeBaileysSocket | undefined;
  /** A temp dir of its own (holds the QR file). */
  dir: string;
  cleanup: () => Promise<void>;
}

/**
 * Starts the app with WhatsApp enabled on a fake socket: 20 sends a second, the QR file in a temp
 * dir, no terminal output, no typing pause, 20–40 ms reconnect back-off. `env` adds to (or
 * replaces) those variables; `overrides.whatsAppTuning` adds to the tuning; other overrides go to
 * {@link startTestApp} as they are.
 */
export async function startWhatsAppShop(env: Record<string, string> = {}, overrides: WhatsAppShopOptions = {}): Promise<WhatsAppShop> {
  const { fake = new FakeWhatsApp(), open = true, whatsAppTuning, ...appOptions } = overrides;
  const dir = mkdtempSync(join(tmpdir(), "wa-shop-"));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  let shop: TestApp;
  try {
    shop = await startTestApp(
      { WHATSAPP_ENABLED: "true", WHATSAPP_SEND_PER_SECOND: "20", WHATSAPP_QR_FILE: join(dir, "qr.png"), ...env },
      {
        makeWhatsAppSocket: fake.make,
        ...appOptions,
        whatsAppTuning: { print: () => undefined, typingMs: 0, backoff: { baseMs: 20, maxMs: 40 }, ...whatsAppTuning },
      },
    );
  } catch (error) {
    removeDir();
    throw error;
  }
  const cleanup = async () => {
    await shop.cleanup();
    removeDir();
  };
  const wa = shop.app.whatsapp!;
  let socket: FakeBaileysSocket | undefined;
  if (open) {
    try {
      socket = await fake.loginAndOpen();
      await eventually(() => wa.connection.state === "open");
    } catch (error) {
      await cleanup();
      throw error;
    }
  }
  return { shop, fake, wa, socket, dir, cleanup };
}

/** Who writes in {@link whatsAppChat}: the group author (`participant`) and the display name. */
export interface ChatAuthor {
  participant?: string;
  pushName?: string;
}

/**
 * Someone writing in chat `jid` (a buyer's own chat, or a group as `participant`): `say` delivers
 * a text; `expect` waits for the shop's message to that chat matching `part` (and `where`), sent
 * since the last `say`.
 *
 * @example
 * const admin = whatsAppChat(fake, "120363000000000009@g.us", { participant: "6281100000009@s.whatsapp.net" });
 * admin.say(".stock new GAME1 15000 Voucher game");
 * await admin.expect(shown("admin-stock-created", { code: "GAME1" }));
 */
export function whatsAppChat(fake: FakeWhatsApp, jid: string, author: ChatAuthor = {}) {
  let since = fake.sent.length;
  return {
    jid,
    say(text: string) {
      since = fake.sent.length;
      return fake.latest.receive({
        chat: jid,
        text,
        ...(author.participant !== undefined ? { participant: author.participant } : {}),
        ...(author.pushName !== undefined ? { pushName: author.pushName } : {}),
      });
    },
    expect: (part: RegExp, where: (record: SentRecord) => boolean = () => true) =>
      fake.waitForSent((record) => record.jid === jid && part.test(record.text) && where(record), { since }),
  };
}

/** A buyer writing from `phone` (digits, e.g. "6281234560001") in their private chat. */
export function whatsAppBuyer(fake: FakeWhatsApp, phone: string, pushName = "Sari") {
  return whatsAppChat(fake, `${phone}@s.whatsapp.net`, { pushName });
}

/**
 * The number in front of the menu line containing `label` — what a WhatsApp buyer types to pick it.
 *
 * @example
 * sari.say(numberOf(confirm, phrase("menu-item-confirm"))); // "1"
 */
export function numberOf(menu: SentRecord, label: string): string {
  const line = menu.text.split("\n").find((candidate) => /^\d+\. /.test(candidate) && candidate.includes(label));
  if (!line) throw new Error(`no "${label}" in menu:\n${menu.text}`);
  return line.split(".")[0]!;
}
