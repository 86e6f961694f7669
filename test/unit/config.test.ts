import { describe, expect, it } from "vitest";
import { formatConfigProblems, loadConfig, type Config, type ConfigProblem } from "../../src/config.js";

const validToken = "123456789:AAExampleTokenFromBotFather_123";

function ok(env: Record<string, string | undefined>): Config {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${formatConfigProblems(result.problems)}`);
  return result.config;
}

function problems(env: Record<string, string | undefined>): ConfigProblem[] {
  const result = loadConfig(env);
  if (result.ok) throw new Error("expected problems, got a valid config");
  return result.problems;
}

describe("loadConfig defaults", () => {
  it("runs the local demo from an empty environment: sandbox, console, polling, Indonesian", () => {
    const config = ok({});
    expect(config.sandbox).toBe(true);
    expect(config.console).toBe(true);
    expect(config.TELEGRAM_MODE).toBe("polling");
    expect(config.DEFAULT_LOCALE).toBe("id");
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.SESSION_TTL_MINUTES).toBe(30);
    expect(config.MARKUP_PERCENT).toBe(0);
    expect(config.MARKUP_FLAT).toBe(0);
    expect(config.SHOP_NAME).toBe("Warung Bot");
    expect(config.LOG_LEVEL).toBe("info");
    expect(config.ADMIN_TELEGRAM_IDS).toEqual([]);
  });

  it("treats empty and blank values as unset", () => {
    const config = ok({ TELEGRAM_BOT_TOKEN: "", TELEGRAM_MODE: "  ", HTTP_PORT: "", DEFAULT_LOCALE: " ", REDIS_URL: "" });
    expect(config.console).toBe(true);
    expect(config.TELEGRAM_MODE).toBe("polling");
    expect(config.HTTP_PORT).toBe(8080);
    expect(config.DEFAULT_LOCALE).toBe("id");
    expect(config.REDIS_URL).toBeUndefined();
  });

  it("reads the environment it is given", () => {
    const config = ok({ DEFAULT_LOCALE: "en", HTTP_PORT: "9000" });
    expect(config.DEFAULT_LOCALE).toBe("en");
    expect(config.HTTP_PORT).toBe(9000);
  });
});

describe("loadConfig switches", () => {
  it("turns the console off once a Telegram bot token is set", () => {
    const config = ok({ TELEGRAM_BOT_TOKEN: validToken });
    expect(config.console).toBe(false);
    expect(config.TELEGRAM_BOT_TOKEN).toBe(validToken);
  });

  it("lets CONSOLE force the console on or off", () => {
    expect(ok({ TELEGRAM_BOT_TOKEN: validToken, CONSOLE: "on" }).console).toBe(true);
    expect(ok({ CONSOLE: "off" }).console).toBe(false);
  });

  it("lets SANDBOX force the sandbox on or off", () => {
    expect(ok({ SANDBOX: "off" }).sandbox).toBe(false);
    expect(ok({ SANDBOX: "false" }).sandbox).toBe(false);
    expect(ok({ SANDBOX: "on" }).sandbox).toBe(true);
  });

  it.each(["on", "true"])("refuses SANDBOX=%s next to a real provider, in one line naming it", (value) => {
    // Sandbox top-ups are free money: next to a real provider they would buy real goods.
    const found = problems({ SANDBOX: value, ICSSTORE_API_KEY: "key", ALXZEN_API_KEY: "key", ALXZEN_BASE_URL: "https://alxzen.example/api" });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ variable: "SANDBOX", example: "auto" });
    expect(found[0]!.problem).toMatch(/alxzen, icsstore/);
    expect(formatConfigProblems(found).split("\n")).toHaveLength(1);
  });

  it("turns the sandbox off once a real provider is configured", () => {
    expect(ok({ ICSSTORE_API_KEY: "key" }).sandbox).toBe(false);
  });

  it("accepts webhook mode with a URL and a secret", () => {
    const config = ok({ TELEGRAM_MODE: "webhook", TELEGRAM_WEBHOOK_URL: "https://shop.example.com", TELEGRAM_WEBHOOK_SECRET: "s3cret-s3cret-s3cret" });
    expect(config.TELEGRAM_MODE).toBe("webhook");
    expect(config.TELEGRAM_WEBHOOK_URL).toBe("https://shop.example.com");
  });

  it("reads a comma list of admin ids, skipping blanks", () => {
    expect(ok({ ADMIN_TELEGRAM_IDS: " 111, 222,,333 ," }).ADMIN_TELEGRAM_IDS).toEqual(["111", "222", "333"]);
  });

  it("listens on every address unless HTTP_HOST says otherwise", () => {
    expect(ok({}).HTTP_HOST).toBe("0.0.0.0");
    expect(ok({ HTTP_HOST: "127.0.0.1" }).HTTP_HOST).toBe("127.0.0.1");
    expect(ok({ HTTP_HOST: "::1" }).HTTP_HOST).toBe("::1");
  });

  it("reads numbers", () => {
    const config = ok({ MARKUP_PERCENT: "7.5", MARKUP_FLAT: "1000", SESSION_TTL_MINUTES: "45", HTTP_PORT: "0" });
    expect(config).toMatchObject({ MARKUP_PERCENT: 7.5, MARKUP_FLAT: 1000, SESSION_TTL_MINUTES: 45, HTTP_PORT: 0 });
  });
});

describe("loadConfig problems", () => {
  it("reports each bad variable once, by name, with what is wrong and an example", () => {
    const found = problems({ TELEGRAM_MODE: "carrier-pigeon", HTTP_PORT: "abc", DEFAULT_LOCALE: "fr" });
    expect(found.map((problem) => problem.variable).sort()).toEqual(["DEFAULT_LOCALE", "HTTP_PORT", "TELEGRAM_MODE"]);
    const byName = Object.fromEntries(found.map((problem) => [problem.variable, problem]));
    expect(byName.TELEGRAM_MODE).toMatchObject({ example: "polling" });
    expect(byName.TELEGRAM_MODE?.problem).toMatch(/polling/);
    expect(byName.HTTP_PORT).toMatchObject({ example: "8080" });
    expect(byName.DEFAULT_LOCALE).toMatchObject({ example: "id" });
    for (const problem of found) expect(problem.problem.length).toBeGreaterThan(0);
  });

  it.each([
    ["TELEGRAM_BOT_TOKEN", "not-a-token"],
    ["TELEGRAM_MODE", "webhooks"],
    ["TELEGRAM_API_ROOT", "ftp://api.telegram.org"],
    ["TELEGRAM_WEBHOOK_SECRET", "short"],
    ["REDIS_URL", "localhost:6379"],
    ["DEFAULT_LOCALE", "fr"],
    ["SANDBOX", "maybe"],
    ["LOG_LEVEL", "loud"],
    ["MARKUP_PERCENT", "-5"],
    ["MARKUP_FLAT", "1.5"],
    ["SESSION_TTL_MINUTES", "0"],
    ["SESSION_TTL_MINUTES", "0.5"],
    ["HTTP_PORT", "70000"],
    ["HTTP_PORT", "-1.5"],
    ["HTTP_PORT", "8080abc"],
    ["CONSOLE", "yes please"],
    ["HTTP_HOST", "not a host"],
    ["METRICS_TOKEN", "short"],
  ])("reports %s=%j as exactly one problem with an example", (variable, value) => {
    const found = problems({ [variable]: value });
    expect(found).toHaveLength(1);
    expect(found[0]?.variable).toBe(variable);
    expect(found[0]?.example).toBeTruthy();
  });

  it("never echoes a rejected bot token back", () => {
    const token = "123:short-but-secret";
    const [problem] = problems({ TELEGRAM_BOT_TOKEN: token });
    expect(formatConfigProblems([problem!])).not.toContain(token);
  });

  it("requires a URL and a secret in webhook mode, one problem each", () => {
    const found = problems({ TELEGRAM_MODE: "webhook" });
    expect(found.map((problem) => problem.variable)).toEqual(["TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"]);
    for (const problem of found) {
      expect(problem.problem).toContain("TELEGRAM_MODE=webhook");
      expect(problem.example).toBeTruthy();
    }
    expect(problems({ TELEGRAM_MODE: "webhook", TELEGRAM_WEBHOOK_URL: "https://shop.example.com" }).map((problem) => problem.variable)).toEqual([
      "TELEGRAM_WEBHOOK_SECRET",
    ]);
  });

  // Every problem, SHOP_NAME's included, names its variable, what is wrong and an example.
  it("gives an example for a too-long SHOP_NAME too", () => {
    const found = problems({ SHOP_NAME: "x".repeat(65) });
    expect(found.map((problem) => problem.variable)).toEqual(["SHOP_NAME"]);
    expect(found[0]?.example).toBeTruthy();
  });
});

describe("formatConfigProblems", () => {
  it("prints one line per problem, with the example as NAME=value", () => {
    const text = formatConfigProblems([
      { variable: "HTTP_PORT", problem: "must be a number", example: "8080" },
      { variable: "SHOP_NAME", problem: "is too long" },
    ]);
    expect(text.split("\n")).toEqual(["HTTP_PORT: must be a number (example: HTTP_PORT=8080)", "SHOP_NAME: is too long"]);
  });

  it("prints every problem of a real result on its own line naming its variable", () => {
    const found = problems({ TELEGRAM_MODE: "carrier-pigeon", HTTP_PORT: "abc", DEFAULT_LOCALE: "fr" });
    const lines = formatConfigProblems(found).split("\n");
    expect(lines).toHaveLength(3);
    for (const [index, line] of lines.entries()) {
      const variable = found[index]!.variable;
      expect(line.startsWith(`${variable}: `)).toBe(true);
      expect(line).toContain(`(example: ${variable}=`);
    }
  });

  it("prints nothing for no problems", () => {
    expect(formatConfigProblems([])).toBe("");
  });
});
