/**
 * The WhatsApp login (Baileys auth state) in Redis instead of a folder of JSON files, so a
 * restart or a move to another host reconnects without pairing again.
 *
 * Layout: the creds as one JSON string; each signal key type as one hash (id → JSON), so a type
 * is read with one HMGET and a whole login is deleted without SCAN (which ignores the client's
 * key prefix); and a set naming every type ever written, so key types added by future Baileys
 * versions are cleared too. Values go through Baileys' BufferJSON, which keeps Buffers and
 * Uint8Arrays intact. A null value deletes its key, as Baileys expects.
 *
 * The login is as good as the phone's session, so with `DATA_ENCRYPTION_KEY` set every value is
 * sealed at rest (the delivery vault's AES-GCM, behind a `sealed1:` marker that JSON never starts
 * with). A login stored in clear is read as it is and rewritten sealed on the first load with a
 * key. A sealed login that the key cannot open is refused with {@link SealedLoginError} and left
 * stored: starting a new login over it would overwrite the only copy.
 */
import {
  BufferJSON,
  initAuthCreds,
  makeCacheableSignalKeyStore,
  proto,
  type AuthenticationCreds,
  type AuthenticationState,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from "@whiskeysockets/baileys";
import type { Logger } from "pino";
import { z } from "zod";
import type { DeliveryVault } from "../../commerce/delivery-vault.js";
import { keys } from "../../store/keys.js";
import type { Redis } from "../../store/redis.js";

/** The Redis keys of the login (kept in store/keys.ts with every other key). */
export const authKeys = {
  creds: keys.whatsappCreds,
  keyType: keys.whatsappKeyType,
  types: keys.whatsappKeyTypes,
} as const;

const bytes = z.instanceof(Uint8Array);
const keyPair = z.object({ public: bytes, private: bytes });

/**
 * The parts of stored creds without which Baileys cannot log in. Stored data is checked because
 * it may come from another version or a bad manual edit: unreadable creds mean a new login, not a
 * crash loop.
 */
const storedCreds = z.looseObject({
  noiseKey: keyPair,
  pairingEphemeralKeyPair: keyPair,
  signedIdentityKey: keyPair,
  signedPreKey: z.looseObject({ keyPair, signature: bytes, keyId: z.number() }),
  registrationId: z.number(),
  advSecretKey: z.string(),
  registered: z.boolean().optional(),
});

/** An auth state ready for `makeWASocket`, plus how to persist creds changes. */
export interface StoredAuth {
  state: AuthenticationState;
  /** Applies a `creds.update` to the state and writes the whole creds. */
  saveCreds(update: Partial<AuthenticationCreds>): Promise<void>;
}

/**
 * True when the creds hold a finished login. Baileys sets `me` and `account` when the phone
 * accepts the QR or code (`registered` alone is only set on the pairing-code path, and `me` alone
 * already appears when a code is requested).
 */
export function hasLogin(creds: AuthenticationCreds): boolean {
  return Boolean(creds.me?.id && creds.account);
}

/** Seals and opens stored values: the delivery vault (its key may be unset). */
export type LoginSealer = Pick<DeliveryVault, "sealing" | "sealText" | "openText">;

/** The stored login is sealed, and this process has no key that opens it. */
export class SealedLoginError extends Error {
  constructor() {
    super("the stored WhatsApp login is sealed, and DATA_ENCRYPTION_KEY is unset or not the key it was sealed with; set that key (the login is kept)");
    this.name = "SealedLoginError";
  }
}

/** Starts a sealed value; a clear value is JSON, which never starts like this. */
const sealedMarker = "sealed1:";

function serialise(value: unknown): string {
  return JSON.stringify(value, BufferJSON.replacer);
}

function deserialise(text: string): unknown {
  return JSON.parse(text, BufferJSON.reviver) as unknown;
}

/** Baileys' auth state, persisted in Redis. */
export class RedisAuthStore {
  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly sealer: LoginSealer | null = null,
  ) {}

  /**
   * Loads the stored login, or fresh creds when there is none (a new login follows). Each call
   * returns a new state with its own key cache, so a state from before a logout is never reused.
   */
  async load(): Promise<StoredAuth> {
    const creds = await this.readCreds();
    const keys = makeCacheableSignalKeyStore(this.keyStore(), this.logger.child({ module: "wa-keys" }));
    return {
      state: { creds, keys },
      saveCreds: async (update) => {
        Object.assign(creds, update);
        await this.redis.set(authKeys.creds(), this.encode(serialise(creds)));
      },
    };
  }

  /** Deletes the whole login (creds and every key type). */
  async clear(): Promise<void> {
    const types = await this.redis.smembers(authKeys.types());
    await this.redis.del(authKeys.creds(), authKeys.types(), ...types.map(authKeys.keyType));
  }

  /** The signal key store without cache (the cache is added in {@link load}). */
  keyStore(): SignalKeyStore {
    return {
      get: (type, ids) => this.getKeys(type, ids),
      set: (data) => this.setKeys(data),
      clear: () => this.clear(),
    };
  }

  private async readCreds(): Promise<AuthenticationCreds> {
    const text = await this.redis.get(authKeys.creds());
    if (text === null) return initAuthCreds();
    const clear = this.decode(text);
    try {
      const value = deserialise(clear);
      if (storedCreds.safeParse(value).success) {
        if (!text.startsWith(sealedMarker)) await this.sealClearLogin();
        return value as AuthenticationCreds;
      }
    } catch {
      // Falls through to a new login below.
    }
    this.logger.warn("stored WhatsApp creds are unreadable; a new login is needed");
    return initAuthCreds();
  }

  /** A stored value: sealed when a key is set, else the clear text. */
  private encode(text: string): string {
    const sealed = this.sealer?.sealText(text) ?? null;
    return sealed === null ? text : `${sealedMarker}${sealed}`;
  }

  /** The clear text of a stored value, sealed or not. */
  private decode(stored: string): string {
    if (!stored.startsWith(sealedMarker)) return stored;
    const opened = this.sealer?.openText(stored.slice(sealedMarker.length)) ?? null;
    if (opened === null) throw new SealedLoginError();
    return opened;
  }

  /**
   * Rewrites a login stored in clear (from before a key was set) sealed, in one transaction with
   * the creds last written, so sealed creds mean the whole login is sealed. Without a key, nothing.
   */
  private async sealClearLogin(): Promise<void> {
    if (!this.sealer?.sealing) return;
    const types = await this.redis.smembers(authKeys.types());
    const multi = this.redis.multi();
    let sealed = 0;
    for (const type of types) {
      const entries = await this.redis.hgetall(authKeys.keyType(type));
      for (const [id, value] of Object.entries(entries)) {
        if (value.startsWith(sealedMarker)) continue;
        multi.hset(authKeys.keyType(type), id, this.encode(value));
        sealed++;
      }
    }
    const creds = await this.redis.get(authKeys.creds());
    if (creds !== null && !creds.startsWith(sealedMarker)) multi.set(authKeys.creds(), this.encode(creds));
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw new Error(`could not seal the stored WhatsApp login: ${failed?.[0]?.message ?? "transaction aborted"}`);
    this.logger.info({ keys: sealed }, "sealed the stored WhatsApp login with DATA_ENCRYPTION_KEY");
  }

  private async getKeys<T extends keyof SignalDataTypeMap>(type: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
    const found: { [id: string]: SignalDataTypeMap[T] } = {};
    if (ids.length === 0) return found;
    const texts = await this.redis.hmget(authKeys.keyType(type), ...ids);
    ids.forEach((id, index) => {
      const text = texts[index];
      if (text === null || text === undefined) return;
      // A key that cannot be opened stops here (SealedLoginError) rather than reading as missing,
      // which would have Baileys replace it.
      const clear = this.decode(text);
      try {
        const value = deserialise(clear);
        // Baileys needs the protobuf class here, not a plain object (it calls its methods).
        found[id] = (type === "app-state-sync-key" ? proto.Message.AppStateSyncKeyData.fromObject(value as object) : value) as SignalDataTypeMap[T];
      } catch {
        this.logger.warn({ type }, "unreadable WhatsApp signal key skipped");
      }
    });
    return found;
  }

  private async setKeys(data: SignalDataSet): Promise<void> {
    const writes: { type: string; id: string; value: string | null }[] = [];
    for (const [type, entries] of Object.entries(data)) {
      for (const [id, value] of Object.entries(entries ?? {})) {
        writes.push({ type, id, value: value === null || value === undefined ? null : this.encode(serialise(value)) });
      }
    }
    if (writes.length === 0) return;
    // One transaction: a crash never leaves half of a key rotation stored.
    const multi = this.redis.multi();
    for (const type of new Set(writes.map((write) => write.type))) multi.sadd(authKeys.types(), type);
    for (const { type, id, value } of writes) {
      if (value === null) multi.hdel(authKeys.keyType(type), id);
      else multi.hset(authKeys.keyType(type), id, value);
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw new Error(`could not store WhatsApp signal keys: ${failed?.[0]?.message ?? "transaction aborted"}`);
  }
}
