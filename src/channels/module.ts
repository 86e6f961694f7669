/**
 * The contract of a channel module: everything the composition root needs to know about one chat
 * platform, so it iterates one list (`channels/registry.ts`) for senders, start, stop and health
 * instead of naming platforms.
 *
 * Adding a channel is a folder `channels/<id>/` with the platform adapter and a `module.ts` that
 * implements this contract, plus one factory line in `channels/registry.ts`.
 *
 * ## Ordering one chat's messages: one mechanism per path
 *
 * A chat's messages must be handled one after another (each loads the session the previous one
 * saved). Exactly one in-process mechanism does that on every path, and it is the handler's, not
 * the channel's: `ShopBot.handle` runs one chat's buyer messages in call order (its `ChatQueue`;
 * direct callers rely on it, test/integration/chat-order.test.ts), and the admin stage does the
 * same for group messages. A channel only has to *call* the handler in arrival order; the
 * per-chat {@link FloodGate} sits in front, so a flooding chat's excess is dropped before it
 * waits anywhere, and at most a few of its messages wait (each holding its runner slot only as
 * long as the chat's own earlier messages take).
 *
 * | Path              | Arrival order kept by                                   | Orders the handling            | Across processes |
 * |-------------------|---------------------------------------------------------|--------------------------------|------------------|
 * | Telegram polling  | runner hands updates over in order; flood gate admits in order | ShopBot / admin `ChatQueue` | — (one poller)   |
 * | Telegram webhook  | flood gate admits in order                              | ShopBot / admin `ChatQueue`    | Redis `ChatLock` (buyer chats) |
 * | WhatsApp          | per-chat hand-off chain over the async dedupe and LID lookup (released once the handler is called) | ShopBot / admin `ChatQueue` | — (one connection holder, Redis lock) |
 * | Console           | the input loop awaits each answer                       | ShopBot `ChatQueue`            | —                |
 *
 * What the channels used to stack on top (grammY's `sequentialize` on Telegram, a handling
 * `ChatQueue` on WhatsApp) held each message for the whole handling, in front of a ShopBot queue
 * that then never had anything to order. Answers still go out through each channel's per-chat
 * *send* queue, which orders sending, not handling.
 *
 * @example
 * export function consoleModule(options: ConsoleModuleOptions): ChannelModule {
 *   const channel = new ConsoleChannel(options);
 *   return {
 *     id: "console",
 *     sender: channel,
 *     adminGroup: null,
 *     ...consoleBuyerRefs,
 *     start: async (handlers) => void channel.run(handlers),
 *     stop: async () => {},
 *     health: () => "ok",
 *   };
 * }
 */
import type { BuyerRefFormat } from "../core/buyer-ref.js";
import type { Channel, ChannelHandlers } from "../core/inbound.js";
import type { ChannelSender } from "../core/outbox.js";

/**
 * A channel's state for /healthz: `ok` (taking messages), `connecting` (starting or reconnecting),
 * `standby` (another process holds the connection; messages are relayed to it), `stopped` (not
 * started in this process, or stopped).
 */
export type ChannelHealth = "ok" | "connecting" | "standby" | "stopped";

export interface ChannelModule extends BuyerRefFormat {
  readonly id: Channel;
  /**
   * Sends messages the shop starts (deliveries, refunds, admin notices). Usable before
   * {@link start}: it goes into the outbox, which the stages built after the channels send through.
   */
  readonly sender: ChannelSender;
  /**
   * The chat id of the admin group on this channel, or null. Its messages skip the flood limit
   * (staff working through a backlog must not lose commands). The admin side reads the same
   * variables itself (`admin/access.ts`, `admin/admin-group.ts`): admin may not import channels,
   * and it must recognise a group even in a process where that channel only sends.
   */
  readonly adminGroup: string | null;
  /**
   * Starts taking messages, handing them to `handlers`: buyers' private chats to `handle`, groups
   * to `handleGroup`. Called once, after every stage is built; a process that only sends (a
   * worker) starts nothing.
   */
  start(handlers: ChannelHandlers): Promise<void>;
  /**
   * Graceful shutdown, first step: stops taking new messages and resolves once the messages it
   * already took are handled; sending keeps working (running jobs still deliver). Optional: a
   * channel without it takes messages until {@link stop}.
   */
  stopReceiving?(): Promise<void>;
  /** Stops taking messages, sends what is queued to send where it can, and releases what it holds. */
  stop(): Promise<void>;
  health(): ChannelHealth;
}
