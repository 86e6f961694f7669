/**
 * The backup file: one line of JSON (the header, readable with `head -1`) and then the sealed
 * body. The body is the snapshot (`snapshot.ts`), gzipped, then encrypted with AES-256-GCM under
 * a key derived from `BACKUP_KEY` with scrypt and a random salt per file. The header is the
 * cipher's associated data, so changing any byte of header or body is caught; a short check value
 * derived from the key (not the data) tells a wrong key apart from a damaged file; and the
 * header's sha256 of the plaintext is checked once more after unpacking.
 *
 *   {"format":"warung-bot-backup","version":1,"createdAt":"…","keys":42,"prefix":"shop1:",…}\n
 *   <ciphertext><16-byte GCM tag>
 *
 * Nothing here logs; a caller must never log a body or a key.
 *
 * @example
 * const file = await sealBackup(encodeSnapshot(snapshot), { key: "correct horse battery staple", keys: 42, prefix: "shop1:", takenAt });
 * const { header, plaintext } = await openBackup(file, "correct horse battery staple");
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { z } from "zod";

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, length: number, options: ScryptOptions) => Promise<Buffer>;
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The format name and the version this code writes (and the only one it reads). */
export const backupFormat = "warung-bot-backup";
export const backupVersion = 1;

/** scrypt cost: ~100 ms and 32 MB per derivation, once per backup or restore. */
const scryptParams = { N: 2 ** 15, r: 8, p: 1 } as const;
const tagLength = 16;
const maxHeaderLength = 4_096;

const headerSchema = z.object({
  format: z.literal(backupFormat),
  version: z.number().int(),
  /** When the file was made (ISO). */
  createdAt: z.string(),
  /** The moment of the snapshot (Redis's clock, epoch ms). */
  takenAt: z.number().int(),
  keys: z.number().int().nonnegative(),
  /** The key prefix the shop was read from (restore writes under the target's own prefix). */
  prefix: z.string(),
  /** sha256 (hex) of the plaintext snapshot bytes, before gzip. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  cipher: z.literal("aes-256-gcm"),
  kdf: z.object({
    name: z.literal("scrypt"),
    N: z.number().int().positive(),
    r: z.number().int().positive(),
    p: z.number().int().positive(),
    salt: z.base64(),
  }),
  iv: z.base64(),
  /** Derived from the key alone: a mismatch means a wrong key, not a damaged file. */
  keyCheck: z.base64(),
});
/** What the first line of a backup file says. */
export type BackupHeader = z.infer<typeof headerSchema>;

/** Why a file could not be opened; every message is one clear line, safe to print. */
export class BackupFileError extends Error {
  override readonly name = "BackupFileError";
  constructor(
    readonly code: "not_a_backup" | "unsupported_version" | "wrong_key" | "altered",
    message: string,
  ) {
    super(message);
  }
}

/** A `BACKUP_KEY` is a passphrase of at least this many characters. */
export const minBackupKeyLength = 16;

interface Keys {
  cipher: Buffer;
  check: Buffer;
}

async function deriveKeys(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Keys> {
  const master = await scrypt(passphrase, salt, 32, { ...params, maxmem: 256 * params.N * params.r });
  const expand = (info: string) => Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info, 32));
  return { cipher: expand("warung-bot backup cipher"), check: expand("warung-bot backup key check") };
}

function keyCheckOf(keys: Keys): Buffer {
  return createHmac("sha256", keys.check).update("key check").digest().subarray(0, 16);
}

/** What the header says besides the cryptography. */
export interface BackupMeta {
  key: string;
  keys: number;
  prefix: string;
  takenAt: number;
  now?: Date;
}

/** Packs, seals and frames `plaintext` (an encoded snapshot) into a backup file's bytes. */
export async function sealBackup(plaintext: Buffer, meta: BackupMeta): Promise<Buffer> {
  if (meta.key.length < minBackupKeyLength) throw new RangeError(`BACKUP_KEY must be at least ${minBackupKeyLength} characters`);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const keys = await deriveKeys(meta.key, salt, scryptParams);
  const header: BackupHeader = {
    format: backupFormat,
    version: backupVersion,
    createdAt: (meta.now ?? new Date()).toISOString(),
    takenAt: meta.takenAt,
    keys: meta.keys,
    prefix: meta.prefix,
    sha256: createHash("sha256").update(plaintext).digest("hex"),
    cipher: "aes-256-gcm",
    kdf: { name: "scrypt", ...scryptParams, salt: salt.toString("base64") },
    iv: iv.toString("base64"),
    keyCheck: keyCheckOf(keys).toString("base64"),
  };
  const headerLine = Buffer.from(`${JSON.stringify(header)}\n`, "utf8");
  const cipher = createCipheriv("aes-256-gcm", keys.cipher, iv);
  cipher.setAAD(headerLine);
  const body = Buffer.concat([cipher.update(await gzipAsync(plaintext)), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([headerLine, body]);
}

/** Reads only the header (no key needed): for listing and for refusing a foreign file early. */
export function readBackupHeader(file: Buffer): { header: BackupHeader; headerLine: Buffer; body: Buffer } {
  const end = file.subarray(0, maxHeaderLength).indexOf(0x0a);
  if (end < 0) throw new BackupFileError("not_a_backup", "not a Warung Bot backup (no header line)");
  let json: unknown;
  try {
    json = JSON.parse(file.subarray(0, end).toString("utf8"));
  } catch {
    throw new BackupFileError("not_a_backup", "not a Warung Bot backup (the header is not JSON)");
  }
  const format = z.object({ format: z.literal(backupFormat), version: z.number().int() }).safeParse(json);
  if (!format.success) throw new BackupFileError("not_a_backup", "not a Warung Bot backup");
  if (format.data.version !== backupVersion) {
    throw new BackupFileError("unsupported_version", `backup version ${format.data.version} is not supported (this build reads version ${backupVersion})`);
  }
  const header = headerSchema.safeParse(json);
  if (!header.success) throw new BackupFileError("altered", "the backup header is damaged or was altered");
  return { header: header.data, headerLine: file.subarray(0, end + 1), body: file.subarray(end + 1) };
}

/** Checks and opens a backup file with `key`; throws {@link BackupFileError} with one clear line. */
export async function openBackup(file: Buffer, key: string): Promise<{ header: BackupHeader; plaintext: Buffer }> {
  const { header, headerLine, body } = readBackupHeader(file);
  const { N, r, p } = header.kdf;
  // Bounded so a crafted header cannot make the derivation eat the machine's memory.
  if (N > 2 ** 20 || r > 16 || p > 4) throw new BackupFileError("altered", "the backup header asks for an unreasonable key derivation");
  const keys = await deriveKeys(key, Buffer.from(header.kdf.salt, "base64"), { N, r, p });
  const expected = Buffer.from(header.keyCheck, "base64");
  const actual = keyCheckOf(keys);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new BackupFileError("wrong_key", "wrong BACKUP_KEY: this backup was made with another key");
  }
  if (body.length < tagLength) throw new BackupFileError("altered", "the backup is truncated");
  let packed: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keys.cipher, Buffer.from(header.iv, "base64"));
    decipher.setAAD(headerLine);
    decipher.setAuthTag(body.subarray(body.length - tagLength));
    packed = Buffer.concat([decipher.update(body.subarray(0, body.length - tagLength)), decipher.final()]);
  } catch {
    throw new BackupFileError("altered", "the backup is damaged or was altered (authentication failed)");
  }
  let plaintext: Buffer;
  try {
    plaintext = await gunzipAsync(packed);
  } catch {
    throw new BackupFileError("altered", "the backup is damaged (it does not unpack)");
  }
  if (createHash("sha256").update(plaintext).digest("hex") !== header.sha256) {
    throw new BackupFileError("altered", "the backup is damaged (its checksum does not match)");
  }
  return { header, plaintext };
}
