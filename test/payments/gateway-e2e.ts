/**
 * Harness of the end-to-end gateway tests (issue 15): the real app long-polling the fake Telegram
 * Bot API, with only API gateways in `QRIS_GATEWAYS` (no static QRIS), an admin group with one
 * admin, a counting sandbox provider, the HTTP server on a free port receiving the gateways'
 * notifications, and drivers for a buyer and the admin.
 *
 * `SANDBOX=off` (the sandbox provider is passed in directly) so `/topup` opens a QRIS at the
 * gateway instead of crediting sandbox money. The periodic sweep is pushed out of the way:
 * tests run its chores themselves (`payments.pollGateways(now)`, `payments.expireDue(now)`) at a
 * chosen time, so nothing depends on a timer firing.
 *
 * @example
 * const e2e = await startGatewayE2e({ QRIS_GATEWAYS: "midtrans,pakasir", ...midtransEnv(midtrans) });
 * const { buyer, photo, orderId } = await e2e.buyByQris(7001);
 */
import type { FakeMidtransServer } from "../fakes/midtrans-server.js";
import type { FakePakasirServer } from "../fakes/pakasir-server.js";
import { startFakeTelegram, textOf, type FakeChat, type FakeTelegram, type FakeUser, type SentMessage } from "../fakes/telegram-api.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { phrase, shown } from "../helpers/shown.js";
import { CountingSandbox, telegramBuyer } from "./support.js";

/** The admin group of every gateway e2e shop. */
export const adminGroup: FakeChat = { id: -1001000000015, type: "supergroup", title: "Warung admins" };
/** Its one configured admin. */
export const owner: FakeUser = { id: 515, first_name: "Owner", language_code: "id" };

/** Free Fire 70 Diamonds, the product every buyer here takes (sandbox price). */
export const productPrice = 9_500;
/** `PAYMENT_TTL_MINUTES` default: a payment is due for expiry after this. */
export const ttlMs = 15 * 60_000;

/** The Midtrans module's variables pointing at a fake. */
export function midtransEnv(fake: FakeMidtransServer): Record<string, string> {
  return { MIDTRANS_SERVER_KEY: fake.serverKey, MIDTRANS_BASE_URL: fake.url };
}

/** The Pakasir module's variables pointing at a fake. */
export function pakasirEnv(fake: FakePakasirServer): Record<string, string> {
  return { PAKASIR_PROJECT: fake.project, PAKASIR_API_KEY: fake.apiKey, PAKASIR_BASE_URL: fake.url };
}

export interface GatewayE2e extends TestApp {
  telegram: FakeTelegram;
  provider: CountingSandbox;
  /** `http://127.0.0.1:<port>` of the app's HTTP server. */
  baseUrl: string;
  /** Walks a Telegram buyer to the QRIS photo of Free Fire 70 Diamonds, by buttons. */
  buyByQris(userId: number): Promise<{ buyer: ReturnType<typeof telegramBuyer>; photo: SentMessage; orderId: string; amount: number }>;
  /** `/topup <amount>` by a Telegram buyer; the QR photo, its top-up id and total. */
  topupByQris(userId: number, amount: number): Promise<{ buyer: ReturnType<typeof telegramBuyer>; photo: SentMessage; id: string; total: number }>;
  /** The owner writes `text` in the admin group; resolves with the bot's answer matching `answer`. */
  askAdmin(text: string, answer: RegExp): Promise<string>;
  /** Waits for a message in the admin group matching `pattern`, posted from `since` on. */
  adminSees(pattern: RegExp, since?: number): Promise<string>;
  /** Everything posted to the admin group so far, as text. */
  adminPosts(): string[];
  /** Messages to a buyer's chat whose text matches `pattern`. */
  toBuyer(userId: number, pattern: RegExp): SentMessage[];
  close(): Promise<void>;
}

/** Starts the fake Telegram and the shop with `env` (QRIS_GATEWAYS and the gateways' variables). */
export async function startGatewayE2e(env: Record<string, string>): Promise<GatewayE2e> {
  const telegram = await startFakeTelegram();
  const provider = new CountingSandbox();
  const shop = await startTestApp(
    {
      SANDBOX: "off",
      PAYMENT_METHODS: "wallet,qris",
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_ADMIN_CHAT_ID: String(adminGroup.id),
      ADMIN_TELEGRAM_IDS: String(owner.id),
      // A gateway that hangs is given up after a second, then the next one is asked.
      QRIS_GATEWAY_TIMEOUT_MS: "1000",
      ...env,
    },
    // The sweep's timer would poll and expire on its own schedule; the tests run its chores instead.
    { providers: [provider], admin: { burstMs: 20, groupMinGapMs: 0 }, expirySweepMs: 3_600_000 },
  );
  const baseUrl = `http://127.0.0.1:${await shop.app.http.listen(0, "127.0.0.1")}`;

  const photoOf = async (userId: number, since: number) => {
    const photo = await telegram.waitFor((m) => m.chatId === userId && m.method === "sendPhoto", { since, timeoutMs: 10_000 });
    const [, amount] = /Rp ([\d.]+)/.exec(photo.caption ?? "") ?? [];
    if (!amount) throw new Error(`no amount in ${photo.caption}`);
    return { photo, total: Number(amount.replace(/\./g, "")) };
  };

  return {
    ...shop,
    telegram,
    provider,
    baseUrl,
    async buyByQris(userId) {
      const buyer = telegramBuyer(telegram, userId);
      buyer.say("/menu");
      await buyer.expect(shown("menu-main-title"));
      buyer.tap(phrase("category-game"));
      await buyer.expect(shown("menu-group-title", { category: phrase("category-game") }));
      buyer.tap("Free Fire");
      await buyer.expect(shown("menu-product-title"));
      buyer.tap("Free Fire 70 Diamonds");
      await buyer.expect(shown("input-prompt-game_id"));
      buyer.say("12345678");
      await buyer.expect(shown("confirm-title"));
      buyer.tap(phrase("menu-item-confirm"));
      await buyer.expect(shown("payment-title"));
      const since = telegram.mark();
      buyer.tap(phrase("pay-method-qris"));
      const { photo, total } = await photoOf(userId, since);
      const orderId = /ORD-[A-Z0-9]{8,}/.exec(photo.caption ?? "")?.[0];
      if (!orderId) throw new Error(`no order id in ${photo.caption}`);
      return { buyer, photo, orderId, amount: total };
    },
    async topupByQris(userId, amount) {
      const buyer = telegramBuyer(telegram, userId);
      const since = telegram.mark();
      buyer.say(`/topup ${amount}`);
      const { photo, total } = await photoOf(userId, since);
      const id = /TOP-[A-F0-9]{10}/.exec(photo.caption ?? "")?.[0];
      if (!id) throw new Error(`no top-up id in ${photo.caption}`);
      return { buyer, photo, id, total };
    },
    async askAdmin(text, answer) {
      const since = telegram.mark();
      telegram.sendText(adminGroup, owner, text);
      return textOf(await telegram.waitFor((m) => m.chatId === adminGroup.id && answer.test(textOf(m)), { since, timeoutMs: 10_000 }));
    },
    async adminSees(pattern, since = 0) {
      return textOf(await telegram.waitFor((m) => m.chatId === adminGroup.id && pattern.test(textOf(m)), { since, timeoutMs: 10_000 }));
    },
    adminPosts: () => telegram.messagesTo(adminGroup.id).map(textOf),
    toBuyer: (userId, pattern) => telegram.messagesTo(userId).filter((m) => pattern.test(textOf(m))),
    async close() {
      await shop.cleanup();
      await telegram.close();
    },
  };
}
