/**
 * Compiles the bot host — with the app and the test helpers it loads — to plain JavaScript in
 * bench/.build/, so the memory benchmark can measure a bot process as production runs it
 * (`npm run build` then `npm run start:prod`: plain node, no tsx loader, which alone holds ~35 MB).
 */
import { execFile } from "node:child_process";
import { cpSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const project = fileURLToPath(new URL("./tsconfig.compiled.json", import.meta.url));
const buildDir = new URL("./.build/", import.meta.url);

/** The compiled host.ts, ready to fork with plain node. */
export const compiledHostEntry = fileURLToPath(new URL("./bench/host.js", buildDir));
/** The compiled composition root, for the import-only floor. */
export const compiledAppModule = new URL("./src/compose/app.js", buildDir).href;

/** Runs tsc over the host's import graph (a few seconds) and puts the locales where i18n looks. */
export async function compileHost(): Promise<void> {
  await run(process.execPath, [tsc, "-p", project]);
  // i18n reads `../locales/` relative to its own file: bench/.build/src/ → bench/.build/locales/.
  cpSync(fileURLToPath(new URL("../locales/", import.meta.url)), fileURLToPath(new URL("./locales/", buildDir)), { recursive: true });
}
