/**
 * The WhatsApp connection's life: take the single-holder lock, connect with the stored login,
 * show a pairing code or QR when there is none, and decide what each disconnect means.
 *
 * - restartRequired (515, sent right after pairing): reconnect at once.
 * - loggedOut (401): the device was unlinked; the stored login is deleted, the admins are told,
 *   and a fresh login starts (a new code or QR).
 * - connectionReplaced (440): another client took over this login; stop and tell the admins
 *   rather than fight it (each reconnect would kick the other one off).
 * - forbidden (403): WhatsApp refuses the number (e.g. banned); stop and tell the admins, since
 *   hammering it again only makes things worse.
 * - anything else (428 connectionClosed, 408, 500, 503…): reconnect with exponential back-off
 *   and jitter, reset once a connection opens.
 *
 * What admins should hear is reported as {@link ConnectionEvent}s; turning them into messages is
 * the caller's business, so this file holds no user-facing text.
 */
import { DisconnectReason, type BaileysEventMap, type UserFacingSocketConfig } from "@whiskeysockets/baileys";
import type { Logger } from "pino";
import QRCode from "qrcode";
import { z } from "zod";
import { ChannelUnavailableError } from "../../core/outbox.js";
import { bareError } from "../../core/bare-error.js";
import type { Redis } from "../../store/redis.js";
import { hasLogin, type RedisAuthStore, type StoredAuth } from "./auth-store.js";
import { isBroadcastLike, phoneOfJid } from "./jid.js";
import { ConnectionLock } from "./lock.js";
import { realClock, type Clock } from "./pacer.js";
import type { SocketFactory, WhatsAppSocket } from "./socket.js";

/** Something the admins should know about the connection. */
export type ConnectionEvent =
  | { type: "pairing-code"; code: string; phone: string }
  | { type: "qr"; qr: string }
  | { type: "connected"; phone: string | null; afterLogin: boolean }
  | { type: "logged-out" }
  | { type: "replaced" }
  | { type: "forbidden" }
  | { type: "lock-busy" }
  | { type: "lock-lost" };

/** Where the connection is. */
export type ConnectionPhase = "idle" | "waiting-for-lock" | "connecting" | "open" | "reconnecting" | "halted" | "stopped";

/** What a {@link WhatsAppConnection} needs. */
export interface ConnectionOptions {
  redis: Redis;
  auth: RedisAuthStore;
  makeSocket: SocketFactory;
  logger: Logger;
  /** Log in with a pairing code for this number (digits, international form); QR when unset. */
  phone?: string;
  /**
   * Show the bot as online. Needed for "typing…" to be seen; while online, though, the owner's
   * phone on the same number gets no notifications, so it follows WHATSAPP_PRESENCE.
   */
  online: boolean;
  /** Where the login QR is written as a PNG. */
  qrFile: string;
  /** Attaches the channel's message handling to each new socket. */
  onSocket: (socket: WhatsAppSocket) => void;
  /** Receives what the admins should be told. */
  onEvent: (event: ConnectionEvent) => void;
  /** Prints to the terminal (the pairing code, the QR). */
  print?: (text: string) => void;
  /** The terminal line announcing a pairing code (user-facing, so it comes from the locale files). */
  pairingText: (code: string, phone: string) => string;
  clock?: Clock;
  random?: () => number;
  /** First reconnect delay; doubles per failed attempt up to `maxMs`. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** How often a process without the lock tries again. */
  lockRetryMs?: number;
  lockTtlMs?: number;
}

/** The status code Baileys puts on a disconnect error (a Boom), if any. */
const boomLike = z.object({ output: z.object({ statusCode: z.number() }) });

/** The disconnect reason of a `connection.update` close, as Baileys' numeric code. */
function disconnectCode(error: unknown): number | undefined {
  const parsed = boomLike.safeParse(error);
  return parsed.success ? parsed.data.output.statusCode : undefined;
}

/** Runs one WhatsApp connection: lock, login, reconnects. */
export class WhatsAppConnection {
  private currentState: ConnectionPhase = "idle";
  private socket: WhatsAppSocket | null = null;
  /** Bumped for every new socket and on stop, so events of an old socket are ignored. */
  private generation = 0;
  private attempts = 0;
  private pairingRequested = false;
  private loginShown = false;
  /** Creds writes in flight: a reconnect loads the login only after they landed. */
  private saving: Promise<void> = Promise.resolve();
  private readyWaiters: { resolve: (socket: WhatsAppSocket) => void; reject: (error: Error) => void }[] = [];
  private readonly lock: ConnectionLock;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly print: (text: string) => void;

  constructor(private readonly options: ConnectionOptions) {
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
    // stderr: stdout carries the JSON logs in production, and a QR drawing would garble them.
    this.print = options.print ?? ((text) => process.stderr.write(`${text}\n`));
    this.lock = new ConnectionLock(options.redis, {
      ttlMs: options.lockTtlMs,
      onLost: () => this.onLockLost(),
      onRenewError: (error) => options.logger.warn({ err: error }, "could not renew the WhatsApp connection lock"),
    });
  }

  get state(): ConnectionPhase {
    return this.currentState;
  }

  /** Starts in the background: waits for the lock, then connects. */
  start(): void {
    if (this.currentState !== "idle") return;
    void this.acquireThenConnect();
  }

  /** The open socket; waits up to `timeoutMs` for one while (re)connecting. */
  ready(timeoutMs: number): Promise<WhatsAppSocket> {
    if (this.currentState === "open" && this.socket) return Promise.resolve(this.socket);
    if (this.currentState === "stopped" || this.currentState === "halted") return Promise.reject(new ChannelUnavailableError("whatsapp", "is not connected"));
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (socket: WhatsAppSocket) => {
          clearTimeout(timer);
          resolve(socket);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.readyWaiters = this.readyWaiters.filter((other) => other !== waiter);
        reject(new ChannelUnavailableError("whatsapp", "is not connected"));
      }, timeoutMs);
      timer.unref();
      this.readyWaiters.push(waiter);
    });
  }

  /** Closes the connection (keeping the login) and releases the lock. */
  async stop(): Promise<void> {
    this.currentState = "stopped";
    this.generation += 1;
    this.failWaiters();
    const socket = this.socket;
    this.socket = null;
    await socket?.end(undefined).catch(() => undefined);
    await this.lock.release().catch((error: unknown) => this.options.logger.warn({ err: error }, "could not release the WhatsApp lock"));
  }

  private get stopped(): boolean {
    return this.currentState === "stopped" || this.currentState === "halted";
  }

  private async acquireThenConnect(): Promise<void> {
    let toldBusy = false;
    while (!this.stopped) {
      const outcome = await this.lock.acquire().then(
        (acquired) => (acquired ? "held" : "busy"),
        (error: unknown) => {
          this.options.logger.warn({ err: error }, "could not reach Redis for the WhatsApp lock");
          return "unreachable";
        },
      );
      if (outcome === "held") break;
      this.currentState = "waiting-for-lock";
      if (outcome === "busy" && !toldBusy) {
        toldBusy = true;
        this.options.logger.warn("another process holds the WhatsApp connection; waiting for it");
        this.options.onEvent({ type: "lock-busy" });
      }
      await this.clock.sleep(this.options.lockRetryMs ?? 15_000);
    }
    // stop() may have come while the lock was being taken: give it back rather than keep renewing it.
    if (this.currentState === "stopped") await this.lock.release().catch(() => undefined);
    else await this.connect();
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.currentState = "connecting";
    this.pairingRequested = false;
    try {
      await this.saving;
      const auth = await this.options.auth.load();
      if (generation !== this.generation) return;
      this.listen(generation, auth, this.options.makeSocket(this.socketConfig(auth)));
    } catch (error) {
      this.options.logger.error({ err: bareError(error) }, "could not start a WhatsApp connection");
      await this.reconnectLater(generation);
    }
  }

  private listen(generation: number, auth: StoredAuth, socket: WhatsAppSocket): void {
    this.socket = socket;
    socket.ev.on("creds.update", (update) => {
      // Chained so writes land in order and a reconnect can wait for the last one. Errors near
      // the login are logged bare: a Redis error's command arguments would hold the creds.
      this.saving = this.saving
        .then(() => auth.saveCreds(update))
        .catch((error: unknown) => this.options.logger.error({ err: bareError(error) }, "could not save WhatsApp creds"));
    });
    socket.ev.on("connection.update", (update) => {
      if (generation !== this.generation) return;
      this.onUpdate(socket, auth, update).catch((error: unknown) => this.options.logger.error({ err: bareError(error) }, "WhatsApp connection update failed"));
    });
    this.options.onSocket(socket);
  }

  private socketConfig(auth: StoredAuth): UserFacingSocketConfig {
    const { logger } = this.options;
    return {
      auth: auth.state,
      // Baileys logs every frame at debug; keep its noise at warn unless we are debugging.
      logger: logger.child({ module: "baileys" }, { level: logger.isLevelEnabled("debug") ? logger.level : "warn" }),
      // A shop bot answers new messages; the full chat history would only cost memory and time.
      // (The default recent-history sync stays on: Baileys learns LID ↔ number mappings from it.)
      syncFullHistory: false,
      shouldIgnoreJid: (jid) => isBroadcastLike(jid),
      markOnlineOnConnect: this.options.online,
    };
  }

  private async onUpdate(socket: WhatsAppSocket, auth: StoredAuth, update: BaileysEventMap["connection.update"]): Promise<void> {
    const { qr, connection, lastDisconnect } = update;
    if (qr) await this.showLogin(socket, auth, qr);
    if (connection === "open") this.onOpen(socket);
    if (connection === "close") await this.onClose(disconnectCode(lastDisconnect?.error), auth);
  }

  /** Shows the pairing code (when a number is configured) or the QR. */
  private async showLogin(socket: WhatsAppSocket, auth: StoredAuth, qr: string): Promise<void> {
    const { phone, qrFile, logger } = this.options;
    this.loginShown = true;
    if (phone) {
      // Baileys emits a QR each time the server is ready for a login; one code per socket is enough.
      if (this.pairingRequested || hasLogin(auth.state.creds)) return;
      this.pairingRequested = true;
      const code = await socket.requestPairingCode(phone);
      // The code stays out of the JSON logs (until it expires, within minutes, it can link a
      // device to the number); it is printed on stderr for the operator and sent to the admins.
      logger.info({ phone }, "WhatsApp pairing code issued");
      this.print(this.options.pairingText(code, phone));
      this.options.onEvent({ type: "pairing-code", code, phone });
      return;
    }
    await QRCode.toFile(qrFile, qr, { type: "png", margin: 4, scale: 6 }).catch((error: unknown) => logger.warn({ err: bareError(error), qrFile }, "could not write the WhatsApp QR file"));
    this.print(await QRCode.toString(qr, { type: "terminal", small: true }));
    logger.info({ qrFile }, "WhatsApp login QR ready: scan it in WhatsApp > Linked devices");
    this.options.onEvent({ type: "qr", qr });
  }

  private onOpen(socket: WhatsAppSocket): void {
    this.currentState = "open";
    this.attempts = 0;
    const phone = phoneOfJid(socket.user?.id);
    this.options.logger.info({ phone }, "WhatsApp connected");
    this.options.onEvent({ type: "connected", phone, afterLogin: this.loginShown });
    this.loginShown = false;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter.resolve(socket);
  }

  private async onClose(code: number | undefined, auth: StoredAuth): Promise<void> {
    const { logger } = this.options;
    this.socket = null;
    if (this.stopped) return;
    logger.warn({ code }, "WhatsApp connection closed");
    switch (code) {
      case DisconnectReason.restartRequired:
        return this.connect();
      case DisconnectReason.loggedOut:
        return this.onLoggedOut(auth);
      case DisconnectReason.connectionReplaced:
        return this.halt("replaced");
      case DisconnectReason.forbidden:
        return this.halt("forbidden");
      default:
        return this.reconnectLater(this.generation);
    }
  }

  /** The phone unlinked us: forget the login and start a new one. */
  private async onLoggedOut(auth: StoredAuth): Promise<void> {
    const generation = this.generation;
    const wasLoggedIn = hasLogin(auth.state.creds);
    try {
      await this.saving;
      await this.options.auth.clear();
    } catch (error) {
      // The old login is still stored: it will be refused again, and cleared on that retry.
      this.options.logger.error({ err: bareError(error) }, "could not delete the WhatsApp login");
      return this.reconnectLater(generation);
    }
    if (!wasLoggedIn) return this.reconnectLater(generation); // a login that never finished: just try again
    this.options.onEvent({ type: "logged-out" });
    return this.connect();
  }

  /** Waits the back-off, then reconnects unless something else happened meanwhile. */
  private async reconnectLater(generation: number): Promise<void> {
    const { baseMs = 1_000, maxMs = 60_000 } = this.options.backoff ?? {};
    const capped = Math.min(maxMs, baseMs * 2 ** this.attempts);
    this.attempts += 1;
    // Equal jitter: many bots restarted by the same outage should not all return in the same second.
    const delayMs = Math.round(capped / 2 + this.random() * (capped / 2));
    this.currentState = "reconnecting";
    this.options.logger.info({ delayMs, attempt: this.attempts }, "WhatsApp reconnecting after a pause");
    await this.clock.sleep(delayMs);
    if (generation === this.generation && !this.stopped) await this.connect();
  }

  /** Stops for good (until a restart) and says why; the lock stays held so no sibling fights on. */
  private halt(reason: "replaced" | "forbidden"): void {
    this.currentState = "halted";
    this.generation += 1;
    this.failWaiters();
    this.options.logger.error({ reason }, "WhatsApp stopped");
    this.options.onEvent({ type: reason });
  }

  private onLockLost(): void {
    if (this.stopped) return;
    this.options.logger.error("lost the WhatsApp connection lock to another process; disconnecting");
    this.options.onEvent({ type: "lock-lost" });
    this.generation += 1;
    const socket = this.socket;
    this.socket = null;
    this.currentState = "waiting-for-lock";
    void socket?.end(undefined).catch(() => undefined);
    void this.acquireThenConnect();
  }

  private failWaiters(): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter.reject(new ChannelUnavailableError("whatsapp", "is not connected"));
  }
}
