/**
 * The bot's one HTTP server: webhooks, payment callbacks, the Telegram webhook, health and
 * metrics. Routes get the raw body (signatures are computed over raw bytes) and answer with a
 * status and a JSON body. Bodies over 64 KiB are refused before they are read in full, unknown
 * paths get 404, and a route that throws answers 500 without details.
 *
 * It faces the internet, so a client cannot hold it open: a request must arrive whole within
 * {@link HttpLimits.requestTimeoutMs} (Node answers 408 and closes), and connections beyond
 * {@link HttpLimits.maxConnections} are dropped as they arrive.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { fail, type RouteHandler, type RouteResponse } from "../core/http.js";

/** Largest request body accepted. */
export const maxBodyBytes = 64 * 1024;

/** What one client may hold of the server. */
export interface HttpLimits {
  /** Time to receive a request's headers and body, in full. */
  requestTimeoutMs: number;
  /** Time to receive the headers (capped at the request timeout). */
  headersTimeoutMs: number;
  /** Open connections at once; more are dropped on arrival. */
  maxConnections: number;
}

/**
 * Webhooks and callbacks are small and sent by machines: 10 s for a whole request is generous,
 * and a few hundred connections is far more than providers, Telegram and a scraper need at once.
 */
export const defaultHttpLimits: HttpLimits = { requestTimeoutMs: 10_000, headersTimeoutMs: 10_000, maxConnections: 256 };

export class HttpServer {
  private readonly routes = new Map<string, { handler: RouteHandler; logAs: string }>();
  /** Routes for every path under a prefix (a secret in the last segment), longest prefix first. */
  private readonly prefixRoutes: { method: string; prefix: string; handler: RouteHandler; logAs: string }[] = [];
  private server: Server | null = null;
  private readonly limits: HttpLimits;
  /** Set by {@link drain}: new requests are answered 503. */
  private draining = false;
  /** Requests being handled, and who waits for there to be none. */
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly logger: Logger,
    limits: Partial<HttpLimits> = {},
  ) {
    this.limits = { ...defaultHttpLimits, ...limits };
  }

  /**
   * Adds a route for an exact method and path. `logAs` names it in logs instead of the path, for
   * a path that holds a secret (the Telegram webhook's).
   */
  route(method: "GET" | "POST", path: string, handler: RouteHandler, logAs = path): void {
    this.routes.set(`${method} ${path}`, { handler, logAs });
  }

  /**
   * Adds a route for every path `prefix` + one segment (no further `/`), e.g. a webhook whose
   * secret is its last segment; the handler reads the segment from `path`. `logAs` names it in
   * logs, so the segment never reaches them. An exact route wins over a prefix route.
   */
  routePrefix(method: "GET" | "POST", prefix: string, handler: RouteHandler, logAs: string): void {
    this.prefixRoutes.push({ method, prefix, handler, logAs });
    this.prefixRoutes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  private find(method: string | undefined, path: string): { handler: RouteHandler; logAs: string } | undefined {
    const exact = this.routes.get(`${method} ${path}`);
    if (exact) return exact;
    return this.prefixRoutes.find(
      (route) => route.method === method && path.startsWith(route.prefix) && path.length > route.prefix.length && !path.slice(route.prefix.length).includes("/"),
    );
  }

  /** Listens on `port` (0 = any free port); resolves with the port. */
  async listen(port: number, host = "0.0.0.0"): Promise<number> {
    const { requestTimeoutMs, headersTimeoutMs, maxConnections } = this.limits;
    this.server = createServer(
      {
        requestTimeout: requestTimeoutMs,
        // Node refuses a headers timeout longer than the request timeout.
        headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
        // Node looks for expired requests only this often (30 s by default): check a few times per timeout.
        connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
      },
      (req, res) => void this.dispatch(req, res),
    );
    this.server.maxConnections = maxConnections;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Open connections now (for tests and diagnostics). */
  connections(): Promise<number> {
    const server = this.server;
    if (!server) return Promise.resolve(0);
    return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
  }

  /**
   * Graceful shutdown, first step: stops accepting connections and answers every new request on
   * an open one 503 (`connection: close`). Telegram, gateways and providers send a refused
   * webhook or callback again later, to this process's successor or a sibling behind the load
   * balancer; requests already being handled finish (see {@link idle}).
   */
  drain(): void {
    this.draining = true;
    this.server?.close();
    this.server?.closeIdleConnections();
  }

  /** Resolves once no request is being handled. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Closes the server and every connection, cutting requests still being handled. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.draining) {
      req.resume();
      res.setHeader("connection", "close");
      return send(res, fail(503, "shutting down"));
    }
    this.inFlight++;
    try {
      await this.handle(req, res);
    } finally {
      if (--this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const route = this.find(req.method, path);
    if (!route) return send(res, fail(404, "not found"));
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBodyBytes) {
      req.resume();
      return send(res, fail(413, "body too large"));
    }
    let rawBody: string;
    try {
      rawBody = await readBody(req);
    } catch {
      res.setHeader("connection", "close");
      return send(res, fail(413, "body too large"));
    }
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(",") : value;
    try {
      send(res, await route.handler({ headers, rawBody, path }));
    } catch (error) {
      this.logger.error({ path: route.logAs, err: error }, "http route failed");
      send(res, fail(500, "internal error"));
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        // Stop keeping it, but drain the rest so the client can still read our 413.
        req.off("data", onData);
        req.resume();
        reject(new Error("too large"));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, response: RouteResponse): void {
  if (res.headersSent) return;
  if (response.text !== undefined) {
    res.writeHead(response.status, { "content-type": "text/plain; version=0.0.4" }).end(response.text);
    return;
  }
  res.writeHead(response.status, { "content-type": "application/json" }).end(JSON.stringify(response.body ?? { ok: response.status < 400 }));
}
