/**
 * The part of a Baileys socket the channel uses. Naming it keeps the dependency narrow and lets
 * tests drive the real channel with a fake socket (test/fakes/baileys-socket.ts).
 */
import {
  DEFAULT_CONNECTION_CONFIG,
  downloadMediaMessage,
  makeWASocket,
  type AnyMessageContent,
  type BaileysEventEmitter,
  type Contact,
  type GroupMetadata,
  type UserFacingSocketConfig,
  type WAMessage,
  type WAMessageKey,
  type WAPresence,
} from "@whiskeysockets/baileys";

/** A connected (or connecting) WhatsApp Web session. */
export interface WhatsAppSocket {
  ev: BaileysEventEmitter;
  /** Our own account, once logged in (`id` in phone form, `lid` when known). */
  user: Contact | undefined;
  sendMessage(jid: string, content: AnyMessageContent): Promise<WAMessage | undefined>;
  groupMetadata(jid: string): Promise<GroupMetadata>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  readMessages(keys: WAMessageKey[]): Promise<void>;
  sendPresenceUpdate(type: WAPresence, toJid?: string): Promise<void>;
  /** Closes the connection, keeping the login. */
  end(error: Error | undefined): Promise<void>;
  signalRepository: { lidMapping: { getPNForLID(lid: string): Promise<string | null> } };
  /**
   * Opens the bytes of a received media message (a document) as a stream. Not a Baileys socket
   * method: {@link makeBaileysSocket} adds it over Baileys' `downloadMediaMessage`, with this
   * socket's re-upload request for media WhatsApp's servers no longer hold.
   */
  downloadMedia(message: WAMessage): Promise<AsyncIterable<Uint8Array>>;
}

/** Makes a socket from a Baileys config. */
export type SocketFactory = (config: UserFacingSocketConfig) => WhatsAppSocket;

/** The real thing, plus {@link WhatsAppSocket.downloadMedia}. */
export const makeBaileysSocket: SocketFactory = (config) => {
  const socket = makeWASocket(config);
  const logger = config.logger ?? DEFAULT_CONNECTION_CONFIG.logger;
  // Assigned, not spread: the socket's `user` is a getter over the live creds.
  return Object.assign(socket, {
    downloadMedia: (message: WAMessage) => downloadMediaMessage(message, "stream", {}, { reuploadRequest: socket.updateMediaMessage, logger }),
  });
};
