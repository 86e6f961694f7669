/**
 * Entry point: config → logger → app → channels. With no configuration at all it opens the
 * console chat against the sandbox provider and an in-memory store.
 */
import { attachAdmin } from "./admin/attach.js";
import { App } from "./app.js";
import { ConsoleChannel } from "./channels/console/console-channel.js";
import { telegramStartupProblem } from "./channels/telegram/startup-problem.js";
import { formatConfigProblems, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { buildProviders } from "./providers/registry.js";

const loaded = loadConfig();
if (!loaded.ok) {
  process.stderr.write(`Configuration problems:\n${formatConfigProblems(loaded.problems)}\n`);
  process.exit(1);
}
const config = loaded.config;
// In the console demo, logs would drown the chat: only warnings, pretty, on stderr.
const logger = createLogger({
  level: config.console && !process.env.LOG_LEVEL ? "warn" : config.LOG_LEVEL,
  pretty: config.console,
});

/**
 * A start-up failure ends the process with one line naming the problem and exit code 1, instead
 * of an unhandled rejection's stack; the error itself goes to the log for the details.
 */
function failStartup(error: unknown): never {
  logger.error({ err: error }, "start-up failed");
  const detail = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${telegramStartupProblem(error) ?? `Start-up failed: ${detail}`}\n`);
  process.exit(1);
}

const app = await App.create({ config, logger, providers: buildProviders(config, logger) }).catch(failStartup);
// Before start: the first buyer already sees the saved markup and pause, and every process
// (workers too) reports the order changes it makes to the admin group.
const admin = attachAdmin(app);
await admin.ready.catch(failStartup);
await app.start().catch(failStartup);

const stop = async () => {
  await admin.stop();
  await app.stop();
};
const shutdown = async (signal: string) => {
  logger.info({ signal }, "shutting down");
  await stop();
  process.exit(0);
};
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));

if (config.console) {
  const consoleChannel = new ConsoleChannel({
    translator: app.translator,
    locale: config.DEFAULT_LOCALE,
    handle: (inbound) => app.shop.handle(inbound),
    settled: () => app.settled("console:local"),
  });
  app.outbox.register(consoleChannel);
  await consoleChannel.run();
  await stop();
  process.exit(0);
}
