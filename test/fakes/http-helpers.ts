/**
 * The small HTTP pieces every fake provider or gateway server needs: read a request body, read
 * it as JSON without trusting it, and answer. Kept here so each fake holds only what its
 * document says.
 *
 * @example
 * const json = parseJson(await readBody(req));
 * sendJson(res, 200, { success: true });
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** The JSON value of `text`; undefined when empty, the text itself when it is not JSON (so a fake can refuse it). */
export function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The whole request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Answers `body` as `contentType` in UTF-8. */
export function send(res: ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { "content-type": `${contentType}; charset=utf-8` });
  res.end(body);
}

/** Answers `body` as JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, JSON.stringify(body), "application/json");
}
