/**
 * The usual shape of a command's outcome: one text message and the audit word.
 *
 * @example
 * return answer("not_found", msg("admin-order-not-found", { order: id }));
 */
import type { Msg } from "../../core/message.js";
import { textReply } from "../../core/reply.js";
import type { CommandOutcome } from "./command.js";

/** A one-message text answer, recorded in the audit log as `result`. */
export function answer(result: string, ...lines: Msg[]): CommandOutcome {
  return { replies: [textReply(...lines)], result };
}
