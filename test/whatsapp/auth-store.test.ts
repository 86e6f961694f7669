/**
 * The Redis auth store on real Redis: creds and every signal key type round-trip with their
 * Buffers intact, a null deletes, a second store on the same prefix (a restarted process) sees
 * the same login, and clearing removes everything, including key types it never heard of.
 */
import { randomBytes } from "node:crypto";
import { proto, type SignalDataSet, type SignalDataTypeMap } from "@whiskeysockets/baileys";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { authKeys, hasLogin, RedisAuthStore } from "../../src/channels/whatsapp/auth-store.js";
import { DeliveryVault } from "../../src/commerce/delivery-vault.js";
import { buildWhatsApp } from "../../src/channels/whatsapp/start.js";
import { Translator } from "../../src/i18n/translator.js";
import { FakeWhatsApp } from "../fakes/baileys-socket.js";
import { testConfig } from "../helpers/app.js";
import { eventually, ManualClock } from "./clocks.js";
import { silentLogger } from "../../src/logger.js";
import { freshRedis, testRedisUrl } from "../helpers/redis.js";

let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
const others: Redis[] = [];

beforeEach(async () => {
  ({ redis, prefix, cleanup } = await freshRedis("wa-auth"));
});
afterEach(async () => {
  for (const other of others.splice(0)) other.disconnect();
  await cleanup();
});

/** A store on its own connection with the same prefix: what a restarted process sees. */
function restartedStore(vault?: DeliveryVault): RedisAuthStore {
  const other = new Redis(testRedisUrl, { keyPrefix: prefix });
  others.push(other);
  return new RedisAuthStore(other, silentLogger, vault);
}

/** Every stored value of the login, raw, as Redis holds it. */
async function storedLogin(): Promise<Record<string, unknown>> {
  const types = (await redis.smembers(authKeys.types())).sort();
  const login: Record<string, unknown> = { creds: await redis.get(authKeys.creds()) };
  for (const type of types) login[type] = await redis.hgetall(authKeys.keyType(type));
  return login;
}

/** Every raw value of the login, flattened. */
function rawValues(login: Record<string, unknown>): string[] {
  return Object.values(login).flatMap((value) => (typeof value === "string" ? [value] : Object.values(value as Record<string, string>)));
}

/** A login with creds and a few signal keys, written through `store`. */
async function writeLogin(store: RedisAuthStore) {
  const { state, saveCreds } = await store.load();
  const account = { details: randomBytes(40), accountSignatureKey: randomBytes(32), accountSignature: randomBytes(64), deviceSignature: randomBytes(64) };
  await saveCreds({ me: { id: "6281100000001:7@s.whatsapp.net" }, account });
  const preKey = keyPair();
  await store.keyStore().set({ "pre-key": { "1": preKey }, session: { "6281200000002.0": randomBytes(120) }, "lid-mapping": { "6281200000002": "190000000000002" } });
  return { creds: state.creds, preKey };
}

const keyPair = () => ({ public: randomBytes(32), private: randomBytes(32) });

describe("RedisAuthStore", () => {
  it("starts a new login when nothing is stored, and a restart loads the saved creds byte for byte", async () => {
    const store = new RedisAuthStore(redis, silentLogger);
    const { state, saveCreds } = await store.load();
    expect(hasLogin(state.creds)).toBe(false);
    expect(await redis.exists(authKeys.creds())).toBe(0);

    const account = { details: randomBytes(40), accountSignatureKey: randomBytes(32), accountSignature: randomBytes(64), deviceSignature: randomBytes(64) };
    await saveCreds({ me: { id: "6281100000001:7@s.whatsapp.net", lid: "190000000000001:7@lid" }, account, platform: "android" });
    expect(state.creds.platform).toBe("android"); // the live state is updated too

    const reloaded = (await restartedStore().load()).state.creds;
    expect(hasLogin(reloaded)).toBe(true);
    expect(reloaded.me?.lid).toBe("190000000000001:7@lid");
    expect(Buffer.isBuffer(reloaded.noiseKey.private)).toBe(true);
    expect(Buffer.compare(Buffer.from(reloaded.noiseKey.private), Buffer.from(state.creds.noiseKey.private))).toBe(0);
    expect(Buffer.compare(Buffer.from(reloaded.signedPreKey.signature), Buffer.from(state.creds.signedPreKey.signature))).toBe(0);
    expect(Buffer.from(reloaded.account!.details!).equals(account.details)).toBe(true);
    expect(reloaded.registrationId).toBe(state.creds.registrationId);
    expect(reloaded.advSecretKey).toBe(state.creds.advSecretKey);
  });

  it("round-trips every signal key type, including v7's lid-mapping, device-list and tctoken", async () => {
    const store = new RedisAuthStore(redis, silentLogger);
    const preKey = keyPair();
    const session = new Uint8Array(randomBytes(120));
    const token = randomBytes(24);
    const data: SignalDataSet = {
      "pre-key": { "1": preKey, "2": keyPair() },
      session: { "6281200000002.0": session },
      "sender-key": { "120363000000000001@g.us::6281200000002::0": randomBytes(50) },
      "sender-key-memory": { "120363000000000001@g.us": { "6281200000002:0@s.whatsapp.net": true } },
      "app-state-sync-key": { AAAAAQ: { keyData: randomBytes(32), fingerprint: { rawId: 7, currentIndex: 1, deviceIndexes: [0, 1] }, timestamp: 1_700_000_000 } },
      "app-state-sync-version": { regular: { version: 3, hash: randomBytes(128), indexValueMap: { abc: { valueMac: randomBytes(32) } } } },
      "lid-mapping": { "6281200000002": "190000000000002", "190000000000002_reverse": "6281200000002" },
      "device-list": { "6281200000002": ["0", "12"] },
      tctoken: { "6281200000002@s.whatsapp.net": { token, timestamp: "1700000000" } },
      "identity-key": { "6281200000002.0": randomBytes(33) },
    };
    await store.keyStore().set(data);

    const keys = restartedStore().keyStore();
    const preKeys = await keys.get("pre-key", ["1", "2", "3"]);
    expect(Object.keys(preKeys).sort()).toEqual(["1", "2"]);
    expect(Buffer.from(preKeys["1"]!.private).equals(preKey.private)).toBe(true);

    const sessions = await keys.get("session", ["6281200000002.0"]);
    expect(Buffer.from(sessions["6281200000002.0"]!).equals(Buffer.from(session))).toBe(true);

    const appKey = (await keys.get("app-state-sync-key", ["AAAAAQ"])).AAAAAQ!;
    expect(appKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(appKey.keyData!).equals(Buffer.from(data["app-state-sync-key"]!.AAAAAQ!.keyData!))).toBe(true);
    expect(appKey.fingerprint?.deviceIndexes).toEqual([0, 1]);

    const version = (await keys.get("app-state-sync-version", ["regular"])).regular!;
    expect(version.version).toBe(3);
    expect(Buffer.isBuffer(version.hash)).toBe(true);

    expect(await keys.get("lid-mapping", ["6281200000002", "190000000000002_reverse"])).toEqual({
      "6281200000002": "190000000000002",
      "190000000000002_reverse": "6281200000002",
    });
    expect(await keys.get("device-list", ["6281200000002"])).toEqual({ "6281200000002": ["0", "12"] });
    const tc = (await keys.get("tctoken", ["6281200000002@s.whatsapp.net"]))["6281200000002@s.whatsapp.net"]!;
    expect(Buffer.isBuffer(tc.token) && tc.token.equals(token)).toBe(true);
    expect(tc.timestamp).toBe("1700000000");
    expect(await keys.get("sender-key-memory", ["120363000000000001@g.us"])).toEqual(data["sender-key-memory"]);
    expect(Object.keys(await keys.get("identity-key", ["6281200000002.0"]))).toEqual(["6281200000002.0"]);
  });

  it("deletes a key set to null, and writes through the cached store Baileys uses", async () => {
    const store = new RedisAuthStore(redis, silentLogger);
    const { state } = await store.load();
    await state.keys.set({ "pre-key": { "1": keyPair(), "2": keyPair() } });
    expect(Object.keys(await store.keyStore().get("pre-key", ["1", "2"]))).toEqual(["1", "2"]);

    await state.keys.set({ "pre-key": { "1": null } });
    expect(Object.keys(await store.keyStore().get("pre-key", ["1", "2"]))).toEqual(["2"]);
    expect(await redis.hexists(authKeys.keyType("pre-key"), "1")).toBe(0);
    // Baileys' cache remembers the deletion as null, which Baileys reads as "no key".
    expect((await state.keys.get("pre-key", ["1"]))["1"] ?? null).toBeNull();
  });

  it("clears the whole login, including key types it does not know", async () => {
    const store = new RedisAuthStore(redis, silentLogger);
    const { saveCreds } = await store.load();
    await saveCreds({ platform: "android" });
    await store.keyStore().set({ session: { a: randomBytes(8) }, "lid-mapping": { "62812": "1900" } });
    // A key type a later Baileys might add: the store must still clean it up on logout.
    await store.keyStore().set({ ["future-type" as keyof SignalDataTypeMap]: { x: "y" } } as SignalDataSet);
    expect(await redis.exists(authKeys.keyType("future-type"))).toBe(1);

    await store.clear();
    const left = await redis.exists(authKeys.creds(), authKeys.types(), ...["session", "lid-mapping", "future-type"].map(authKeys.keyType));
    expect(left).toBe(0);
    expect(hasLogin((await restartedStore().load()).state.creds)).toBe(false);
  });

  it("treats unreadable stored creds as no login instead of crashing", async () => {
    await redis.set(authKeys.creds(), JSON.stringify({ noiseKey: "not a key" }));
    const creds = (await new RedisAuthStore(redis, silentLogger).load()).state.creds;
    expect(hasLogin(creds)).toBe(false);
    expect(creds.noiseKey.private).toBeInstanceOf(Uint8Array);
    await redis.set(authKeys.creds(), "{not json");
    expect((await new RedisAuthStore(redis, silentLogger).load()).state.creds.registrationId).toBeGreaterThan(0);
  });

  it("seals creds and every signal key with DATA_ENCRYPTION_KEY, and a restart with the key reads them back", async () => {
    const vault = new DeliveryVault(randomBytes(32));
    const { creds, preKey } = await writeLogin(new RedisAuthStore(redis, silentLogger, vault));

    const raw = rawValues(await storedLogin());
    expect(raw.length).toBeGreaterThanOrEqual(4);
    for (const value of raw) {
      expect(value).not.toContain(creds.advSecretKey);
      expect(value).not.toContain("6281100000001");
      expect(value).not.toContain("190000000000002");
      expect(() => JSON.parse(value) as unknown).toThrow();
    }

    const restarted = restartedStore(vault);
    const reloaded = (await restarted.load()).state.creds;
    expect(hasLogin(reloaded)).toBe(true);
    expect(reloaded.advSecretKey).toBe(creds.advSecretKey);
    expect(Buffer.from(reloaded.noiseKey.private).equals(Buffer.from(creds.noiseKey.private))).toBe(true);
    const keys = restarted.keyStore();
    expect(Buffer.from((await keys.get("pre-key", ["1"]))["1"]!.private).equals(preKey.private)).toBe(true);
    expect(await keys.get("lid-mapping", ["6281200000002"])).toEqual({ "6281200000002": "190000000000002" });
  });

  it("migrates a login stored in clear: the first load with a key reads it and rewrites it sealed", async () => {
    const { creds, preKey } = await writeLogin(new RedisAuthStore(redis, silentLogger));
    expect(JSON.parse((await redis.get(authKeys.creds()))!)).toMatchObject({ advSecretKey: creds.advSecretKey });

    const vault = new DeliveryVault(randomBytes(32));
    const migrated = restartedStore(vault);
    const loaded = (await migrated.load()).state.creds;
    expect(hasLogin(loaded)).toBe(true);
    expect(loaded.advSecretKey).toBe(creds.advSecretKey);
    for (const value of rawValues(await storedLogin())) expect(value).not.toContain(creds.advSecretKey.slice(0, 12));
    for (const value of rawValues(await storedLogin())) expect(() => JSON.parse(value) as unknown).toThrow();

    const again = restartedStore(vault);
    expect((await again.load()).state.creds.advSecretKey).toBe(creds.advSecretKey);
    expect(Buffer.from((await again.keyStore().get("pre-key", ["1"]))["1"]!.private).equals(preKey.private)).toBe(true);
  });

  it("refuses a sealed login under a wrong or missing key with a clear error, and leaves it stored", async () => {
    await writeLogin(new RedisAuthStore(redis, silentLogger, new DeliveryVault(randomBytes(32))));
    const before = await storedLogin();

    await expect(restartedStore(new DeliveryVault(randomBytes(32))).load()).rejects.toThrow(/DATA_ENCRYPTION_KEY/);
    await expect(restartedStore(new DeliveryVault(null)).load()).rejects.toThrow(/DATA_ENCRYPTION_KEY/);
    await expect(restartedStore().load()).rejects.toThrow(/DATA_ENCRYPTION_KEY/);
    expect(await storedLogin()).toEqual(before);
  });

  it("seals the login the WhatsApp channel stores after pairing, and reconnects from it after a restart", async () => {
    const vault = new DeliveryVault(randomBytes(32));
    const run = (client: Redis) => {
      const fake = new FakeWhatsApp();
      const wa = buildWhatsApp({
        config: testConfig({ WHATSAPP_ENABLED: "true", WHATSAPP_QR_FILE: "/dev/null" }),
        redis: client,
        translator: new Translator("id"),
        logger: silentLogger,
        adminNotify: async () => undefined,
        vault,
        makeSocket: fake.make,
        tuning: { clock: new ManualClock(), random: () => 0.5, print: () => undefined, lockRetryMs: 5_000, typingMs: 0 },
      });
      wa.start({
        handle: async () => ({ locale: "id", replies: [] }),
        handleGroup: async () => null,
      });
      return { fake, wa };
    };
    const first = run(redis);
    try {
      await first.fake.loginAndOpen();
      await eventually(() => first.wa.connection.state === "open");
    } finally {
      await first.wa.stop();
    }
    const creds = await redis.get(authKeys.creds());
    expect(creds).not.toBeNull();
    expect(() => JSON.parse(creds!) as unknown).toThrow();

    const client = new Redis(testRedisUrl, { keyPrefix: prefix });
    others.push(client);
    const second = run(client);
    try {
      const restarted = await second.fake.waitForSocket(1);
      expect(hasLogin(restarted.creds)).toBe(true);
    } finally {
      await second.wa.stop();
    }
  });
});
