/**
 * `/backup` and `/export` from the WhatsApp admin group (the real channel against the fake
 * Baileys socket): each answers with a document message in the group, through the pacer.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openBackup } from "../../src/store/backup-file.js";
import { FakeWhatsApp } from "../fakes/baileys-socket.js";
import { startTestApp, type TestApp } from "../helpers/app.js";
import { shown } from "../helpers/shown.js";
import { eventually } from "./clocks.js";

const adminGroup = "120363000000000012@g.us";
const adminNumber = "6281100000077";
const backupKey = "whatsapp backup passphrase";

let shop: TestApp;
let fake: FakeWhatsApp;
let dir: string;

beforeEach(async () => {
  fake = new FakeWhatsApp();
  dir = mkdtempSync(join(tmpdir(), "wa-backup-"));
  shop = await startTestApp(
    {
      WHATSAPP_ENABLED: "true",
      WHATSAPP_ADMIN_GROUP_JID: adminGroup,
      ADMIN_WHATSAPP_NUMBERS: adminNumber,
      WHATSAPP_SEND_PER_SECOND: "20",
      WHATSAPP_QR_FILE: join(dir, "qr.png"),
      BACKUP_KEY: backupKey,
    },
    { makeWhatsAppSocket: fake.make, whatsAppTuning: { print: () => undefined, typingMs: 0, backoff: { baseMs: 20, maxMs: 40 } } },
  );
  await fake.loginAndOpen();
  await eventually(() => shop.app.whatsapp!.connection.state === "open");
});

afterEach(async () => {
  await shop.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function command(text: string): void {
  fake.latest.receive({ chat: adminGroup, participant: `${adminNumber}@s.whatsapp.net`, text });
}

describe("the WhatsApp admin group", () => {
  it(".backup answers with the encrypted backup as a document", async () => {
    command(".backup");
    const sent = await fake.waitForSent((record) => record.jid === adminGroup && record.document !== undefined);
    expect(sent.fileName).toMatch(/^warung-backup-.*\.wbak$/);
    expect(sent.text).toMatch(shown("admin-backup-made"));
    expect((await openBackup(sent.document!, backupKey)).header.format).toBe("warung-bot-backup");
  });

  it("/export ledger answers with a CSV document", async () => {
    await shop.app.wallet.credit("whatsapp:6281234500009", 25_000, { id: "manual:wa-1", reason: "manual" });
    command("/export ledger 7d");
    const sent = await fake.waitForSent((record) => record.jid === adminGroup && record.document !== undefined);
    expect(sent).toMatchObject({ mimetype: "text/csv" });
    expect(sent.fileName).toMatch(/^ledger-7d-/);
    expect(sent.document!.subarray(3).toString("utf8")).toContain("manual:wa-1,");
  });
});
