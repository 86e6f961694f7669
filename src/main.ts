/**
 * Entry point: config → logger → providers → the composed app (see `compose/app.ts`). With no
 * configuration at all it opens the console chat against the sandbox provider and an in-memory
 * store.
 */
import { buildApp } from "./compose/app.js";
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

const providers = buildProviders(config.providers, { logger, timeoutMs: config.PROVIDER_TIMEOUT_MS });
const app = await buildApp({ config, logger, providers }).catch(failStartup);
await app.start().catch(failStartup);

/**
 * SIGTERM/SIGINT: a graceful shutdown (`app.stop`, bounded by its budget, so the process exits
 * within 10 s): exit 0 when everything finished, 1 when the budget cut something. A second
 * signal exits at once with the conventional 128 + signal number (143, 130): the operator means it.
 */
let stopping = false;
const onSignal = (signal: "SIGTERM" | "SIGINT") => {
  if (stopping) {
    logger.warn({ signal }, "second signal: exiting now");
    process.exit(signal === "SIGTERM" ? 143 : 130);
  }
  stopping = true;
  logger.info({ signal }, "shutting down");
  void app.stop().then(
    ({ cut }) => {
      logger.info({ cut }, "shut down");
      process.exit(cut.length === 0 ? 0 : 1);
    },
    (error: unknown) => {
      logger.error({ err: error }, "shutdown failed");
      process.exit(1);
    },
  );
};
process.on("SIGINT", () => onSignal("SIGINT"));
process.on("SIGTERM", () => onSignal("SIGTERM"));

if (app.console) {
  await app.console.ended;
  await app.stop();
  process.exit(0);
}
