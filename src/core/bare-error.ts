/**
 * Errors from sending a message or touching stored secrets can carry them as properties: grammY's
 * `payload` holds the text sent (a delivered login), ioredis's `command.args` the value written
 * (WhatsApp creds). pino logs every enumerable property of an `err`, so such errors are logged
 * through this copy, which keeps what an engineer needs (name, message, stack) and nothing else.
 */

/**
 * A new Error with only `error`'s name, message and stack; anything that is not an Error becomes
 * one with its string form as the message.
 *
 * @example
 * sent.catch((error: unknown) => logger.warn({ err: bareError(error) }, "could not send a WhatsApp answer"));
 */
export function bareError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const bare = new Error(error.message);
  bare.name = error.name;
  if (error.stack !== undefined) bare.stack = error.stack;
  return bare;
}
