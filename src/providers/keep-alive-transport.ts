/**
 * An {@link HttpTransport} on `node:http`/`node:https` with keep-alive agents: what the gateway
 * calls use instead of the global `fetch` (undici).
 *
 * Why: a burst of gateway notifications makes a burst of status calls. Through the global fetch
 * each call in the burst opens a connection of its own (undici's global pool has no cap per
 * origin), and each call pays for WHATWG streams, an `AbortSignal.timeout` and a `Response`.
 * Benchmark 8 measured that at about 0.5 ms of CPU per call in the shop's process, more than the
 * whole rest of a notification's handling. Here at most {@link KeepAliveTransportOptions.maxSockets}
 * connections per origin are open, reused while the server keeps them (idle ones close after
 * `idleMs`, or earlier when the server's `Keep-Alive: timeout=` hint says so); further calls queue
 * for a free one, and the queue counts against the call's timeout.
 *
 * What it does as `fetch` did for `HttpClient`: the same request headers (plus
 * `User-Agent: node` and `Accept-Encoding: gzip, deflate` unless given, as fetch sends), the
 * answer's body read in full and decoded as UTF-8 (gzip/deflate/br undone, a BOM dropped), one
 * deadline over the whole exchange (connect, queue, send, answer, body). What it does not:
 * redirects are not followed (a 3xx comes back as it is; no gateway API redirects, and the client
 * reads one as an unexpected answer, so no money moves on it), and a body over
 * {@link KeepAliveTransportOptions.maxBodyBytes} is an error, not read on.
 *
 * @example
 * const transport = keepAliveTransport();
 * const http = new HttpClient({ provider: "midtrans", baseUrl, transport });
 * // …on shutdown: transport.close();
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import type { HttpTransport, TransportRequest, TransportResponse } from "./http.js";

/** Options of {@link keepAliveTransport}. */
export interface KeepAliveTransportOptions {
  /** Connections open at once per origin; more calls wait for one (default 64). */
  maxSockets?: number;
  /** An idle connection is closed after this long (default 4 s, as undici's default). */
  idleMs?: number;
  /** A larger answer body is refused (default 4 MiB). */
  maxBodyBytes?: number;
}

/** A transport that can let go of its idle connections. */
export interface ClosableTransport extends HttpTransport {
  /** Closes every connection; later calls open new ones. */
  close(): void;
}

const defaultMaxSockets = 64;
const defaultIdleMs = 4_000;
const defaultMaxBodyBytes = 4 * 1024 * 1024;

/** Builds a keep-alive transport; one per process is enough (the pools are per origin). */
export function keepAliveTransport(options: KeepAliveTransportOptions = {}): ClosableTransport {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? defaultMaxSockets, timeout: options.idleMs ?? defaultIdleMs, scheduling: "lifo" as const };
  const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes;
  let httpAgent: HttpAgent | undefined;
  let httpsAgent: HttpsAgent | undefined;

  const send = (request: TransportRequest): Promise<TransportResponse> => {
    const https = request.url.protocol === "https:";
    if (!https && request.url.protocol !== "http:") return Promise.reject(new TypeError(`unsupported protocol ${request.url.protocol}`));
    const agent = https ? (httpsAgent ??= new HttpsAgent(agentOptions)) : (httpAgent ??= new HttpAgent(agentOptions));
    const headers = requestHeaders(request);
    return new Promise<TransportResponse>((resolve, reject) => {
      let settled = false;
      const finish = (error: Error | null, response?: TransportResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(response!);
      };
      const req = (https ? httpsRequest : httpRequest)(request.url, { method: request.method, headers, agent }, (res) => {
        readBody(res, maxBodyBytes).then(
          (body) => {
            try {
              const text = decodeBody(body, res.headers["content-encoding"]);
              // Built on first read: most callers never look at the headers.
              let headers: Headers | undefined;
              finish(null, {
                status: res.statusCode ?? 0,
                text,
                get headers() {
                  return (headers ??= responseHeaders(res));
                },
              });
            } catch (error) {
              finish(error instanceof Error ? error : new Error("could not decode the answer"));
            }
          },
          (error: unknown) => finish(error instanceof Error ? error : new Error("answer broke off")),
        );
      });
      // One deadline over the whole exchange, the queue for a connection included.
      const timer = setTimeout(() => {
        const error = new Error(`no answer within ${request.timeoutMs} ms`);
        error.name = "TimeoutError";
        finish(error);
        req.destroy(error);
      }, request.timeoutMs);
      req.on("error", (error) => finish(error));
      req.end(request.body);
    });
  };

  return Object.assign(send, {
    close() {
      httpAgent?.destroy();
      httpsAgent?.destroy();
      httpAgent = undefined;
      httpsAgent = undefined;
    },
  });
}

/** The caller's headers, with what fetch would add when absent, and the body's length. */
function requestHeaders(request: TransportRequest): Record<string, string> {
  const headers: Record<string, string> = { ...request.headers };
  let userAgent = false;
  let acceptEncoding = false;
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower === "user-agent") userAgent = true;
    else if (lower === "accept-encoding") acceptEncoding = true;
  }
  if (!userAgent) headers["user-agent"] = "node";
  if (!acceptEncoding) headers["accept-encoding"] = "gzip, deflate";
  if (request.body !== undefined || request.method !== "GET") {
    headers["content-length"] = String(Buffer.byteLength(request.body ?? ""));
  }
  return headers;
}

function readBody(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy(new Error(`answer body over ${maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    res.on("error", reject);
    // A connection cut mid-body ends without 'end' on some paths: 'close' before 'end' is a break.
    res.on("close", () => {
      if (!res.complete) reject(new Error("answer broke off"));
    });
  });
}

/** The body as text, as `Response.text()` reads it: content codings undone, UTF-8 (bad bytes as U+FFFD), BOM dropped. */
function decodeBody(body: Buffer, coding: string | undefined): string {
  let raw = body;
  const steps = coding === undefined || coding === "" ? [] : coding.split(",").map((c) => c.trim().toLowerCase()).filter(Boolean).reverse();
  for (const step of steps) {
    if (step === "gzip" || step === "x-gzip") raw = gunzipSync(raw);
    else if (step === "deflate") raw = inflateMaybeRaw(raw);
    else if (step === "br") raw = brotliDecompressSync(raw);
    else if (step !== "identity") throw new Error(`unsupported content-encoding ${step.slice(0, 20)}`);
  }
  const text = raw.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** "deflate" is meant zlib-wrapped, but some servers send it raw; fetch reads both. */
function inflateMaybeRaw(raw: Buffer): Buffer {
  try {
    return inflateSync(raw);
  } catch {
    return inflateRawSync(raw);
  }
}

function responseHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}
