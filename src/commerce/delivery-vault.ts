/**
 * What a buyer received, kept on the order. Secret lines (passwords, account logins) are
 * encrypted with AES-256-GCM under `DATA_ENCRYPTION_KEY`; without a key they are not stored at
 * all, only delivered once in the chat. Non-secret lines (serial numbers, IPs) are kept in clear.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import type { DeliveryItem } from "../providers/types.js";

const storedSchema = z.array(
  z.object({
    label: z.string(),
    value: z.string().optional(),
    /** base64(iv | tag | ciphertext) of a secret value. */
    sealed: z.string().optional(),
    secret: z.boolean().optional(),
  }),
);

/** Parses `DATA_ENCRYPTION_KEY`: 64 hex digits or base64 of 32 bytes. */
export function parseEncryptionKey(text: string): Buffer | null {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  return key.length === 32 ? key : null;
}

export class DeliveryVault {
  constructor(private readonly key: Buffer | null) {}

  /** True when a key is set, so {@link sealText} seals. */
  get sealing(): boolean {
    return this.key !== null;
  }

  /** Serialises delivered items for the order record. */
  seal(items: DeliveryItem[]): string {
    const stored = items.map((item) => {
      if (!item.secret) return { label: item.label, value: item.value };
      const sealed = this.sealText(item.value);
      return sealed === null ? { label: item.label, secret: true } : { label: item.label, secret: true, sealed };
    });
    return JSON.stringify(stored);
  }

  /**
   * Reads items back. Secret values come back only when `withSecrets` and a key can open them;
   * otherwise they are left out (the buyer is told to contact the shop).
   */
  open(serialised: string, withSecrets: boolean): { items: DeliveryItem[]; secretsWithheld: boolean } {
    const stored = storedSchema.parse(JSON.parse(serialised));
    const items: DeliveryItem[] = [];
    let secretsWithheld = false;
    for (const entry of stored) {
      const label = entry.label as DeliveryItem["label"];
      if (!entry.secret && entry.value !== undefined) {
        items.push({ label, value: entry.value });
        continue;
      }
      const value = withSecrets && entry.sealed ? this.openText(entry.sealed) : null;
      if (value === null) secretsWithheld = true;
      else items.push({ label, value, secret: true });
    }
    return { items, secretsWithheld };
  }

  /** base64(iv | tag | ciphertext) of `text`, or null without a key. */
  sealText(text: string): string | null {
    if (!this.key) return null;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64");
  }

  /** The text {@link sealText} sealed, or null without the key or when it was tampered with. */
  openText(sealed: string): string | null {
    if (!this.key) return null;
    try {
      const raw = Buffer.from(sealed, "base64");
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    } catch {
      return null;
    }
  }
}
