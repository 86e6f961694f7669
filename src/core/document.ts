/**
 * Files in chats, channel-neutral: a document someone sent (an admin's stock list as `.txt` or
 * `.csv`) arrives as an {@link InboundDocument} whose bytes are fetched only when a handler reads
 * them, never more than a hard cap. Every platform states a size up front most of the time; a
 * stated size over the cap is refused before anything is downloaded, and a download without one
 * (or lying about it) is cut off while streaming, so a 2 GB "stock.txt" never reaches memory.
 *
 * @example
 * if (inbound.document) {
 *   try {
 *     const bytes = await inbound.document.read();
 *   } catch (error) {
 *     if (error instanceof DocumentTooLargeError) return tooLarge(error.limit); // a reply of the feature's own
 *     throw error;
 *   }
 * }
 */

/**
 * The most a handler may read of one document: 5 MB. Stock lists and CSV imports are far smaller;
 * anything bigger is a mistake or an attack, and the bytes are held in memory.
 */
export const maxDocumentBytes = 5 * 1024 * 1024;

/** A document attached to an inbound message; the bytes stay on the platform until {@link read}. */
export interface InboundDocument {
  /**
   * The name the sender's app gave the file (outside text: never trust it as a path), or
   * "document" when the platform gave none.
   */
  fileName: string;
  /** The MIME type the platform reports (the sender's app chose it; a hint, not a check). */
  mimeType?: string;
  /** Size in bytes as the platform states it, when it does. */
  size?: number;
  /**
   * Downloads the bytes (once; later calls reuse them). Rejects with {@link DocumentTooLargeError}
   * when the document is larger than `maxBytes` (default and ceiling {@link maxDocumentBytes}) —
   * before downloading when the size is stated — and with {@link DocumentReadError} when the
   * platform could not deliver it.
   */
  read(maxBytes?: number): Promise<Buffer>;
}

/** The document is larger than the reader allows. */
export class DocumentTooLargeError extends Error {
  constructor(
    /** The cap that was exceeded, in bytes. */
    readonly limit: number,
    /** The stated size, when the platform stated one (absent when cut off while streaming). */
    readonly size?: number,
  ) {
    super(size === undefined ? `document is larger than ${limit} bytes` : `document of ${size} bytes is larger than ${limit} bytes`);
    this.name = "DocumentTooLargeError";
  }
}

/**
 * The platform could not deliver the bytes (expired file, network, refused download). The message
 * never carries the download address: on Telegram it contains the bot token.
 */
export class DocumentReadError extends Error {
  constructor(reason: string) {
    super(`could not download the document: ${reason}`);
    this.name = "DocumentReadError";
  }
}

/** How a channel opens a document's bytes: a stream of chunks, opened only when read. */
export interface DocumentSource {
  fileName?: string | undefined;
  mimeType?: string | undefined;
  size?: number | undefined;
  /**
   * Opens the download. `limit` is the cap the reader asked for, so a platform that states the
   * size only on this step (Telegram's getFile) can refuse before the bytes move.
   */
  open(limit: number): Promise<AsyncIterable<Uint8Array> | Iterable<Uint8Array>>;
}

/**
 * An {@link InboundDocument} over a channel's {@link DocumentSource}: checks the stated size, caps
 * the stream, and remembers the bytes so a second read does not download again.
 *
 * @example
 * const document = lazyDocument({ fileName: "stock.txt", size: 120, open: async () => [Buffer.from("a\nb\n")] });
 * await document.read(); // <Buffer 61 0a 62 0a>
 */
export function lazyDocument(source: DocumentSource): InboundDocument {
  let cached: Buffer | null = null;
  const size = source.size !== undefined && Number.isSafeInteger(source.size) && source.size >= 0 ? source.size : undefined;
  return {
    fileName: source.fileName && source.fileName.length > 0 ? source.fileName : "document",
    ...(source.mimeType ? { mimeType: source.mimeType } : {}),
    ...(size !== undefined ? { size } : {}),
    async read(maxBytes = maxDocumentBytes) {
      const limit = Math.max(0, Math.min(maxBytes, maxDocumentBytes));
      if (size !== undefined && size > limit) throw new DocumentTooLargeError(limit, size);
      if (cached === null) cached = await download(source, limit);
      if (cached.length > limit) throw new DocumentTooLargeError(limit, size);
      return cached;
    },
  };
}

/**
 * Opens and reads a source under `limit`. Any failure but a typed one becomes a
 * {@link DocumentReadError} naming only the error's kind: a network error's text can hold the
 * download address, and on Telegram that holds the bot token.
 */
async function download(source: DocumentSource, limit: number): Promise<Buffer> {
  try {
    return await readCapped(await source.open(limit), limit);
  } catch (error) {
    if (error instanceof DocumentTooLargeError || error instanceof DocumentReadError) throw error;
    throw new DocumentReadError(error instanceof Error ? error.name : "unknown error");
  }
}

/**
 * Collects a stream into one Buffer, giving up with {@link DocumentTooLargeError} as soon as it
 * passes `limit` (the stream is closed by leaving the loop). Chunks are copied, so a stream that
 * reuses its buffers cannot change what was read.
 */
export async function readCapped(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    if (total > limit) throw new DocumentTooLargeError(limit);
    parts.push(Buffer.from(chunk));
  }
  return Buffer.concat(parts, total);
}
