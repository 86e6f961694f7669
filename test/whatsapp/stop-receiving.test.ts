/**
 * WhatsApp's part of a graceful shutdown: once the channel stops receiving, a new message is not
 * handed to the shop, not marked seen (the dedupe) and not marked read; it is parked in Redis
 * (Baileys has already acknowledged it to WhatsApp, which will not send it again), while the
 * message the shop was handling finishes and its answer is sent. The next process holding the
 * connection handles the parked message once its connection opens, and answers the buyer.
 * Two real apps on one Redis prefix, WhatsApp played by the fake socket.
 */
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import type { ChannelHandlers, Inbound } from "../../src/core/inbound.js";
import { keys } from "../../src/store/keys.js";
import { FakeWhatsApp } from "../fakes/baileys-socket.js";
import { freshRedis, testRedisUrl } from "../helpers/redis.js";
import { eventually } from "./clocks.js";
import { startWhatsAppShop, type WhatsAppShop } from "./shop.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** A key shared by both processes, so what one seals the other opens. */
const dataKey = "5a".repeat(32);

/** A process on the shared prefix; `open`: log in and open (the first), or leave it to the test. */
async function startShop(fake: FakeWhatsApp, prefix: string, open: boolean, wrap: (handlers: ChannelHandlers) => ChannelHandlers): Promise<WhatsAppShop> {
  // Its own client on the shared prefix (the app closes it when it stops).
  const redis = new Redis(testRedisUrl, { keyPrefix: prefix, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const shop = await startWhatsAppShop({ DATA_ENCRYPTION_KEY: dataKey }, { fake, open, redis, whatsAppTuning: { lockRetryMs: 20 }, wrapHandlers: wrap });
  cleanups.push(shop.cleanup);
  return shop;
}

describe("WhatsApp stopReceiving", () => {
  it("finishes the message in hand, parks a new one unread, and the next process answers it", async () => {
    const fake = new FakeWhatsApp();
    const { prefix, cleanup } = await freshRedis("wastop");
    cleanups.push(cleanup);
    const raw = new Redis(testRedisUrl, { keyPrefix: prefix });
    cleanups.push(async () => raw.disconnect());

    // The first process: its handler holds the first message until the test lets it go.
    const firstSeen: Inbound[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const firstProcess = await startShop(fake, prefix, true, (handlers) => ({
      handle: async (inbound) => {
        firstSeen.push(inbound);
        if (firstSeen.length === 1) await held;
        return handlers.handle(inbound);
      },
      handleGroup: handlers.handleGroup,
    }));
    const { shop: first, wa } = firstProcess;
    const socket = firstProcess.socket!;

    const jid = "6281234500099@s.whatsapp.net";
    socket.receive({ chat: jid, text: "/saldo", pushName: "Budi" });
    await eventually(() => firstSeen.length === 1);

    const stopped = wa.stopReceiving!();
    const late = socket.receive({ chat: jid, text: "/help", pushName: "Budi" });
    await eventually(async () => (await raw.llen(keys.whatsappHeld())) === 1);
    // Parked: not handed to the shop, not marked read, not marked seen, and sealed at rest.
    expect(firstSeen).toHaveLength(1);
    expect(socket.reads.map((key) => key.id)).not.toContain(late.key.id);
    expect(await raw.exists(keys.whatsappSeen(late.key.id!))).toBe(0);
    const [entry] = await raw.lrange(keys.whatsappHeld(), 0, -1);
    expect(entry).not.toContain("/help");
    expect(JSON.parse(entry!)).toHaveProperty("sealed");

    // The message in hand finishes and is answered before stopReceiving resolves.
    let done = false;
    void stopped.then(() => (done = true));
    expect(done).toBe(false);
    const sentBefore = fake.sent.length;
    release();
    await stopped;
    expect(fake.sent.slice(sentBefore).some((record) => record.jid === jid)).toBe(true);
    await first.app.stop();
    expect(await raw.llen(keys.whatsappHeld())).toBe(1);

    // The next process takes the connection over and handles the parked message.
    const nextSeen: Inbound[] = [];
    await startShop(fake, prefix, false, (handlers) => ({
      handle: (inbound) => {
        nextSeen.push(inbound);
        return handlers.handle(inbound);
      },
      handleGroup: handlers.handleGroup,
    }));
    const reopened = await fake.waitForSocket(socket.index + 2);
    const sentBeforeNext = fake.sent.length;
    reopened.open();
    await eventually(() => nextSeen.length === 1);
    expect(nextSeen[0]).toMatchObject({ channel: "whatsapp", text: "/help", messageId: late.key.id });
    await fake.waitForSent((record) => record.jid === jid && record.socket === reopened.index, { since: sentBeforeNext });
    await eventually(async () => (await raw.llen(keys.whatsappHeld())) === 0);
    // Handled once: a redelivery of the same id would now be dropped by the dedupe.
    expect(await raw.exists(keys.whatsappSeen(late.key.id!))).toBe(1);
  });
});
