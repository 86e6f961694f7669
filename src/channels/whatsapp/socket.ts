/**
 * The part of a Baileys socket the channel uses. Naming it keeps the dependency narrow and lets
 * tests drive the real channel with a fake socket (test/fakes/baileys-socket.ts).
 */
import {
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
}

/** Makes a socket from a Baileys config. */
export type SocketFactory = (config: UserFacingSocketConfig) => WhatsAppSocket;

/** The real thing. */
export const makeBaileysSocket: SocketFactory = (config) => makeWASocket(config);
