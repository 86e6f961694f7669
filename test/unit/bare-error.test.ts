/**
 * Errors that may carry a sent message or a stored secret as a property are logged through
 * bareError: pino still gets the type, message and stack, and never the property.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { bareError } from "../../src/core/bare-error.js";

class SendError extends Error {
  override readonly name = "SendError";
  constructor(readonly payload: { text: string }) {
    super("Call to 'sendMessage' failed! (400: Bad Request)");
  }
}

function logged(err: unknown): { type?: string; message?: string; stack?: string; payload?: unknown } {
  const lines: string[] = [];
  pino({ level: "info" }, { write: (line: string) => void lines.push(line) }).warn({ err }, "could not send");
  return (JSON.parse(lines[0]!) as { err: { type?: string; message?: string; stack?: string; payload?: unknown } }).err;
}

describe("bareError", () => {
  it("keeps the name, message and stack and drops every other property", () => {
    const original = new SendError({ text: "login: buyer@example.com / s3cret" });
    const err = logged(bareError(original));
    expect(err.message).toBe(original.message);
    expect(err.stack).toBe(original.stack);
    expect(err.stack).toContain("SendError");
    expect(err.payload).toBeUndefined();
    expect(JSON.stringify(err)).not.toContain("s3cret");
  });

  it("turns a thrown non-Error into an Error with its string form", () => {
    const bare = bareError("connection reset");
    expect(bare).toBeInstanceOf(Error);
    expect(bare.message).toBe("connection reset");
  });
});
