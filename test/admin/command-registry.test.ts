/**
 * The recipe for adding an admin command: one definition (name, argument schema, usage, handler)
 * and one more entry in the list the admin bot is given. A throwaway `/echo` defined here runs end
 * to end through the real bot and the fake Bot API with every admin-side rule the registered
 * commands get — typed arguments, usage on bad ones, `/help`, access, audit — while the shop's own
 * registry stays as it was.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { AuditLog } from "../../src/admin/audit-log.js";
import { answer } from "../../src/admin/commands/answer.js";
import { count, words } from "../../src/admin/commands/args.js";
import { defineAdminCommand } from "../../src/admin/commands/command.js";
import { readCommand } from "../../src/admin/commands/read.js";
import { adminCommandNames, adminCommands } from "../../src/admin/commands/registry.js";
import { msg } from "../../src/core/message.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { adminGroup, otherGroup, owner, person, postedTo, startAdminShop, stranger, type AdminShop } from "./support.js";

// The keys are the test's own: the translator shows an unknown key as itself, a stable marker.
const echoCommand = defineAdminCommand({
  name: "echo",
  args: words.pipe(z.tuple([count(9)])).transform(([times]) => ({ times })),
  usage: msg("test-usage-echo"),
  run: async ({ times }, { actor }) => answer(`echoed ${times} for ${actor.id}`, msg("test-echo-done")),
});

let telegram: FakeTelegram;
let shop: AdminShop;

beforeEach(async () => {
  telegram = await startFakeTelegram();
  shop = await startAdminShop(telegram, { admin: { commands: [...adminCommands, echoCommand] } });
});
afterEach(async () => {
  await shop.cleanup();
  await telegram.close();
});

describe("a command added through the registry mechanism", () => {
  it("runs end to end: typed arguments reach the handler, bad ones get its usage, /help lists it, and it is audited", async () => {
    const admin = person(telegram, adminGroup, owner);
    await admin.ask("/echo 3", "test-echo-done");
    const usage = await admin.ask("/echo lots", "Usage:");
    expect(usage).toContain("test-usage-echo");
    const help = await admin.ask("/help", "Admin commands:");
    // Listed after the registry's own, in the order it was given.
    expect(help.indexOf("test-usage-echo")).toBeGreaterThan(help.indexOf("/audit"));

    const audit = await new AuditLog(shop.app.redis).recent(10);
    const echoes = audit.filter((entry) => entry.command === "echo").map((entry) => entry.result);
    expect(echoes.sort()).toEqual(["echoed 3 for telegram:501", "invalid"]);
  });

  it("gets the same access checks: refused to a stranger and, being admin-only, in another group", async () => {
    await person(telegram, adminGroup, stranger).ask("/echo 1", "Admin commands are for the shop's admins");
    await person(telegram, otherGroup, owner).ask("/echo 1", "Admin commands are for the shop's admins");
    expect(postedTo(telegram, adminGroup.id).join("\n")).not.toContain("test-echo-done");
    expect(postedTo(telegram, otherGroup.id).join("\n")).not.toContain("test-echo-done");
    const audit = await new AuditLog(shop.app.redis).recent(10);
    expect(audit.filter((entry) => entry.command === "echo").map((entry) => entry.result)).toEqual(["refused"]);
  });

  it("leaves the shop's own registry alone", () => {
    expect(adminCommands).not.toContain(echoCommand);
    expect(adminCommandNames).not.toContain("echo");
    expect(readCommand("/echo 3", "telegram")).toBeNull();
  });
});
