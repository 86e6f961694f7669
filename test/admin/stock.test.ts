/**
 * `/stock` and `/replace` in the admin group, for what must never happen to an item: shown in the
 * audit log (whatever an admin types after `/stock` — an item on the command's own line, several
 * lines, a mistyped sub-command, a code followed by an item — `/audit` keeps the sub-command, the
 * code and a count), sold twice (a list uploaded again with items already sold), or taken by
 * `/replace` and lost (it is saved on the order before it is sent, and the same admin message
 * again resends it).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AuditLog } from "../../src/admin/audit-log.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { adminGroup, buyer, eventually, owner, person, placeOrder, postedTo, says, startAdminShop, type AdminShop } from "./support.js";

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

  it("counts items sold before as already sold when a list is uploaded again, and never puts them back on sale", async () => {
    const admin = person(telegram, adminGroup, owner);
    const list = ["one@mail.test:Secret-1", "two@mail.test:Secret-2", "three@mail.test:Secret-3"];
    await admin.ask("/stock new VOUCHER 10000 Voucher", says("admin-stock-created", { code: "VOUCHER" }));
    await admin.ask(`/stock add VOUCHER\n${list.join("\n")}`, says("admin-stock-added", { code: "VOUCHER", added: 3, available: 3 }));
    // Two are sold (held, then taken, as fulfilment does).
    const store = shop.app.stock.store;
    expect((await store.reserve("ORD-STOCKTEST01", "VOUCHER", 2, Date.now() + 60_000)).ok).toBe(true);
    expect(await store.take("ORD-STOCKTEST01", "VOUCHER")).toEqual(list.slice(0, 2));

    // The same list again, plus one new item: only the new one is added; the two sold ones are said so.
    const since = telegram.mark();
    telegram.sendDocument(adminGroup, owner, { bytes: Buffer.from([...list, "four@mail.test:Secret-4"].join("\n")), fileName: "stock.txt", mimeType: "text/plain", caption: "/stock add VOUCHER" });
    const answer = await admin.expect(says("admin-stock-added", { code: "VOUCHER" }), since);
    expect(answer).toMatch(says("admin-stock-added", { code: "VOUCHER", added: 1, skipped: 3, duplicates: 1, available: 2 }));
    expect(answer).toMatch(says("admin-stock-already-sold", { sold: 2 }));
    expect(await store.available("VOUCHER")).toBe(2);
    expect((await store.reserve("ORD-STOCKTEST02", "VOUCHER", 2, Date.now() + 60_000)).ok).toBe(true);
    expect(await store.take("ORD-STOCKTEST02", "VOUCHER")).toEqual([list[2], "four@mail.test:Secret-4"]);
    expect(postedTo(telegram, adminGroup.id).join("\n")).not.toMatch(/Secret-\d/);
  });

  it("/replace saves the sealed item on the order before sending; the same admin message again resends it, never a new one", async () => {
    const admin = person(telegram, adminGroup, owner);
    const list = ["w1@mail.test:Secret-1", "w2@mail.test:Secret-2", "w3@mail.test:Secret-3", "w4@mail.test:Secret-4"];
    await admin.ask("/stock new WARR 10000 Warranty account", says("admin-stock-created", { code: "WARR" }));
    await admin.ask(`/stock add WARR\n${list.join("\n")}`, says("admin-stock-added", { code: "WARR", added: 4 }));
    const order = await placeOrder(shop, 3101, "WARR", "wallet");
    await shop.app.fulfilment.enqueue(order);
    await eventually(async () => expect((await shop.app.orders.get(order.id))?.status).toBe("delivered"));
    const budi = buyer(telegram, 3101);
    const opened = (item: string | undefined) => shop.app.vault.open(item!, true).items.map((line) => line.value);

    // The buyer cannot be reached: the replacement is taken and kept on the order, sealed.
    telegram.failNext("sendMessage", 1, { status: 403, chatId: 3101 });
    const since = telegram.mark();
    const request = telegram.sendText(adminGroup, owner, `/replace ${order.id}`);
    await admin.expect(says("admin-replace-unsent", { order: order.id, available: 2 }), since);
    const saved = (await shop.app.orders.get(order.id))?.replacements;
    expect(saved).toEqual([expect.objectContaining({ number: 1, item: expect.any(String) })]);
    expect(JSON.stringify(saved)).not.toMatch(/Secret-\d/);
    expect(opened(saved?.[0]?.item)).toEqual([list[1]]);

    // The same admin message again (a redelivered update): the saved item is sent, no new one is taken.
    const again = telegram.mark();
    telegram.pushUpdate({ message: request.message! });
    await admin.expect(says("admin-replace-resent", { order: order.id }), again);
    expect(await budi.expect(says("replace-delivered", { order: order.id }), again)).toContain(list[1]);
    expect(await shop.app.stock.store.available("WARR")).toBe(2);
    expect((await shop.app.orders.get(order.id))?.replacements).toHaveLength(1);

    // A crash after the item was taken, before it was saved: the same message again gets that item.
    const crashedId = request.message!.message_id + 1_000;
    expect(await shop.app.stock.replacement(order.id, "WARR", `telegram:${adminGroup.id}:${crashedId}`)).toEqual({ item: list[2] });
    expect(await shop.app.stock.store.available("WARR")).toBe(1);
    const retried = telegram.mark();
    telegram.pushUpdate({ message: { ...request.message!, message_id: crashedId } });
    await admin.expect(says("admin-replace-done", { order: order.id, available: 1 }), retried);
    expect(await budi.expect(says("replace-delivered", { order: order.id }), retried)).toContain(list[2]);
    const replacements = (await shop.app.orders.get(order.id))?.replacements ?? [];
    expect(replacements.map((replacement) => [replacement.number, opened(replacement.item)])).toEqual([
      [1, [list[1]]],
      [2, [list[2]]],
    ]);
    expect(postedTo(telegram, adminGroup.id).join("\n")).not.toMatch(/Secret-\d/);
  });
});
