/**
 * Backup and restore against real Redis. A shop with delivered wallet and QRIS orders, an open
 * top-up, settings and a session is backed up, and `npm run restore`'s code puts it into a
 * private redis-server under another prefix: every balance equals its ledger and the original,
 * every order and payment reads back the same, settings and TTLs survive, BullMQ's keys are not
 * copied. The target must be empty unless --force (which then makes it exactly the backup); a
 * wrong key and a tampered file change nothing. And a snapshot taken while money keeps moving is
 * one instant: in the restored copy every balance still equals its ledger.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { OrderStore } from "../../src/commerce/orders.js";
import { Wallet } from "../../src/commerce/wallet.js";
import { PaymentStore } from "../../src/payments/payment-store.js";
import { runRestore } from "../../src/restore.js";
import { makeBackup } from "../../src/store/backup.js";
import { sealBackup } from "../../src/store/backup-file.js";
import { encodeSnapshot, keyPrefixOf, restoreSnapshot, takeSnapshot } from "../../src/store/snapshot.js";
import { keys } from "../../src/store/keys.js";
import { scanKeys } from "../../src/store/scan.js";
import { eventually, openTopup, placeOrder } from "../admin/support.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { startPrivateRedis, type PrivateRedis } from "../helpers/private-redis.js";
import { freshRedis } from "../helpers/redis.js";

const backupKey = "a backup passphrase for tests";
const vectors = z
  .object({ static_valid: z.array(z.string()).min(1) })
  .parse(JSON.parse(readFileSync(new URL("../fixtures/qris-vectors.json", import.meta.url), "utf8")));

let shop: TestApp;
let target: PrivateRedis;
let dir: string;
let backupPath: string;
const clients: Redis[] = [];

async function client(url: string, keyPrefix: string): Promise<Redis> {
  const redis = new Redis(url, { keyPrefix, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  clients.push(redis);
  return redis;
}

/**
 * Runs the restore tool's code as `npm run restore -- …` would, against the private Redis;
 * `beforeWrite` plays another writer between the tool's checks and its first write.
 */
async function restore(args: string[], env: Record<string, string> = {}, beforeWrite?: () => Promise<void>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRestore(args, {
    env: { REDIS_URL: target.url, REDIS_KEY_PREFIX: "shopB:", BACKUP_KEY: backupKey, ...env },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    ...(beforeWrite ? { beforeWrite } : {}),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

async function allKeys(redis: Redis): Promise<string[]> {
  const found: string[] = [];
  await scanKeys(redis, "*", (batch) => void found.push(...batch));
  return [...new Set(found)].sort();
}

async function buyersOf(redis: Redis): Promise<string[]> {
  return (await allKeys(redis)).filter((key) => key.startsWith("wallet:")).map((key) => key.slice("wallet:".length));
}

beforeAll(async () => {
  shop = await startTestApp({
    SANDBOX: "on",
    DEFAULT_LOCALE: "en",
    DATA_ENCRYPTION_KEY: "0f".repeat(32),
    QRIS_STATIC_PAYLOAD: vectors.static_valid[0]!,
    PAYMENT_METHODS: "wallet,qris",
  });
  target = await startPrivateRedis();
  dir = await mkdtemp(join(tmpdir(), "wb-backup-test-"));
  const { app } = shop;

  // Two wallet orders and a QRIS order, delivered; an open top-up; a refund-free manual credit.
  const first = await placeOrder(shop, 2001, "SB-NFX1", "wallet");
  const second = await placeOrder(shop, 2002, "SB-NFX1", "wallet");
  const byQris = await placeOrder(shop, 2003, "SB-NFX1", "qris");
  await app.fulfilment.enqueue(first);
  await app.fulfilment.enqueue(second);
  const total = (await app.orders.get(byQris.id))!.payment.amount;
  await app.payments.receive(total, "BANK-REF-1");
  await app.wallet.credit("telegram:2001", 5_000, { id: "manual:test-1", reason: "manual", by: "telegram:501", note: "goodwill" });
  await openTopup(shop, 2004, 50_000);
  await eventually(async () => {
    for (const order of [first, second, byQris]) expect((await app.orders.get(order.id))?.status).toBe("delivered");
  });
  await app.admin.settings.setMarkup({ level: "global" }, { percent: 7, flat: 500 });
  await app.admin.settings.setVisible("SB-NFX1", false);
  await app.redis.set(keys.session("telegram:2005"), JSON.stringify({ step: "menu" }), "PX", 3_600_000);

  const { file, header } = await makeBackup(app.redis, backupKey);
  expect(header.keys).toBeGreaterThan(10);
  backupPath = join(dir, "shop.wbak");
  await writeFile(backupPath, file);
});

afterAll(async () => {
  for (const redis of clients) redis.disconnect();
  await shop?.cleanup();
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("backup → restore into a fresh Redis", () => {
  it("restores every key of the shop but BullMQ's; balances equal their ledgers; orders, payments and settings read back", async () => {
    const result = await restore([backupPath]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Restored \d+ keys/);

    const source = shop.app.redis;
    const restored = await client(target.url, "shopB:");
    const sourceKeys = (await allKeys(source)).filter((key) => !key.startsWith("bull:"));
    expect(await allKeys(restored)).toEqual(sourceKeys);
    expect((await allKeys(source)).some((key) => key.startsWith("bull:"))).toBe(true);

    const [wallet, restoredWallet] = [shop.app.wallet, new Wallet(restored)];
    const buyers = await buyersOf(restored);
    expect(buyers).toEqual(expect.arrayContaining(["telegram:2001", "telegram:2002", "telegram:2003"]));
    for (const buyer of buyers) {
      const check = await restoredWallet.verify(buyer);
      expect(check.consistent).toBe(true);
      expect(check.balance).toBe(await wallet.balance(buyer));
      expect(await restoredWallet.ledger(buyer, 100)).toEqual(await wallet.ledger(buyer, 100));
    }

    const orders = new OrderStore(restored);
    const ids = await source.zrange(keys.ordersAll(), 0, -1);
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(await orders.get(id)).toEqual(await shop.app.orders.get(id));
    expect(await orders.recent(10)).toEqual(await shop.app.orders.recent(10));

    const [payments, restoredPayments] = [new PaymentStore(source, 999, 3), new PaymentStore(restored, 999, 3)];
    const open = await payments.openOfBuyer("telegram:2004");
    expect(open).toHaveLength(1);
    expect(await restoredPayments.openOfBuyer("telegram:2004")).toEqual(open);
    expect(await restored.hgetall(keys.paymentOpenAmounts())).toEqual(await source.hgetall(keys.paymentOpenAmounts()));

    expect(await restored.hgetall(keys.adminMarkup())).toEqual(await source.hgetall(keys.adminMarkup()));
    expect(await restored.smembers(keys.adminHidden())).toEqual(["SB-NFX1"]);
    const ttl = await restored.pttl(keys.session("telegram:2005"));
    expect(ttl).toBeGreaterThan(3_000_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it("refuses a target that has keys of the shop without --force; --force makes it exactly the backup", async () => {
    const restored = await client(target.url, "shopB:");
    await restored.set("stray", "written after the restore");
    const refusal = await restore([backupPath]);
    expect(refusal.code).toBe(1);
    expect(refusal.err).toMatch(/already has keys.*--force/);
    expect(await restored.get("stray")).toBe("written after the restore");

    await restored.set(keys.wallet("telegram:2001"), "999999");
    const forced = await restore([backupPath, "--force"]);
    expect(forced.code).toBe(0);
    expect(await restored.get("stray")).toBeNull();
    expect(await new Wallet(restored).verify("telegram:2001")).toMatchObject({ consistent: true, balance: await shop.app.wallet.balance("telegram:2001") });
  });

  it("another prefix of the same Redis is untouched by a restore", async () => {
    const neighbour = await client(target.url, "shopC:");
    await neighbour.set("mine", "1");
    expect((await restore([backupPath, "--force"])).code).toBe(0);
    expect(await neighbour.get("mine")).toBe("1");
  });

  it("a wrong key or a tampered file is refused with one line, and Redis is not touched", async () => {
    const empty = await client(target.url, "shopD:");
    const wrongKey = await restore([backupPath], { REDIS_KEY_PREFIX: "shopD:", BACKUP_KEY: "not the key that made it" });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toMatch(/^Restore refused: wrong BACKUP_KEY/);

    const file = await readFile(backupPath);
    file[file.length - 100]! ^= 0xff;
    const tamperedPath = join(dir, "tampered.wbak");
    await writeFile(tamperedPath, file);
    const tampered = await restore([tamperedPath], { REDIS_KEY_PREFIX: "shopD:" });
    expect(tampered.code).toBe(1);
    expect(tampered.err).toMatch(/^Restore refused: the backup is damaged or was altered/);
    expect(await allKeys(empty)).toEqual([]);
  });

  it("wrong usage and a missing variable are one clear line each, exit code 2", async () => {
    expect(await restore([])).toMatchObject({ code: 2, err: expect.stringMatching(/^usage: npm run restore/) });
    expect(await restore(["a.wbak", "b.wbak"])).toMatchObject({ code: 2 });
    expect(await restore([backupPath], { BACKUP_KEY: "" })).toMatchObject({ code: 2, err: expect.stringMatching(/^BACKUP_KEY: is required/) });
    expect(await restore([join(dir, "missing.wbak")])).toMatchObject({ code: 1, err: expect.stringMatching(/cannot read .*ENOENT/) });
  });
});

/** The shop's backup with the `DUMP` payload of one key damaged, sealed with the right key (so only Redis can tell). */
async function backupWithBadPayload(badKey: string): Promise<Buffer> {
  const snapshot = await takeSnapshot(shop.app.redis);
  const entry = snapshot.entries.find((candidate) => candidate.key === badKey);
  if (!entry) throw new Error(`no ${badKey} in the snapshot`);
  entry.dump[0]! ^= 0xff;
  return sealBackup(encodeSnapshot(snapshot), { key: backupKey, keys: snapshot.entries.length, prefix: keyPrefixOf(shop.app.redis), takenAt: snapshot.takenAt });
}

describe("a restore that cannot be completed says so", () => {
  it("without --force, a key written after the emptiness check fails visibly: the target is reported partial, exit 1, restore again with --force", async () => {
    const raced = await client(target.url, "shopE:");
    const wallet = keys.wallet("telegram:2001");
    const result = await restore([backupPath], { REDIS_KEY_PREFIX: "shopE:" }, async () => {
      await raced.set(wallet, "777");
    });
    expect(result.code).toBe(1);
    expect(result.out).not.toMatch(/Start the bot/);
    expect(result.err).toMatch(/partial/);
    expect(result.err).toContain(wallet);
    expect(result.err).toMatch(/--force/);
    // The raced key is left as the other writer made it (RESTORE without REPLACE); the rest was written.
    expect(await raced.get(wallet)).toBe("777");
    const sourceKeys = (await allKeys(shop.app.redis)).filter((key) => !key.startsWith("bull:"));
    expect(await allKeys(raced)).toEqual(sourceKeys);

    const again = await restore([backupPath, "--force"], { REDIS_KEY_PREFIX: "shopE:" });
    expect(again.code).toBe(0);
    expect(await new Wallet(raced).verify("telegram:2001")).toMatchObject({ consistent: true, balance: await shop.app.wallet.balance("telegram:2001") });
  });

  it("a payload Redis cannot read is refused before anything is written, --force or not", async () => {
    const bad = keys.wallet("telegram:2002");
    const path = join(dir, "bad-payload.wbak");
    await writeFile(path, await backupWithBadPayload(bad));
    const existing = await client(target.url, "shopF:");
    await existing.set("kept", "the shop as it was");
    const forced = await restore([path, "--force"], { REDIS_KEY_PREFIX: "shopF:" });
    expect(forced.code).toBe(1);
    expect(forced.err).toMatch(/^Restore refused: /);
    expect(forced.err).toContain(bad);
    expect(await allKeys(existing)).toEqual(["kept"]);

    const empty = await client(target.url, "shopG:");
    expect((await restore([path], { REDIS_KEY_PREFIX: "shopG:" })).code).toBe(1);
    expect(await allKeys(empty)).toEqual([]);
  });

  it("a RESTORE failing inside the transaction is counted: restored, failed and deleted, never hidden", async () => {
    const bad = keys.wallet("telegram:2003");
    const snapshot = await takeSnapshot(shop.app.redis);
    snapshot.entries.find((entry) => entry.key === bad)!.dump[0]! ^= 0xff;
    const partial = await client(target.url, "shopH:");
    await partial.set("old", "1");
    const outcome = await restoreSnapshot(partial, snapshot, { replace: true });
    expect(outcome.failures).toEqual([{ key: bad, reason: expect.stringMatching(/payload/i) }]);
    expect(outcome.deleted).toBe(1);
    expect(outcome.restored + outcome.expired + outcome.failures.length).toBe(snapshot.entries.length);
    expect(await partial.exists(bad)).toBe(0);
    expect(await partial.get("old")).toBeNull();
  });
});

describe("a snapshot is one instant", () => {
  it("taken while money keeps moving, every restored balance equals its ledger", async () => {
    const { redis: busy, cleanup } = await freshRedis("backup-busy");
    try {
      const wallet = new Wallet(busy);
      const buyers = Array.from({ length: 20 }, (_, i) => `telegram:${3000 + i}`);
      for (const buyer of buyers) await wallet.credit(buyer, 100_000, { id: `seed:${buyer}`, reason: "manual" });
      let running = true;
      let moves = 0;
      const mover = (async () => {
        while (running) {
          const buyer = buyers[moves % buyers.length]!;
          await wallet.debit(buyer, 1, { id: `move:${moves}`, reason: "purchase" });
          moves++;
        }
      })();
      const backups: Buffer[] = [];
      for (let i = 0; i < 5; i++) backups.push((await makeBackup(busy, backupKey)).file);
      running = false;
      await mover;
      expect(moves).toBeGreaterThan(0);
      for (const [i, file] of backups.entries()) {
        const path = join(dir, `busy-${i}.wbak`);
        await writeFile(path, file);
        expect((await restore([path, "--force"], { REDIS_KEY_PREFIX: "busy:" })).code).toBe(0);
        const restored = new Wallet(await client(target.url, "busy:"));
        for (const buyer of buyers) expect((await restored.verify(buyer)).consistent).toBe(true);
      }
    } finally {
      await cleanup();
    }
  });
});
