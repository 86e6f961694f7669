/**
 * `/backup` and `/export` from the WhatsApp admin group (the real channel against the fake
 * Baileys socket): each answers with a document message in the group, through the pacer.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openBackup } from "../../src/store/backup-file.js";
import type { FakeWhatsApp } from "../fakes/baileys-socket.js";
import type { TestApp } from "../helpers/app.js";
import { shown } from "../helpers/shown.js";
import { startWhatsAppShop, type WhatsAppShop } from "./shop.js";

const adminGroup = "120363000000000012@g.us";
const adminNumber = "6281100000077";
const backupKey = "whatsapp backup passphrase";

let harness: WhatsAppShop;
let shop: TestApp;
let fake: FakeWhatsApp;

beforeEach(async () => {
  harness = await startWhatsAppShop({ WHATSAPP_ADMIN_GROUP_JID: adminGroup, ADMIN_WHATSAPP_NUMBERS: adminNumber, BACKUP_KEY: backupKey });
  ({ shop, fake } = harness);
});

afterEach(() => harness.cleanup());

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
