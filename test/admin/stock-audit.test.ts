/**
 * Stock items are secrets: whatever an admin types after `/stock` — a valid upload with the item
 * on the command's own line, an upload over several lines, a mistyped sub-command, a code followed
 * by an item — the audit log (shown by `/audit` in the group) keeps the sub-command, the code and
 * a count, never an item.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AuditLog } from "../../src/admin/audit-log.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { adminGroup, owner, person, postedTo, says, startAdminShop, type AdminShop } from "./support.js";

let telegram: FakeTelegram;
let shop: AdminShop;

beforeAll(async () => {
  telegram = await startFakeTelegram();
});
afterAll(async () => telegram.close());
beforeEach(async () => {
  shop = await startAdminShop(telegram);
});
afterEach(async () => shop.cleanup());

describe("/stock in the audit log", () => {
  it("keeps the sub-command, the code and a count of items, never an item", async () => {
    const admin = person(telegram, adminGroup, owner);
    await admin.ask("/stock new NETFLIX1 25000 Netflix 1 month", says("admin-stock-created", { code: "NETFLIX1" }));
    await admin.ask("/stock add NETFLIX1 first@mail.test:Secret-1", says("admin-stock-added", { code: "NETFLIX1", added: 1 }));
    await admin.ask("/stock add NETFLIX1 second@mail.test:Secret-2\nthird@mail.test:Secret-3\n\nfourth@mail.test:Secret-4", says("admin-stock-added", { code: "NETFLIX1", added: 3 }));
    // Mistakes are audited as "invalid", and their words after the code are hidden too.
    await admin.ask("/stock ad NETFLIX1 typo@mail.test:Secret-5", says("admin-usage-invalid"));
    await admin.ask("/stock NETFLIX1 forgot@mail.test:Secret-6", says("admin-usage-invalid"));
    await admin.ask("/stock remove NETFLIX1\nwrong@mail.test:Secret-7", says("admin-usage-invalid"));
    await admin.ask("/stock price NETFLIX1 30000", says("admin-stock-saved", { code: "NETFLIX1" }));

    const audit = await admin.ask("/audit 20", says("admin-audit-title"));
    expect(audit).toMatch(says("admin-audit-line", { command: "stock", args: "add NETFLIX1 (+1 items)", result: "added" }));
    expect(audit).toMatch(says("admin-audit-line", { command: "stock", args: "add NETFLIX1 (+3 items)", result: "added" }));
    expect(audit).toMatch(says("admin-audit-line", { command: "stock", args: "ad [hidden]", result: "invalid" }));
    expect(audit).toMatch(says("admin-audit-line", { command: "stock", args: "NETFLIX1 [hidden]", result: "invalid" }));
    expect(audit).toMatch(says("admin-audit-line", { command: "stock", args: "remove NETFLIX1 [hidden]", result: "invalid" }));
    // Settings are not secret: they are kept as typed.
    expect(audit).toMatch(says("admin-audit-line", { command: "stock", args: "price NETFLIX1 30000", result: "saved" }));
    expect(audit).toMatch(says("admin-audit-line", { command: "stock", args: "new NETFLIX1 25000 Netflix 1 month", result: "created" }));
    expect(audit).not.toMatch(/Secret-\d|@mail\.test/);
    expect(postedTo(telegram, adminGroup.id).join("\n")).not.toMatch(/Secret-\d/);
    expect(JSON.stringify(await new AuditLog(shop.app.redis).recent(50))).not.toMatch(/Secret-\d/);
  });
});
