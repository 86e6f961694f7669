/**
 * The WhatsApp connection driven through the fake socket, on real Redis: QR and pairing-code
 * logins (terminal, PNG file, admin posts), what each disconnect code does (515 at once, 428
 * after a jittered back-off, 440 stops, 401 wipes the login and starts a new one), a restart
 * that reconnects without pairing, and the lock that keeps a second process off the connection.
 */
import { DeliveryVault } from "../../src/commerce/delivery-vault.js";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Inbound } from "../../src/core/inbound.js";
import { asList, textReply, type Reply } from "../../src/core/reply.js";
import { authKeys, hasLogin } from "../../src/channels/whatsapp/auth-store.js";
import { lockKey } from "../../src/channels/whatsapp/lock.js";
import { buildWhatsApp, type WhatsAppModule, type WhatsAppTuning } from "../../src/channels/whatsapp/start.js";
import { Translator } from "../../src/i18n/translator.js";
import { msg } from "../../src/core/message.js";
import { silentLogger } from "../../src/logger.js";
import { FakeWhatsApp } from "../fakes/baileys-socket.js";
import { testConfig } from "../helpers/app.js";
import { freshRedis, testRedisUrl } from "../helpers/redis.js";
import { eventually, ManualClock } from "./clocks.js";

const translator = new Translator("id");
let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
let dir: string;
const running: WhatsAppModule[] = [];
const clients: Redis[] = [];

beforeEach(async () => {
  ({ redis, prefix, cleanup } = await freshRedis("wa-conn"));
  dir = mkdtempSync(join(tmpdir(), "wa-conn-"));
});
afterEach(async () => {
  for (const instance of running.splice(0)) await instance.stop();
  for (const client of clients.splice(0)) client.disconnect();
  await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

interface Instance {
  wa: WhatsAppModule;
  inbounds: Inbound[];
  fake: FakeWhatsApp;
  clock: ManualClock;
  notices: Reply[][];
  printed: string[];
  qrFile: string;
}

/** Starts the channel like app.ts would; `client` lets a second "process" use its own connection. */
function start(env: Record<string, string> = {}, client: Redis = redis, tuning: WhatsAppTuning = {}): Instance {
  const fake = new FakeWhatsApp();
  const clock = new ManualClock();
  const notices: Reply[][] = [];
  const printed: string[] = [];
  const inbounds: Inbound[] = [];
  const qrFile = join(dir, `qr-${running.length}.png`);
  const wa = buildWhatsApp({
    config: testConfig({ WHATSAPP_ENABLED: "true", WHATSAPP_QR_FILE: qrFile, ...env }),
    redis: client,
    translator,
    logger: silentLogger,
    adminNotify: async (replies) => {
      notices.push(replies);
    },
    makeSocket: fake.make,
    tuning: { clock, random: () => 0.5, print: (text) => printed.push(text), backoff: { baseMs: 1_000, maxMs: 8_000 }, lockRetryMs: 5_000, typingMs: 0, ...tuning },
    vault: new DeliveryVault(null),
  });
  wa.start({
    handle: async (inbound) => {
      inbounds.push(inbound);
      return { locale: "id", replies: [textReply(msg("whatsapp-lock-busy"))] };
    },
    handleGroup: async () => null,
  });
  running.push(wa);
  return { wa, inbounds, fake, clock, notices, printed, qrFile };
}

/** Another Redis connection on the same prefix: what a second process sees. */
function secondClient(): Redis {
  const client = new Redis(testRedisUrl, { keyPrefix: prefix });
  clients.push(client);
  return client;
}

/** The message keys of every admin notice so far. */
function noticeKeys(notices: Reply[][]): string[] {
  return notices.flat().flatMap((reply) => (reply.kind === "photo" ? asList(reply.caption) : reply.kind === "text" ? asList(reply.text) : [])).map((m) => m.key);
}

function decodeQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR.default(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 80));

describe("WhatsApp login", () => {
  it("shows a QR in the terminal, as a PNG file and to the admins, then connects after the 515 restart", async () => {
    const { fake, clock, notices, printed, qrFile, wa } = start();
    const first = await fake.waitForSocket(1);
    const qr = first.showQr();

    await eventually(() => notices.length > 0, 3_000, "QR notice");
    const photo = notices[0]![0]!;
    expect(photo.kind).toBe("photo");
    expect(decodeQr((photo as Extract<Reply, { kind: "photo" }>).png)).toBe(qr);
    expect(noticeKeys(notices)).toEqual(["whatsapp-qr-caption"]);
    expect(existsSync(qrFile)).toBe(true);
    expect(decodeQr(readFileSync(qrFile))).toBe(qr);
    expect(printed.join("\n")).toMatch(/[▄▀█]/); // a terminal QR drawn with block characters
    expect(first.pairingRequests).toEqual([]);

    await first.completeLogin();
    const second = await fake.waitForSocket(2);
    expect(clock.history).toEqual([]); // restartRequired: no back-off
    // The restarted socket got the login from Redis, not from memory.
    expect(hasLogin(second.creds)).toBe(true);
    expect(hasLogin(JSON.parse((await redis.get(authKeys.creds()))!) as never)).toBe(true);
    second.open();
    await eventually(() => wa.connection.state === "open");
    await eventually(() => noticeKeys(notices).includes("whatsapp-connected"));
  });

  it("requests one pairing code when WHATSAPP_PHONE is set, prints it and posts it to the admins", async () => {
    const { fake, notices, printed, qrFile } = start({ WHATSAPP_PHONE: "6281100000001" });
    const socket = await fake.waitForSocket(1);
    socket.showQr();
    await eventually(() => notices.length > 0, 3_000, "pairing notice");
    socket.showQr(); // the next QR ref of the same socket must not ask for another code
    await settle();

    expect(socket.pairingRequests).toEqual(["6281100000001"]);
    const code = socket.creds.pairingCode!;
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    expect(printed.some((line) => line.includes(code))).toBe(true);
    expect(notices).toHaveLength(1);
    const reply = notices[0]![0]!;
    expect(reply.kind === "text" && asList(reply.text)[0]).toEqual({ key: "whatsapp-pairing-code", args: { code, phone: "6281100000001" } });
    expect(existsSync(qrFile)).toBe(false);
  });

  it("reconnects after a restart with the stored login, without pairing again", async () => {
    const firstRun = start({ WHATSAPP_PHONE: "6281100000001" });
    const socket = await firstRun.fake.waitForSocket(1);
    socket.showQr();
    await eventually(() => socket.pairingRequests.length === 1);
    await socket.completeLogin();
    const opened = await firstRun.fake.waitForSocket(2);
    opened.open();
    await eventually(() => firstRun.wa.connection.state === "open");
    await firstRun.wa.stop();
    expect(opened.endedWith).toBeUndefined(); // closed without an error…
    expect(opened.loggedOut).toBe(false); // …and not logged out: the login stays valid

    const secondRun = start({ WHATSAPP_PHONE: "6281100000001" }, secondClient());
    const restarted = await secondRun.fake.waitForSocket(1);
    expect(hasLogin(restarted.creds)).toBe(true);
    restarted.open(); // the fake only opens for creds that hold a login
    await eventually(() => secondRun.wa.connection.state === "open");
    expect(restarted.pairingRequests).toEqual([]);
    expect(noticeKeys(secondRun.notices)).not.toContain("whatsapp-pairing-code");
  });
});

describe("WhatsApp presence", () => {
  it("is online, marks read and shows typing by default; with WHATSAPP_PRESENCE=false it does none of that", async () => {
    for (const [env, on] of [[{}, true], [{ WHATSAPP_PRESENCE: "false" }, false]] as const) {
      const { fake, inbounds } = start(env);
      const socket = await fake.loginAndOpen();
      expect(socket.config.markOnlineOnConnect).toBe(on);
      expect(socket.config.shouldIgnoreJid?.("status@broadcast")).toBe(true);
      socket.receive({ chat: "6281234500030@s.whatsapp.net", text: "/saldo" });
      await fake.waitForSent((record) => record.jid === "6281234500030@s.whatsapp.net");
      expect(inbounds).toHaveLength(1);
      expect(socket.reads.length).toBe(on ? 1 : 0);
      expect(socket.presenceUpdates).toEqual(on ? [{ type: "composing", jid: "6281234500030@s.whatsapp.net" }] : []);
      await running.pop()!.stop();
    }
  });
});

describe("WhatsApp disconnects", () => {
  async function openInstance(env: Record<string, string> = {}) {
    const instance = start(env);
    await instance.fake.loginAndOpen();
    await eventually(() => instance.wa.connection.state === "open");
    instance.clock.history.length = 0;
    return instance;
  }

  it("515 restartRequired reconnects at once", async () => {
    const { fake, clock } = await openInstance();
    const count = fake.sockets.length;
    await fake.latest.disconnect(515);
    await fake.waitForSocket(count + 1);
    expect(clock.history).toEqual([]);
  });

  it("428 connectionClosed reconnects after an exponential, jittered back-off that resets once open", async () => {
    const { fake, clock, wa } = await openInstance();
    const count = fake.sockets.length;
    await fake.latest.disconnect(428);
    await eventually(() => clock.pending.length === 1, 3_000, "a back-off");
    expect(clock.pending[0]!.ms).toBe(750); // 1 s base, equal jitter at random 0.5
    await settle();
    expect(fake.sockets).toHaveLength(count); // nothing before the pause ends
    expect(wa.connection.state).toBe("reconnecting");

    clock.release();
    const retry = await fake.waitForSocket(count + 1);
    await retry.disconnect(428); // failed again before opening: twice as long
    await eventually(() => clock.pending.length === 1);
    expect(clock.pending[0]!.ms).toBe(1_500);
    clock.release();
    const third = await fake.waitForSocket(count + 2);
    third.open();
    await eventually(() => wa.connection.state === "open");
    await third.disconnect(428);
    await eventually(() => clock.pending.length === 1);
    expect(clock.pending[0]!.ms).toBe(750);
  });

  it("440 connectionReplaced stops, alerts the admins and does not reconnect", async () => {
    const { fake, clock, wa, notices } = await openInstance();
    const count = fake.sockets.length;
    await fake.latest.disconnect(440);
    await eventually(() => noticeKeys(notices).includes("whatsapp-replaced"));
    await settle();
    expect(fake.sockets).toHaveLength(count);
    expect(clock.pending).toEqual([]);
    expect(wa.connection.state).toBe("halted");
    // The lock stays ours, so a sibling process does not start fighting the other session.
    expect(await redis.exists(lockKey)).toBe(1);
  });

  it("401 loggedOut deletes the stored login, alerts the admins and starts a new pairing", async () => {
    const { fake, notices } = await openInstance({ WHATSAPP_PHONE: "6281100000001" });
    const old = fake.latest;
    await old.config.auth.keys.set({ session: { "6281200000002.0": Buffer.from("session") }, "lid-mapping": { "6281200000002": "190000000000002" } });
    const oldNoise = Buffer.from(old.creds.noiseKey.public);
    await eventually(async () => (await redis.exists(authKeys.keyType("session"))) === 1);
    const count = fake.sockets.length;

    await old.disconnect(401);
    const fresh = await fake.waitForSocket(count + 1);
    await eventually(() => noticeKeys(notices).includes("whatsapp-logged-out"));
    expect(await redis.exists(authKeys.creds(), authKeys.types(), authKeys.keyType("session"), authKeys.keyType("lid-mapping"))).toBe(0);
    expect(hasLogin(fresh.creds)).toBe(false);
    expect(Buffer.from(fresh.creds.noiseKey.public).equals(oldNoise)).toBe(false);

    fresh.showQr();
    await eventually(() => fresh.pairingRequests.length === 1, 3_000, "a new pairing code");
    await eventually(() => noticeKeys(notices).filter((key) => key === "whatsapp-pairing-code").length === 2);
  });
});

describe("the WhatsApp connection lock", () => {
  it("keeps a second process from connecting while the first holds it, and hands over on stop", async () => {
    const first = start();
    await first.fake.waitForSocket(1);
    const second = start({}, secondClient());
    await eventually(() => noticeKeys(second.notices).includes("whatsapp-lock-busy"), 3_000, "lock-busy notice");
    expect(second.wa.connection.state).toBe("waiting-for-lock");
    expect(second.clock.pending.map((sleep) => sleep.ms)).toEqual([5_000]);

    second.clock.release(); // tries again while the first still holds it
    await eventually(() => second.clock.pending.length === 1);
    expect(second.fake.sockets).toHaveLength(0);
    expect(noticeKeys(second.notices).filter((key) => key === "whatsapp-lock-busy")).toHaveLength(1); // told once

    await first.wa.stop();
    expect(await redis.exists(lockKey)).toBe(0);
    second.clock.release();
    await second.fake.waitForSocket(1);
    expect(second.wa.connection.state).toBe("connecting");
  });

  it("renews the lock while connected, and steps back when another process took it", async () => {
    // A short lock life, so renewals happen within the test.
    const { wa, fake, notices } = start({}, redis, { lockTtlMs: 300 });
    const socket = await fake.loginAndOpen();
    await eventually(() => wa.connection.state === "open");
    const token = await redis.get(lockKey);
    await new Promise((resolve) => setTimeout(resolve, 700)); // > 2 lock lifetimes
    expect(await redis.get(lockKey)).toBe(token);

    await redis.set(lockKey, "someone-else", "PX", 10_000);
    await eventually(() => noticeKeys(notices).includes("whatsapp-lock-lost"), 3_000, "lock-lost notice");
    expect(socket.state).toBe("closed");
    expect(wa.connection.state).toBe("waiting-for-lock");
    expect(await redis.get(lockKey)).toBe("someone-else");
  });

  it("never releases a lock another process holds", async () => {
    const first = start();
    await first.fake.waitForSocket(1);
    const holder = await redis.get(lockKey);
    const second = start({}, secondClient());
    await eventually(() => second.wa.connection.state === "waiting-for-lock");
    await second.wa.stop();
    expect(await redis.get(lockKey)).toBe(holder);
  });
});
