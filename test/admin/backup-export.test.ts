/**
 * `/backup` from the admin group (the real bot against the fake Bot API): refused with a clear
 * message without BACKUP_KEY; with it, an encrypted file lands in BACKUP_DIR (0600), the oldest
 * beyond BACKUP_KEEP are removed, the file is sent to the group and restores. The daily backup
 * posts to the group and saves the same way; its BullMQ schedule is at BACKUP_AT in WIB. Bad
 * BACKUP_* values are one line each. `/export` answers with CSV files (and its usage otherwise).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig, formatConfigProblems } from "../../src/config.js";
import { nextWibTime } from "../../src/core/time.js";
import { BullmqDaily } from "../../src/jobs/daily.js";
import { Backups } from "../../src/admin/backups.js";
import { connectRedis } from "../../src/store/redis.js";
import { silentLogger } from "../../src/logger.js";
import { openBackup } from "../../src/store/backup-file.js";
import { restoreBackup } from "../../src/store/backup.js";
import { Wallet } from "../../src/commerce/wallet.js";
import { formatRupiah } from "../../src/core/money.js";
import { startFakeTelegram, textOf, type FakeTelegram, type SentMessage } from "../fakes/telegram-api.js";
import { freshRedis, testRedisUrl } from "../helpers/redis.js";
import { adminGroup, owner, person, placeOrder, says, startAdminShop, type AdminShop } from "./support.js";

const backupKey = "admin test backup passphrase";

let telegram: FakeTelegram;
let shop: AdminShop | null = null;
let dir: string;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  dir = await mkdtemp(join(tmpdir(), "wb-admin-backup-"));
});
afterEach(async () => {
  await shop?.cleanup();
  shop = null;
  await telegram.close();
  await rm(dir, { recursive: true, force: true });
});

const admin = () => person(telegram, adminGroup, owner);

/** Sends a command in the admin group and resolves with the document the bot answers with. */
async function askForDocument(text: string): Promise<SentMessage> {
  const since = telegram.mark();
  admin().say(text);
  return telegram.waitFor((m) => m.chatId === adminGroup.id && m.method === "sendDocument", { since, timeoutMs: 8_000 });
}

describe("/backup", () => {
  it("without BACKUP_KEY refuses and says how to turn backups on", async () => {
    shop = await startAdminShop(telegram, { env: { BACKUP_DIR: dir } });
    await admin().ask("/backup", says("admin-backup-off"));
    expect(await readdir(dir)).toEqual([]);
  });

  it("saves an encrypted backup in BACKUP_DIR, keeps the newest BACKUP_KEEP of this shop's, and the file restores", async () => {
    const backups = join(dir, "backups");
    shop = await startAdminShop(telegram, { env: { BACKUP_KEY: backupKey, BACKUP_DIR: backups, BACKUP_KEEP: "2" } });
    await placeOrder(shop, 1501, "SB-NFX1", "wallet");
    // Two older backups of this shop, one of another shop (another prefix) and an unrelated file.
    const ours = shop.app.backups.fileName(Date.parse("2024-01-01T00:00:00Z"));
    const older = [ours, ours.replace("20240101", "20240102")];
    const foreign = ["warung-backup-othershop-20230101-000000.wbak", "notes.txt"];
    await mkdir(backups, { recursive: true });
    for (const name of [...older, ...foreign]) await writeFile(join(backups, name), "old");

    const sent = await askForDocument("/backup");
    expect(sent.method).toBe("sendDocument");
    expect(textOf(sent)).toMatch(says("admin-backup-made"));
    expect(textOf(sent)).toMatch(says("admin-backup-saved", { pruned: 1 }));
    const now = (await readdir(backups)).filter((name) => ![...older, ...foreign].includes(name));
    expect(now).toHaveLength(1);
    const made = now[0]!;
    expect(made).toMatch(/^warung-backup-.*\d{8}-\d{6}\.wbak$/);
    expect((await readdir(backups)).sort()).toEqual([made, older[1]!, ...foreign].sort());
    expect((await stat(join(backups, made))).mode & 0o777).toBe(0o600);

    const file = await readFile(join(backups, made));
    expect(sent.fileName).toBe(made);
    expect(sent.document?.equals(file)).toBe(true);
    expect(file.includes(Buffer.from("telegram:1501"))).toBe(false);
    expect((await openBackup(file, backupKey)).header.keys).toBeGreaterThan(0);
    const { redis: target, cleanup } = await freshRedis("backup-target");
    try {
      await restoreBackup(target, file, backupKey, { force: false });
      expect(await new Wallet(target).verify("telegram:1501")).toMatchObject({ consistent: true });
      expect(await target.zcard("orders:all")).toBe(1);
    } finally {
      await cleanup();
    }
  });

  it("without BACKUP_DIR says the file is not kept on the server", async () => {
    shop = await startAdminShop(telegram, { env: { BACKUP_KEY: backupKey } });
    const sent = await askForDocument("/backup");
    expect(textOf(sent)).toMatch(says("admin-backup-not-saved"));
    expect((await openBackup(sent.document!, backupKey)).header.keys).toBeGreaterThan(0);
  });
});

describe("on the in-memory demo store", () => {
  it("a backup is refused as needing a real Redis", async () => {
    const redis = await connectRedis({});
    const backups = new Backups({ redis, key: backupKey, dir, keep: 7, logger: silentLogger });
    await expect(backups.make()).rejects.toMatchObject({ code: "in_memory" });
    expect(await readdir(dir)).toEqual([]);
    redis.disconnect();
  });
});

describe("the daily backup", () => {
  it("posts to the admin group and saves to BACKUP_DIR", async () => {
    shop = await startAdminShop(telegram, { env: { BACKUP_KEY: backupKey, BACKUP_DIR: dir } });
    const since = telegram.mark();
    await shop.app.backups.daily();
    await admin().expect(says("admin-backup-daily"), since);
    const sent = await telegram.waitFor((m) => m.chatId === adminGroup.id && m.method === "sendDocument", { since, timeoutMs: 8_000 });
    const saved = await readdir(dir);
    expect(saved).toEqual([sent.fileName]);
    expect(sent.document?.equals(await readFile(join(dir, saved[0]!)))).toBe(true);
  });

  it("is a BullMQ job scheduler at BACKUP_AT in WIB, declared once however many processes declare it", async () => {
    const { prefix, cleanup } = await freshRedis("daily");
    const dailies = [0, 1].map(() => new BullmqDaily({ newConnection: () => new Redis(testRedisUrl, { maxRetriesPerRequest: null }), prefix: `${prefix}bull`, logger: silentLogger, work: false }));
    const queue = new Queue("daily", { connection: new Redis(testRedisUrl, { maxRetriesPerRequest: null }), prefix: `${prefix}bull` });
    try {
      for (const daily of dailies) await daily.start([{ name: "backup", at: { hour: 3, minute: 0 }, run: async () => undefined }]);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toHaveLength(1);
      expect(schedulers[0]).toMatchObject({ key: "backup", pattern: "0 3 * * *", tz: "Asia/Jakarta" });
      expect(schedulers[0]!.next).toBe(nextWibTime(3, 0, Date.now()));
      const delayed = await queue.getDelayed();
      expect(delayed.map((job) => job.name)).toEqual(["backup"]);
    } finally {
      for (const daily of dailies) await daily.close();
      await queue.close();
      (await queue.client).disconnect();
      await cleanup();
    }
  });
});

describe("BACKUP_* variables", () => {
  it("are one clear line each when wrong", () => {
    const result = loadConfig({ CONSOLE: "off", BACKUP_KEY: "short", BACKUP_AT: "3am", BACKUP_KEEP: "0" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const lines = formatConfigProblems(result.problems).split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^BACKUP_KEY: must be a passphrase of at least 16 characters \(example: BACKUP_KEY=/),
        expect.stringMatching(/^BACKUP_AT: must be a time of day HH:MM \(WIB\) \(example: BACKUP_AT=03:00\)$/),
        expect.stringMatching(/^BACKUP_KEEP: .*\(example: BACKUP_KEEP=7\)$/),
      ]),
    );
  });

  it("a daily backup needs a key and somewhere to go", () => {
    const result = loadConfig({ CONSOLE: "off", BACKUP_AT: "03:00" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.variable).sort()).toEqual(["BACKUP_AT", "BACKUP_KEY"]);
    expect(loadConfig({ CONSOLE: "off", BACKUP_AT: "03:00", BACKUP_KEY: backupKey, BACKUP_DIR: dir }).ok).toBe(true);
  });
});

describe("/export", () => {
  it("answers with a CSV of the period's orders and of the ledger, captioned with the count and totals", async () => {
    shop = await startAdminShop(telegram);
    const orders = [await placeOrder(shop, 1601, "SB-NFX1", "wallet"), await placeOrder(shop, 1602, "SB-NFX1", "wallet")];
    const price = orders[0]!.price;

    const sent = await askForDocument("/export orders");
    expect(sent.fileName).toMatch(/^orders-30d-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(textOf(sent)).toMatch(says("admin-export-orders", { period: "30d", count: 2, total: formatRupiah(price * 2) }));
    const csv = sent.document!;
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.subarray(3).toString("utf8").split("\r\n");
    expect(lines[0]).toBe("order,created_wib,buyer,product_code,product,target,price,cost,status,payment_method");
    expect(lines.slice(1, 3).map((line) => line.split(",")[0]).sort()).toEqual(orders.map((order) => order.id).sort());
    expect(lines[3]).toMatch(new RegExp(`^TOTAL \\(2\\),,,,,,${price * 2},`));

    const ledger = await askForDocument("/export LEDGER 7d");
    expect(ledger.fileName).toMatch(/^ledger-7d-/);
    // Each buyer: a test top-up and the order's payment.
    expect(textOf(ledger)).toMatch(says("admin-export-ledger", { period: "7d", count: 4, credits: formatRupiah(price * 2), debits: formatRupiah(price * 2) }));
    expect(ledger.document!.subarray(3).toString("utf8")).toContain(`TOTAL net (4),,,0,,,\r\n`);

    const month = await askForDocument("/export orders 2020-01");
    expect(month.fileName).toBe("orders-2020-01.csv");
    expect(textOf(month)).toMatch(says("admin-export-orders", { count: 0 }));
  });

  it("shows its usage for anything else", async () => {
    shop = await startAdminShop(telegram);
    for (const bad of ["/export", "/export stock", "/export orders 2025-13", "/export orders 30d extra"]) {
      await admin().ask(bad, says("admin-usage-export"));
    }
  });
});
