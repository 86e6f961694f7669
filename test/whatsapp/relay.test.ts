/**
 * A process without the WhatsApp connection (a worker, or a replica that lost the race for the
 * lock) hands messages to the process that holds it, through Redis: in order, photos intact,
 * sealed when a key is configured, and never lost to a send that failed.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { msg, type Locale } from "../../src/core/message.js";
import type { ChannelSender } from "../../src/core/outbox.js";
import { documentReply, textReply, type Reply } from "../../src/core/reply.js";
import { DeliveryVault } from "../../src/commerce/delivery-vault.js";
import { drainRelay, maxSendAttempts, WhatsAppRelaySender, WhatsAppSender } from "../../src/channels/whatsapp/relay.js";
import { silentLogger } from "../../src/logger.js";
import { freshRedis } from "../helpers/redis.js";

const relayKey = "wa:relay";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface Received {
  chatId: string;
  replies: Reply[];
  locale: Locale;
}

/** A connection holder that records what it sends; `refuse` makes its sends fail. */
function holder() {
  const received: Received[] = [];
  const state = { refuse: 0 };
  const channel: ChannelSender = {
    channel: "whatsapp",
    send: async (chatId, replies, locale) => {
      if (state.refuse > 0) {
        state.refuse--;
        throw new Error("not-authorized");
      }
      received.push({ chatId, replies, locale });
    },
  };
  return { channel, received, state };
}

async function setup(vault: DeliveryVault) {
  const store = await freshRedis("relay");
  cleanups.push(store.cleanup);
  const open = { value: true };
  const target = holder();
  const start = () => {
    const stop = drainRelay({ redis: store.redis, channel: target.channel, vault, logger: silentLogger, isOpen: () => open.value, everyMs: 20 });
    cleanups.push(async () => stop());
  };
  return { redis: store.redis, sender: new WhatsAppRelaySender(store.redis, vault), open, start, ...target };
}

const chat = "628111@s.whatsapp.net";
const login = textReply(msg("order-delivered", { id: "ORD-1", product: "Netflix", lines: "Password: hunter2-secret" }));

describe("the WhatsApp relay", () => {
  it("delivers a worker's messages through the connection holder, in order, photos intact", async () => {
    const relay = await setup(new DeliveryVault(null));
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]);
    await relay.sender.send(chat, [textReply(msg("order-processing"))], "id");
    await relay.sender.send(chat, [{ kind: "photo", png, caption: msg("qris-purpose-topup") }], "en");
    // Unsent messages do not wait for ever: the list expires a day after the last push.
    expect(await relay.redis.ttl(relayKey)).toBeGreaterThan(23 * 3600);
    relay.start();
    await expect.poll(() => relay.received.length, { timeout: 3_000 }).toBe(2);
    expect(relay.received[0]).toEqual({ chatId: chat, replies: [textReply(msg("order-processing"))], locale: "id" });
    const photo = relay.received[1]!.replies[0]!;
    expect(photo.kind).toBe("photo");
    expect(photo.kind === "photo" && photo.png.equals(png)).toBe(true);
    expect(await relay.redis.llen(relayKey)).toBe(0);
  });

  it("carries documents intact, sealed like any entry, so a worker can deliver a long login as a file", async () => {
    const relay = await setup(new DeliveryVault(randomBytes(32)));
    const bytes = Buffer.from("user: budi\npass: hunter2-secret\n\u0000\u00ff");
    await relay.sender.send(chat, [documentReply("login.txt", bytes, "text/plain", msg("order-processing")), documentReply("bare.txt", Buffer.from("x"), "text/plain")], "id");
    const [raw] = await relay.redis.lrange(relayKey, 0, -1);
    expect(raw).not.toContain("hunter2");
    expect(raw).not.toContain(bytes.toString("base64"));
    relay.start();
    await expect.poll(() => relay.received.length, { timeout: 3_000 }).toBe(1);
    expect(relay.received[0]!.replies).toEqual([
      { kind: "document", fileName: "login.txt", bytes, mimeType: "text/plain", caption: msg("order-processing") },
      { kind: "document", fileName: "bare.txt", bytes: Buffer.from("x"), mimeType: "text/plain" },
    ]);
  });

  it("seals entries with the data key, so a delivered login is never in Redis in clear", async () => {
    const relay = await setup(new DeliveryVault(randomBytes(32)));
    await relay.sender.send(chat, [login], "id");
    const [raw] = await relay.redis.lrange(relayKey, 0, -1);
    expect(raw).toBeDefined();
    expect(raw).not.toContain("hunter2");
    expect(raw).not.toContain(chat);
    relay.start();
    await expect.poll(() => relay.received.length, { timeout: 3_000 }).toBe(1);
    expect(relay.received[0]!.replies).toEqual([login]);
  });

  it("leaves the list alone while this process's connection is not open", async () => {
    const relay = await setup(new DeliveryVault(null));
    relay.open.value = false;
    await relay.sender.send(chat, [login], "id");
    relay.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(relay.received).toEqual([]);
    expect(await relay.redis.llen(relayKey)).toBe(1);
    relay.open.value = true;
    await expect.poll(() => relay.received.length, { timeout: 3_000 }).toBe(1);
  });

  it("keeps a message whose send failed at the head and sends it again, before the chat's later ones", async () => {
    const relay = await setup(new DeliveryVault(null));
    relay.state.refuse = 2;
    await relay.sender.send(chat, [login], "id");
    await relay.sender.send(chat, [textReply(msg("order-processing"))], "id");
    relay.start();
    await expect.poll(() => relay.received.length, { timeout: 3_000 }).toBe(2);
    expect(relay.received.map((r) => r.replies)).toEqual([[login], [textReply(msg("order-processing"))]]);
  });

  it("gives a message up after repeated failures, so one refused chat cannot block the rest", async () => {
    const relay = await setup(new DeliveryVault(null));
    relay.state.refuse = maxSendAttempts;
    await relay.sender.send("628999@s.whatsapp.net", [login], "id");
    await relay.sender.send(chat, [textReply(msg("order-processing"))], "id");
    relay.start();
    await expect.poll(() => relay.received.length, { timeout: 3_000 }).toBe(1);
    expect(relay.received[0]!.chatId).toBe(chat);
    expect(await relay.redis.llen(relayKey)).toBe(0);
  });
});

describe("WhatsAppSender", () => {
  it("sends directly unless another process holds the connection, then relays", async () => {
    const direct = holder();
    const relayed = holder();
    const elsewhere = { value: false };
    const sender = new WhatsAppSender(direct.channel, relayed.channel, () => elsewhere.value);
    await sender.send(chat, [login], "id");
    elsewhere.value = true;
    await sender.send(chat, [login], "en");
    expect(direct.received.map((r) => r.locale)).toEqual(["id"]);
    expect(relayed.received.map((r) => r.locale)).toEqual(["en"]);
  });
});
