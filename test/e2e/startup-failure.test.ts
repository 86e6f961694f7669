/**
 * A refused token stops the real entry point with one clear line on stderr and exit code 1,
 * not an unhandled GrammyError's stack.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
let telegram: FakeTelegram;

beforeAll(async () => {
  telegram = await startFakeTelegram();
});
afterAll(async () => {
  await telegram.close();
});

/** Runs `src/main.ts` with only the given environment; resolves with its exit code and stderr. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stderr }));
  });
}

describe("start-up failures", () => {
  it("prints one line naming TELEGRAM_BOT_TOKEN and exits 1 when Telegram refuses the token", async () => {
    const wrongToken = "7000000009:WRONG-token-for-the-refusal-test";
    const { code, stderr } = await runMain({ TELEGRAM_BOT_TOKEN: wrongToken, TELEGRAM_API_ROOT: telegram.url, HTTP_PORT: "0", CONSOLE: "off" });
    expect(code).toBe(1);
    expect(stderr).toBe("TELEGRAM_BOT_TOKEN was refused by Telegram (401)\n");
  }, 60_000);
});
