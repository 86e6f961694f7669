/**
 * A worker process (no WhatsApp connection) hands messages to the process that holds it,
 * through Redis, in order and with photos intact.
 */
import { afterEach, describe, expect, it } from "vitest";
import { msg, type Locale } from "../../src/i18n.js";
import type { ChannelSender } from "../../src/bot/outbox.js";
import { textReply, type Reply } from "../../src/bot/reply.js";
import { drainRelay, WhatsAppRelaySender } from "../../src/channels/whatsapp/relay.js";
import { silentLogger } from "../../src/logger.js";
import { freshRedis } from "../helpers/redis.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("the WhatsApp relay", () => {
  it("delivers a worker's messages through the connection holder, in order, photos intact", async () => {
    const worker = await freshRedis("relay");
    cleanups.push(worker.cleanup);
    const received: { chatId: string; replies: Reply[]; locale: Locale }[] = [];
    const holder: ChannelSender = {
      channel: "whatsapp",
      send: async (chatId, replies, locale) => {
        received.push({ chatId, replies, locale });
      },
    };
    const sender = new WhatsAppRelaySender(worker.redis);
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    await sender.send("628111@s.whatsapp.net", [textReply(msg("order-processing"))], "id");
    await sender.send("628111@s.whatsapp.net", [{ kind: "photo", png, caption: msg("qris-purpose-topup") }], "en");
    const stop = drainRelay(worker.redis, holder, silentLogger, 20);
    cleanups.push(async () => stop());
    await expect.poll(() => received.length, { timeout: 3_000 }).toBe(2);
    expect(received[0]).toEqual({ chatId: "628111@s.whatsapp.net", replies: [textReply(msg("order-processing"))], locale: "id" });
    const photo = received[1]!.replies[0]!;
    expect(photo.kind).toBe("photo");
    expect(photo.kind === "photo" && photo.png.equals(png)).toBe(true);
    expect(await worker.redis.llen("wa:relay")).toBe(0);
  });
});
