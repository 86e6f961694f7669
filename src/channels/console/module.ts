/**
 * The console chat as a {@link ChannelModule}. Starting it opens the chat; {@link ConsoleModule.ended}
 * resolves when you quit or the piped input ends (after the orders still being fulfilled settled),
 * which is when the demo process stops.
 *
 * @example
 * const console = consoleModule({ translator, locale: "id", settled: () => recovery.settled("console:local") });
 * await console.start(handlers);
 * await console.ended;
 */
import { consoleBuyerRefs } from "../../core/buyer-ref.js";
import type { ChannelModule } from "../module.js";
import { ConsoleChannel, type ConsoleChannelOptions } from "./console-channel.js";

export interface ConsoleModuleOptions extends ConsoleChannelOptions {
  /** Resolves when nothing is left in flight for the console buyer (awaited at end of piped input). */
  settled?: () => Promise<void>;
}

export interface ConsoleModule extends ChannelModule {
  readonly id: "console";
  /** Resolves when the chat ended (`/quit` or end of input); rejects if reading the input failed. */
  readonly ended: Promise<void>;
}

export function consoleModule(options: ConsoleModuleOptions): ConsoleModule {
  const { settled, ...channelOptions } = options;
  const channel = new ConsoleChannel(channelOptions);
  let state: "stopped" | "ok" = "stopped";
  let end!: (run: Promise<void>) => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  return {
    id: "console",
    sender: channel,
    adminGroup: null,
    ...consoleBuyerRefs,
    ended,
    start: async (handlers) => {
      state = "ok";
      const run = channel.run({ handle: handlers.handle, ...(settled ? { settled } : {}) });
      end(run.finally(() => (state = "stopped")));
    },
    stop: async () => {},
    health: () => state,
  };
}
