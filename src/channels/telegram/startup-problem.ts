/**
 * One clear line for a Telegram failure that stops start-up, naming what the owner must fix.
 * Never includes the token: grammY's errors name the method and Telegram's description only.
 */
import { GrammyError, HttpError } from "grammy";

/** The line to print, or null when the error did not come from Telegram. */
export function telegramStartupProblem(error: unknown): string | null {
  if (error instanceof GrammyError) {
    // Telegram answers 401 for an unknown token and 404 for a malformed one.
    if (error.error_code === 401 || error.error_code === 404) return `TELEGRAM_BOT_TOKEN was refused by Telegram (${error.error_code})`;
    return `Telegram refused ${error.method} at start-up (${error.error_code}: ${error.description})`;
  }
  if (error instanceof HttpError) return `Telegram could not be reached at start-up (check TELEGRAM_API_ROOT and the network): ${error.message}`;
  return null;
}
