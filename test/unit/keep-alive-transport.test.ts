import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { gzipSync, deflateRawSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../src/providers/http.js";
import { isProviderError } from "../../src/providers/errors.js";
import { keepAliveTransport, type ClosableTransport } from "../../src/providers/keep-alive-transport.js";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

/** A local server whose answer each test sets; it counts the connections it accepted. */
let server: Server;
let base: string;
let handler: Handler;
let connections: number;
let openSockets: Set<Socket>;
let seen: { method: string; url: string; headers: IncomingMessage["headers"]; rawHeaders: string[]; body: string }[];
let transport: ClosableTransport;

beforeEach(async () => {
  connections = 0;
  openSockets = new Set();
  seen = [];
  handler = (_req, _body, res) => json(res, 200, { ok: true });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, rawHeaders: req.rawHeaders, body });
      handler(req, body, res);
    });
  });
  server.on("connection", (socket: Socket) => {
    connections += 1;
    openSockets.add(socket);
    socket.on("close", () => openSockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  transport = keepAliveTransport({ maxSockets: 4 });
});

afterEach(async () => {
  transport.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

const get = (path: string, timeoutMs = 2_000) => transport({ url: new URL(path, base), method: "GET", headers: { Accept: "application/json" }, timeoutMs });

describe("keepAliveTransport", () => {
  it("brings back the status, headers and body, sending the caller's headers as spelled plus fetch's defaults", async () => {
    handler = (_req, _body, res) => json(res, 201, { status_code: "201" }, { "Retry-After": "7" });
    const answer = await transport({ url: new URL("/v2/ORD-1/status?x=1", base), method: "GET", headers: { Authorization: "Basic abc", Accept: "application/json" }, timeoutMs: 2_000 });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.text)).toEqual({ status_code: "201" });
    expect(answer.headers.get("retry-after")).toBe("7");
    const [request] = seen;
    expect(request).toMatchObject({ method: "GET", url: "/v2/ORD-1/status?x=1" });
    expect(request!.rawHeaders).toEqual(expect.arrayContaining(["Authorization", "Basic abc", "Accept", "application/json"]));
    expect(request!.headers["user-agent"]).toBe("node");
    expect(request!.headers["accept-encoding"]).toBe("gzip, deflate");
    expect(request!.headers["content-length"]).toBeUndefined();
  });

  it("sends a JSON body with its length, and content-length 0 for a POST without one (as fetch does)", async () => {
    await transport({ url: new URL("/charge", base), method: "POST", headers: { "Content-Type": "application/json" }, body: '{"a":"é"}', timeoutMs: 2_000 });
    await transport({ url: new URL("/cancel", base), method: "POST", headers: {}, timeoutMs: 2_000 });
    expect(seen[0]).toMatchObject({ method: "POST", body: '{"a":"é"}' });
    expect(seen[0]!.headers["content-length"]).toBe(String(Buffer.byteLength('{"a":"é"}')));
    expect(seen[1]!.headers["content-length"]).toBe("0");
    expect(seen[1]!.headers["transfer-encoding"]).toBeUndefined();
  });

  it("reuses connections: 40 calls at once use at most maxSockets connections, later calls none new", async () => {
    handler = (_req, _body, res) => setImmediate(() => json(res, 200, { ok: true }));
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => get(`/status/${i}`)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(connections).toBeLessThanOrEqual(4);
    const before = connections;
    await Promise.all(Array.from({ length: 8 }, (_, i) => get(`/again/${i}`)));
    expect(connections).toBe(before);
  });

  it("undoes gzip and raw deflate and drops a UTF-8 BOM, as Response.text() does", async () => {
    handler = (req, _body, res) => {
      const text = "\uFEFF" + JSON.stringify({ name: "Rp 18.500 é" });
      const coded = req.url === "/gzip" ? gzipSync(text) : deflateRawSync(text);
      res.writeHead(200, { "content-type": "application/json", "content-encoding": req.url === "/gzip" ? "gzip" : "deflate", "content-length": coded.length });
      res.end(coded);
    };
    expect(JSON.parse((await get("/gzip")).text)).toEqual({ name: "Rp 18.500 é" });
    expect(JSON.parse((await get("/deflate")).text)).toEqual({ name: "Rp 18.500 é" });
  });

  it("gives a 3xx back as it is instead of following it", async () => {
    handler = (_req, _body, res) => {
      res.writeHead(302, { location: "/elsewhere", "content-length": 0 });
      res.end();
    };
    const answer = await get("/moved");
    expect(answer.status).toBe(302);
    expect(answer.text).toBe("");
    expect(seen.map((request) => request.url)).toEqual(["/moved"]);
  });

  it("times out over the whole exchange: a server that never answers, and one that stalls mid-body", async () => {
    handler = (req, _body, res) => {
      if (req.url === "/silent") return;
      res.writeHead(200, { "content-type": "application/json", "content-length": 100 });
      res.write('{"partial":');
    };
    for (const path of ["/silent", "/stall"]) {
      const error = await get(path, 150).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("TimeoutError");
    }
  });

  it("counts the wait for a free connection against the timeout", async () => {
    const small = keepAliveTransport({ maxSockets: 1 });
    try {
      handler = (req, _body, res) => {
        if (req.url === "/hold") return; // holds the only connection
        json(res, 200, { ok: true });
      };
      const held = small({ url: new URL("/hold", base), method: "GET", headers: {}, timeoutMs: 400 }).catch((error: unknown) => error);
      const queued = await small({ url: new URL("/next", base), method: "GET", headers: {}, timeoutMs: 100 }).then(
        () => null,
        (caught: unknown) => caught,
      );
      expect((queued as Error).name).toBe("TimeoutError");
      expect(((await held) as Error).name).toBe("TimeoutError");
    } finally {
      small.close();
    }
  });

  it("rejects when the connection is cut mid-body, and when the body is over the cap", async () => {
    handler = (req, _body, res) => {
      if (req.url === "/cut") {
        res.writeHead(200, { "content-type": "application/json", "content-length": 100 });
        res.write('{"partial":');
        setImmediate(() => res.socket?.destroy());
        return;
      }
      json(res, 200, { big: "x".repeat(2_000) });
    };
    await expect(get("/cut")).rejects.toThrow();
    const capped = keepAliveTransport({ maxBodyBytes: 1_000 });
    try {
      await expect(capped({ url: new URL("/big", base), method: "GET", headers: {}, timeoutMs: 2_000 })).rejects.toThrow(/over 1000 bytes/);
    } finally {
      capped.close();
    }
  });

  it("never cuts an exchange in progress for idleness: idleMs is for connections in the pool", async () => {
    const short = keepAliveTransport({ idleMs: 20 });
    try {
      handler = (_req, _body, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"slow":');
        // Silent for many idle periods mid-answer, then finishes.
        setTimeout(() => res.end("true}"), 300);
      };
      const answer = await short({ url: new URL("/slow", base), method: "GET", headers: {}, timeoutMs: 5_000 });
      expect(JSON.parse(answer.text)).toEqual({ slow: true });
    } finally {
      short.close();
    }
  });

  it("lets go of idle connections after idleMs, and on close()", async () => {
    const short = keepAliveTransport({ idleMs: 50 });
    await short({ url: new URL("/a", base), method: "GET", headers: {}, timeoutMs: 2_000 });
    await expect.poll(() => openSockets.size, { timeout: 2_000 }).toBe(0);
    await get("/b");
    expect(openSockets.size).toBe(1);
    transport.close();
    await expect.poll(() => openSockets.size, { timeout: 2_000 }).toBe(0);
    // Closed is not broken: a later call opens a new connection.
    expect((await get("/c")).status).toBe(200);
    short.close();
  });
});

describe("HttpClient over the keep-alive transport", () => {
  it("reads JSON and sends auth headers as fetch did", async () => {
    handler = (_req, _body, res) => json(res, 200, { balance: 5 });
    const http = new HttpClient({ provider: "test", baseUrl: `${base}/api`, headers: { Authorization: "Bearer k" }, transport, retryDelaysMs: [] });
    const answer = await http.send({ method: "POST", path: "/x", json: { a: 1 } });
    expect(answer).toMatchObject({ status: 200, json: { balance: 5 } });
    expect(seen[0]).toMatchObject({ url: "/api/x", body: '{"a":1}' });
    expect(seen[0]!.rawHeaders).toEqual(expect.arrayContaining(["Authorization", "Bearer k", "Accept", "application/json", "Content-Type", "application/json"]));
  });

  it("turns no answer in time into ProviderError('timeout'), retrying only a safe request", async () => {
    handler = () => undefined;
    const http = new HttpClient({ provider: "test", baseUrl: base, transport, timeoutMs: 100, retryDelaysMs: [1] });
    const error = await http.send({ method: "POST", path: "/buy", json: {} }).catch((caught: unknown) => caught);
    expect(isProviderError(error) && error.code).toBe("timeout");
    expect(seen.filter((request) => request.url === "/buy")).toHaveLength(1);
    await http.send({ method: "GET", path: "/read" }).catch(() => undefined);
    expect(seen.filter((request) => request.url === "/read")).toHaveLength(2);
  });

  it("uses an injected fetch over the transport (tests keep their stubs)", async () => {
    let stubbed = 0;
    const http = new HttpClient({
      provider: "test",
      baseUrl: base,
      transport,
      fetch: (async () => {
        stubbed += 1;
        return new Response('{"from":"stub"}', { status: 200 });
      }) as typeof fetch,
    });
    expect((await http.send({ method: "GET", path: "/x" })).json).toEqual({ from: "stub" });
    expect(stubbed).toBe(1);
    expect(seen).toHaveLength(0);
  });
});
