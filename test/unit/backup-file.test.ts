/**
 * The backup file format: a round trip gives back the same bytes; a wrong key is one clear error
 * (told apart from damage); any changed byte of header or body, a truncated file, a foreign file
 * and a newer version are refused with their own code, never half-read.
 */
import { describe, expect, it } from "vitest";
import { BackupFileError, openBackup, readBackupHeader, sealBackup } from "../../src/store/backup-file.js";
import { decodeSnapshot, encodeSnapshot, type Snapshot } from "../../src/store/snapshot.js";

const key = "correct horse battery staple";
const snapshot: Snapshot = {
  takenAt: 1_760_000_000_123,
  entries: [
    { key: "order:ORD-AAAA", expiresAt: null, dump: Buffer.from([0, 1, 2, 255, 254, 10, 13]) },
    { key: "sess:telegram:1", expiresAt: 1_760_000_999_000, dump: Buffer.from("not really a dump") },
    { key: "wallet:telegram:1", expiresAt: null, dump: Buffer.alloc(0) },
  ],
};

async function sealed(): Promise<Buffer> {
  return sealBackup(encodeSnapshot(snapshot), { key, keys: snapshot.entries.length, prefix: "shop1:", takenAt: snapshot.takenAt });
}

async function failure(promise: Promise<unknown>): Promise<BackupFileError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BackupFileError);
  return error as BackupFileError;
}

describe("backup file", () => {
  it("opens with the right key to the same snapshot, and its header is readable without one", async () => {
    const file = await sealed();
    const { header } = readBackupHeader(file);
    expect(header).toMatchObject({ format: "warung-bot-backup", version: 1, keys: 3, prefix: "shop1:", takenAt: snapshot.takenAt, cipher: "aes-256-gcm" });
    const opened = await openBackup(file, key);
    expect(decodeSnapshot(opened.plaintext)).toEqual(snapshot);
  });

  it("holds no plaintext: the key names and dumps are not in the file", async () => {
    const file = await sealed();
    expect(file.includes(Buffer.from("order:ORD-AAAA"))).toBe(false);
    expect(file.includes(Buffer.from("not really a dump"))).toBe(false);
  });

  it("two backups of the same data differ (fresh salt and iv each time)", async () => {
    const [a, b] = [await sealed(), await sealed()];
    expect(a.equals(b)).toBe(false);
  });

  it("a wrong key is one clear error", async () => {
    const error = await failure(openBackup(await sealed(), "another key of enough length"));
    expect(error.code).toBe("wrong_key");
    expect(error.message).toMatch(/wrong BACKUP_KEY/);
  });

  it("a changed byte in the body is caught", async () => {
    const file = await sealed();
    const tampered = Buffer.from(file);
    tampered[tampered.length - 30]! ^= 0x01;
    expect((await failure(openBackup(tampered, key))).code).toBe("altered");
  });

  it("a changed header (here: the key count) is caught, since the header is authenticated", async () => {
    const file = await sealed();
    const text = file.toString("latin1").replace('"keys":3', '"keys":4');
    expect((await failure(openBackup(Buffer.from(text, "latin1"), key))).code).toBe("altered");
  });

  it("a truncated file is caught", async () => {
    const file = await sealed();
    expect((await failure(openBackup(file.subarray(0, file.length - 5), key))).code).toBe("altered");
    const headerOnly = file.subarray(0, file.indexOf(0x0a) + 1);
    expect((await failure(openBackup(headerOnly, key))).code).toBe("altered");
  });

  it("a file that is not a backup, or of an unknown version, is refused before any key work", async () => {
    expect((await failure(openBackup(Buffer.from("hello\nworld"), key))).code).toBe("not_a_backup");
    expect((await failure(openBackup(Buffer.from("no newline at all"), key))).code).toBe("not_a_backup");
    const file = await sealed();
    const newer = Buffer.from(file.toString("latin1").replace('"version":1', '"version":2'), "latin1");
    expect((await failure(openBackup(newer, key))).code).toBe("unsupported_version");
  });

  it("refuses to seal with a short key", async () => {
    await expect(sealBackup(Buffer.alloc(1), { key: "short", keys: 0, prefix: "", takenAt: 0 })).rejects.toThrow(/at least 16/);
  });
});
