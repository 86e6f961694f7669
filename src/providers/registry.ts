/**
 * Which providers run: every provider whose credentials are configured, plus the sandbox when
 * it is on (by default, when no real provider is configured).
 */
import type { Logger } from "pino";
import type { Config } from "../config.js";
import { SandboxProvider } from "./sandbox.js";
import type { Provider } from "./types.js";

export function buildProviders(config: Config, _logger: Logger): Provider[] {
  const providers: Provider[] = [];
  if (config.sandbox) providers.push(new SandboxProvider());
  return providers;
}
