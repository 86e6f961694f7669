/**
 * Failures on the admin side are logged with the Error itself (`{ err }`), so pino keeps its type
 * and stack; a message or a string alone would lose where it came from.
 */
import { pino, type Logger } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { Broadcaster } from "../../src/admin/broadcast.js";
import { ProviderWatch } from "../../src/admin/provider-watch.js";
import { ProviderError } from "../../src/providers/errors.js";
import { keys } from "../../src/store/keys.js";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { CountingSandbox } from "../helpers/counting-sandbox.js";
import { freshRedis } from "../helpers/redis.js";
import { adminGroup, buyer, owner, person, startAdminShop, type AdminShop } from "./support.js";

interface LogLine {
  msg: string;
  err?: { type?: string; message?: string; stack?: string };
}

/** A logger that keeps every line it writes, parsed. */
function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

function loggedError(lines: LogLine[], message: string): LogLine["err"] {
  const line = lines.find((entry) => entry.msg === message);
  expect(line, message).toBeDefined();
  return line!.err;
}

let telegram: FakeTelegram | undefined;
let shop: AdminShop | undefined;
afterEach(async () => {
  await shop?.cleanup();
  await telegram?.close();
  shop = undefined;
  telegram = undefined;
});

describe("admin error logs", () => {
  it("a broadcast message that could not be sent is logged with its Error", async () => {
    const { redis, cleanup } = await freshRedis("admin-error-logs");
    try {
      await redis.sadd(keys.buyers(), "telegram:1");
      const { logger, lines } = capturingLogger();
      const broadcaster = new Broadcaster({
        redis,
        outbox: {
          send: async () => {
            throw new Error("socket hang up");
          },
        },
        group: { post: async () => undefined },
        audit: { record: async () => undefined },
        logger,
        locale: "en",
        perSecond: { telegram: 50, whatsapp: 50 },
      });
      await broadcaster.start("hi", { by: "telegram:501", chat: "telegram:-1" });
      expect(await broadcaster.finished()).toMatchObject({ failed: 1 });
      const err = loggedError(lines, "broadcast message not sent");
      expect(err?.type).toBe("Error");
      expect(err?.stack).toContain("socket hang up");
    } finally {
      await cleanup();
    }
  });

  it("a provider balance that could not be read is logged with its Error", async () => {
    const { logger, lines } = capturingLogger();
    const provider = new CountingSandbox();
    provider.getBalance = async () => {
      throw new ProviderError("upstream", "balance endpoint answered 502");
    };
    const watch = new ProviderWatch({ catalog: { downProviders: () => [] }, providers: new Map([[provider.id, provider]]), notify: () => undefined, lowBalance: 0, logger });
    expect(await watch.balances()).toEqual([{ provider: provider.id, ok: false, code: "upstream" }]);
    const err = loggedError(lines, "could not read a provider balance");
    expect(err?.type).toBe("ProviderError");
    expect(err?.stack).toContain("balance endpoint answered 502");
  });

  it("a buyer who could not be told about a manual credit is logged with the Error", async () => {
    telegram = await startFakeTelegram();
    const { logger, lines } = capturingLogger();
    shop = await startAdminShop(telegram, { overrides: { logger } });
    await buyer(telegram, 4401).ask("/start", "");
    telegram.blockChat(4401);
    await person(telegram, adminGroup, owner).ask("/credit telegram:4401 5000 goodwill", "telegram:4401");
    const err = loggedError(lines, "could not tell the buyer about a manual credit");
    expect(err?.stack).toBeDefined();
  });
});
