/**
 * The WhatsApp channel module: auth store, lock, connection, pacer and channel, the relay that
 * lets other processes send through the one that holds the connection, and connection events
 * turned into messages for the Telegram admin group.
 *
 * Built before the shop (its sender goes into the outbox), started with the shop's handlers.
 *
 * @example
 * const whatsApp = buildWhatsApp({ config, redis, translator, logger, vault, adminNotify });
 * const outbox = new ChannelOutbox([whatsApp.sender]);
 * // … build the shop with that outbox …
 * await whatsApp.start({ handle: shop.handle, handleGroup: admin.handleGroup });
 */
import type { Logger } from "pino";
import { type Translator } from "../../i18n/translator.js";
import { msg, type Msg } from "../../core/message.js";
import type { ChannelHandlers } from "../../core/inbound.js";
import type { ChannelSender } from "../../core/outbox.js";
import { whatsappBuyerRefs } from "../../core/buyer-ref.js";
import type { ChannelHealth, ChannelModule } from "../module.js";
import { textReply, type Reply } from "../../core/reply.js";
import { bareError } from "../../core/bare-error.js";
import { renderQrPng } from "../../payments/qr-image.js";
import type { Redis } from "../../store/redis.js";
import { RedisAuthStore, type LoginSealer } from "./auth-store.js";
import { WhatsAppConnection, type ConnectionEvent, type ConnectionPhase } from "./connection.js";
import { Pacer, type Clock } from "./pacer.js";
import { makeBaileysSocket, type SocketFactory } from "./socket.js";
import { drainRelay, WhatsAppRelaySender, WhatsAppSender } from "./relay.js";
import { isRateLimitError, WhatsAppChannel } from "./whatsapp-channel.js";

/** Knobs for tests and benchmarks; production uses the defaults. */
export interface WhatsAppTuning {
  clock?: Clock;
  random?: () => number;
  /** Terminal output (pairing code, QR). */
  print?: (text: string) => void;
  typingMs?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  lockRetryMs?: number;
  lockTtlMs?: number;
  sendWaitMs?: number;
  /** First back-off after a rate-limited send. */
  rateLimitBackoffMs?: number;
}

/** What {@link startWhatsApp} wires together. */
/** The WhatsApp variables, as the root config reads them. */
export interface WhatsAppConfig {
  WHATSAPP_PHONE?: string | undefined;
  WHATSAPP_ADMIN_GROUP_JID?: string | undefined;
  WHATSAPP_SEND_PER_SECOND: number;
  WHATSAPP_PRESENCE: boolean;
  WHATSAPP_QR_FILE: string;
  CHAT_FLOOD_PER_SECOND?: number;
  CHAT_FLOOD_BURST?: number;
}

export interface BuildWhatsAppOptions {
  config: WhatsAppConfig;
  redis: Redis;
  translator: Translator;
  logger: Logger;
  /** Posts to the Telegram admin group (pairing code, QR, alerts); may do nothing. */
  adminNotify: (replies: Reply[]) => Promise<void>;
  /** Seals the stored login and relayed messages at rest (when DATA_ENCRYPTION_KEY is set). */
  vault: LoginSealer;
  /** Defaults to Baileys' `makeWASocket`; tests pass a fake. */
  makeSocket?: SocketFactory;
  tuning?: WhatsAppTuning;
}

/** The WhatsApp channel of a process that may hold the connection. */
export interface WhatsAppModule extends ChannelModule {
  readonly id: "whatsapp";
  readonly channel: WhatsAppChannel;
  readonly connection: WhatsAppConnection;
  /**
   * Sends through the connection when this process holds it, or through the relay while another
   * process does (the outbox's WhatsApp sender).
   */
  readonly sender: ChannelSender;
  /** Connects in the background (once it holds the lock) and hands messages to `handlers`. */
  start(handlers: ChannelHandlers): Promise<void>;
  /** Disconnects (keeping the login), fails queued sends, releases the lock. */
  stop(): Promise<void>;
}

/**
 * Login prompts (codes or QRs) posted to admins in a row before going quiet: a QR is replaced
 * every 20 s, and a login nobody attends would otherwise flood the admin group.
 */
const loginPromptLimit = 5;

/** Builds the WhatsApp channel; nothing connects until {@link WhatsAppModule.start}. */
export function buildWhatsApp(options: BuildWhatsAppOptions): WhatsAppModule {
  const { config, redis, logger, tuning = {} } = options;
  const log = logger.child({ channel: "whatsapp" });
  const pacer = new Pacer({
    perSecond: config.WHATSAPP_SEND_PER_SECOND,
    isRateLimit: isRateLimitError,
    clock: tuning.clock,
    random: tuning.random,
    retryBaseMs: tuning.rateLimitBackoffMs,
    onBackoff: (_recipient, attempt, delayMs) => log.warn({ attempt, delayMs }, "WhatsApp rate limit: backing off"),
  });
  const alerts = new LoginNotices(options.adminNotify, config.WHATSAPP_QR_FILE, log);
  const connection = new WhatsAppConnection({
    redis,
    auth: new RedisAuthStore(redis, log, options.vault),
    makeSocket: options.makeSocket ?? makeBaileysSocket,
    logger: log,
    phone: config.WHATSAPP_PHONE,
    online: config.WHATSAPP_PRESENCE,
    qrFile: config.WHATSAPP_QR_FILE,
    // Sockets appear only after start(), by which time `channel` exists.
    onSocket: (socket) => channel.attach(socket),
    onEvent: (event) => {
      // Messages a previous process parked while shutting down are handled once we are open.
      if (event.type === "connected") void channel.replayHeld().catch((error: unknown) => log.warn({ err: bareError(error) }, "could not handle parked WhatsApp messages"));
      alerts.post(event);
    },
    print: tuning.print,
    pairingText: (code, phone) => options.translator.t(options.translator.defaultLocale, "whatsapp-pairing-code", { code, phone }),
    clock: tuning.clock,
    random: tuning.random,
    backoff: tuning.backoff,
    lockRetryMs: tuning.lockRetryMs,
    lockTtlMs: tuning.lockTtlMs,
  });
  const channel = new WhatsAppChannel({
    translator: options.translator,
    logger: log,
    redis,
    adminGroupJid: config.WHATSAPP_ADMIN_GROUP_JID,
    pacer,
    socket: (timeoutMs) => connection.ready(timeoutMs),
    presence: config.WHATSAPP_PRESENCE,
    typingMs: tuning.typingMs,
    sendWaitMs: tuning.sendWaitMs,
    flood: { perSecond: config.CHAT_FLOOD_PER_SECOND, burst: config.CHAT_FLOOD_BURST },
    sealer: options.vault,
  });
  // Until this process holds the connection (another replica may), its messages go through the relay.
  const sender = new WhatsAppSender(channel, new WhatsAppRelaySender(redis, options.vault), () => connection.state === "waiting-for-lock");
  let stopRelay: (() => void) | null = null;
  return {
    id: "whatsapp",
    channel,
    connection,
    sender,
    adminGroup: config.WHATSAPP_ADMIN_GROUP_JID ?? null,
    ...whatsappBuyerRefs,
    // Resolves at once: connecting waits for the lock, possibly for as long as another replica lives.
    start: async (handlers) => {
      channel.start(handlers);
      connection.start();
      stopRelay = drainRelay({ redis, channel, vault: options.vault, logger: log, isOpen: () => connection.state === "open" });
    },
    health: () => connectionHealth[connection.state],
    // New messages are parked for the next process (unread); those taken are handled and answered.
    stopReceiving: () => channel.stopReceiving(),
    stop: async () => {
      stopRelay?.();
      // Without a graceful stopReceiving first (a test, an embedder), new messages are parked from
      // now on; what is in flight is not waited for (closing the pacer fails queued sends).
      void channel.stopReceiving();
      pacer.close();
      await connection.stop();
      await alerts.idle();
      // A message that arrived while the connection closed is parked before Redis closes.
      await channel.parked();
    },
  };
}

/** /healthz for each connection phase: `standby` while another process holds the connection. */
const connectionHealth: Readonly<Record<ConnectionPhase, ChannelHealth>> = {
  idle: "stopped",
  "waiting-for-lock": "standby",
  connecting: "connecting",
  open: "ok",
  reconnecting: "connecting",
  halted: "stopped",
  stopped: "stopped",
};

/** Turns connection events into admin messages, in order, never throwing. */
class LoginNotices {
  private chain: Promise<void> = Promise.resolve();
  private promptsInARow = 0;

  constructor(
    private readonly notify: (replies: Reply[]) => Promise<void>,
    private readonly qrFile: string,
    private readonly logger: Logger,
  ) {}

  post(event: ConnectionEvent): void {
    this.chain = this.chain
      .then(async () => {
        const replies = await this.repliesFor(event);
        if (replies.length > 0) await this.notify(replies);
      })
      .catch((error: unknown) => this.logger.warn({ err: error, event: event.type }, "could not tell the admins about WhatsApp"));
  }

  /** Resolves once every alert so far was handed over. */
  idle(): Promise<void> {
    return this.chain;
  }

  private async repliesFor(event: ConnectionEvent): Promise<Reply[]> {
    const text = (message: Msg) => [textReply(message)];
    switch (event.type) {
      case "pairing-code":
        return this.prompt(() => text(msg("whatsapp-pairing-code", { code: event.code, phone: event.phone })));
      case "qr":
        return this.prompt(async () => [{ kind: "photo", png: await renderQrPng(event.qr), caption: msg("whatsapp-qr-caption") }]);
      case "connected":
        this.promptsInARow = 0;
        // Ordinary reconnects are routine (logged); only a finished login is news for the admins.
        return event.afterLogin ? text(msg("whatsapp-connected", { phone: event.phone ?? "?" })) : [];
      case "logged-out":
        this.promptsInARow = 0;
        return text(msg("whatsapp-logged-out"));
      case "replaced":
        return text(msg("whatsapp-replaced"));
      case "forbidden":
        return text(msg("whatsapp-forbidden"));
      case "lock-busy":
        return text(msg("whatsapp-lock-busy"));
      case "lock-lost":
        return text(msg("whatsapp-lock-lost"));
    }
  }

  private async prompt(make: () => Reply[] | Promise<Reply[]>): Promise<Reply[]> {
    this.promptsInARow += 1;
    if (this.promptsInARow <= loginPromptLimit) return make();
    if (this.promptsInARow === loginPromptLimit + 1) return [textReply(msg("whatsapp-login-quiet", { file: this.qrFile }))];
    return [];
  }
}
