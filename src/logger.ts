/**
 * The pino logger. JSON in production, pretty in the console demo. Paths that can hold secrets
 * (API keys, cookies, passwords, buyer credentials, delivery values) are redacted wherever they
 * appear in a log object.
 */
import { pino, type Logger } from "pino";

export type { Logger } from "pino";

/** Object paths that are censored in every log line. */
export const redactPaths = [
  "*.apiKey",
  "*.api_key",
  "*.token",
  "*.password",
  "*.serverPassword",
  "*.accountPassword",
  "*.cookie",
  "*.secret",
  "*.delivery",
  "*.credentials",
  "headers.authorization",
  "headers.cookie",
  "headers.x-api-key",
  "config.*",
  "apiKey",
  "api_key",
  "password",
  "cookie",
  "delivery",
  "credentials",
];

export interface LoggerOptions {
  level: string;
  pretty: boolean;
}

export function createLogger({ level, pretty }: LoggerOptions): Logger {
  return pino({
    level,
    redact: { paths: redactPaths, censor: "[redacted]" },
    ...(pretty
      ? { transport: { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname", destination: 2 } } }
      : {}),
  });
}

/** A logger that drops everything, for tests and tools. */
export const silentLogger: Logger = pino({ level: "silent" });
