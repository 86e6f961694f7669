/**
 * A fake Premzone API, written from /work/shared/providers/premzone.txt.
 *
 * It checks what the real API documents — `Authorization: Bearer <key>` and `X-Api-Email`
 * (401 otherwise), JSON content type and accept headers, the register rules (Gmail only, name
 * 3–100, no second registration), whose downline an email is, the reseller balance a buy is
 * paid from — and keeps accounts and transactions in memory so status calls reflect earlier
 * buys. Scenario controls decide how the next buy turns out and inject faults per path.
 *
 * The document says "All header names are Case-sensitive", so the fake takes it at its word: a
 * request header is found only under its documented spelling (`Authorization`, `X-Api-Email`,
 * `Content-Type`, `Accept`). Most HTTP servers ignore case; this is the stricter reading, and
 * the one the document states.
 *
 * ASSUMPTION (HTTP status): the document shows only the body's `status`. The fake mirrors it in
 * the HTTP status by default; `httpStatusMirrorsBody: false` answers refusals with HTTP 200.
 *
 * ASSUMPTION (webhooks): the document says a webhook is sent "whenever your transaction status
 * changed"; it does not say whether a buy answered `success` at once also sends one. The fake
 * sends none: tests post the webhook themselves, and nothing may depend on it arriving.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One request as the fake received it. Header names are lower-case, as node gives them. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Header names exactly as the client spelled them. */
  rawHeaderNames: string[];
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
}

/** How the next buy turns out: done at once, processing until N status calls, or failed (and refunded). */
export type BuyScenario = { kind: "success" } | { kind: "processing"; successAfterStatusCalls: number } | { kind: "failed" };

/**
 * Something to do instead of (or around) the normal answer for one request:
 * - `timeout`: handle the request (a buy really happens) but never answer, as when the answer is lost;
 * - `malformed`: 200 with a body that is not JSON;
 * - `shape`: 200 with JSON of an unexpected shape;
 * - `html`: an HTML error page with the given status (502/503);
 * - `error`: a JSON error envelope; `httpStatus` defaults to `status`;
 * - `slow`: answer normally after `ms`.
 */
export type Fault =
  | { type: "timeout" }
  | { type: "malformed" }
  | { type: "shape" }
  | { type: "html"; status: number }
  | { type: "error"; status: number; message: string; httpStatus?: number; retryAfterSeconds?: number }
  | { type: "slow"; ms: number };

export interface PremzoneFakeOptions {
  apiKey?: string;
  /** The reseller's own account email. */
  email?: string;
  /** The reseller balance in rupiah. */
  balance?: number;
  /** Plan prices the API charges. */
  prices?: Record<string, number>;
  /**
   * When false, refusals come back as HTTP 200 with `status: 400` in the body, to prove the
   * client reads the body status too. Default true (HTTP status mirrors the body's).
   */
  httpStatusMirrorsBody?: boolean;
}

interface Account {
  email: string;
  name: string;
  balance: number;
  /** Our downline (or ourselves) vs an account in someone else's tree. */
  ours: boolean;
  premiumPlan?: string;
}

/** A transaction as the fake keeps it. */
export interface FakeTransaction {
  reference: string;
  email: string;
  plan: string;
  amount: number;
  couponCode: string | null;
  status: "unpaid" | "success" | "expired" | "failed" | "processing" | "refund";
  statusCalls: number;
  successAfterStatusCalls: number;
}

export interface PremzoneFake {
  url: string;
  apiKey: string;
  email: string;
  requests: RecordedRequest[];
  transactions: Map<string, FakeTransaction>;
  /** Current reseller balance. */
  balance(): number;
  /** Adds an account that is already our downline. */
  addDownline(email: string, name?: string): void;
  /** Adds an account that belongs to another reseller's tree. */
  addForeignAccount(email: string): void;
  /** The account the fake holds for an email, if any. */
  account(email: string): Readonly<Account> | undefined;
  /** How the next buys turn out (stays until changed). */
  setBuyScenario(scenario: BuyScenario): void;
  /** Applies `fault` to the next `times` requests to `path` (default once). */
  fault(path: string, fault: Fault, times?: number): void;
  /** Recorded requests to one path. */
  requestsTo(path: string): RecordedRequest[];
  close(): Promise<void>;
}

/** An answer to write: the HTTP status, the JSON body and extra headers. */
interface Answer {
  httpStatus: number;
  body: unknown;
  headers?: Record<string, string>;
}

class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A Gmail address for a local part, so tests and the fake spell addresses one way. */
export function gmailAddress(local: string): string {
  return `${local}@gmail.com`;
}

const gmail = /^[^@\s]+@gmail\.com$/i;

/** Starts the fake on 127.0.0.1, on a free port. */
export async function startPremzoneFake(options: PremzoneFakeOptions = {}): Promise<PremzoneFake> {
  const apiKey = options.apiKey ?? "pz-test-key";
  const resellerEmail = options.email ?? gmailAddress("reseller");
  const prices = options.prices ?? { basic: 50_000, gold: 90_000, diamond: 150_000 };
  const mirror = options.httpStatusMirrorsBody ?? true;
  const accounts = new Map<string, Account>([
    [resellerEmail, { email: resellerEmail, name: "Reseller", balance: options.balance ?? 1_000_000, ours: true }],
  ]);
  const transactions = new Map<string, FakeTransaction>();
  const requests: RecordedRequest[] = [];
  const faults = new Map<string, Fault[]>();
  const sockets = new Set<Socket>();
  let buyScenario: BuyScenario = { kind: "success" };
  let counter = 0;

  const reseller = () => accounts.get(resellerEmail)!;

  function write(res: ServerResponse, { httpStatus, body, headers = {} }: Answer): void {
    res.writeHead(httpStatus, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }

  function accountData(account: Account) {
    return {
      email: account.email,
      name: account.name,
      role: "member",
      tier: "basic",
      point: 0,
      balance: account.balance,
    };
  }

  function transactionData(trx: FakeTransaction) {
    return {
      reference: trx.reference,
      type: "debit",
      status: trx.status,
      amount: trx.amount,
      currency: "IDR",
      sku: `PLAN_${trx.plan.toUpperCase()}`,
      description: `Buy Plan ${trx.plan}`,
      coupon_code: trx.couponCode,
      wallet_or_va_number: "1234567890",
      channel_code: "BALANCE",
      is_qr: false,
      qr_url: null,
      is_link: true,
      link_url: null,
      invoice_url: `https://premzone.com/member/invoice/${trx.reference}`,
      via_api: true,
      webhook_sent: false,
      created_at: "2023-01-01 00:00:00",
      expired_at: "2023-01-01 00:05:00",
    };
  }

  function stringField(body: Record<string, unknown>, name: string): string {
    const value = body[name];
    if (typeof value !== "string" || value.length === 0) throw new ApiRefusal(400, `The ${name} field is required`);
    return value;
  }

  /** Our own account or a downline; the refusals the doc gives for anything else. */
  function ownedAccount(email: string, notRegistered: string): Account {
    const account = accounts.get(email.toLowerCase());
    if (!account) throw new ApiRefusal(400, notRegistered);
    if (!account.ours) throw new ApiRefusal(400, "Target account is neither yours or your downline");
    return account;
  }

  const routes: Record<string, (body: Record<string, unknown>) => { message: string; data: unknown }> = {
    "/api/accounts/register": (body) => {
      const email = stringField(body, "email").toLowerCase();
      const name = body.name;
      if (!gmail.test(email)) throw new ApiRefusal(400, "The email field must be an active Gmail");
      if (typeof name !== "string" || name.length < 3 || name.length > 100) {
        throw new ApiRefusal(400, "The name field must be between 3-100 characters");
      }
      if (accounts.has(email)) throw new ApiRefusal(400, "Target email already registered");
      const account = { email, name, balance: 0, ours: true };
      accounts.set(email, account);
      return { message: "Account registered successfully", data: accountData(account) };
    },
    "/api/accounts/info": (body) => {
      const account = ownedAccount(stringField(body, "email"), "Target email is not registered");
      return {
        message: "Account info retrieved successfully",
        data: { ...accountData(account), code: "5JfrHT", is_premium: account.premiumPlan !== undefined },
      };
    },
    "/api/transactions/buy": (body) => {
      const account = ownedAccount(stringField(body, "email"), "Target account is not registered");
      const plan = stringField(body, "plan");
      const price = prices[plan];
      if (price === undefined) throw new ApiRefusal(400, "The selected plan is invalid");
      if (body.channel_code !== "BALANCE") throw new ApiRefusal(400, "The selected channel code is invalid");
      const coupon = body.coupon_code ?? null;
      if (coupon !== null && typeof coupon !== "string") throw new ApiRefusal(400, "The coupon code must be a string");
      if (buyScenario.kind !== "failed" && reseller().balance < price) throw new ApiRefusal(400, "Insufficient balance");
      counter += 1;
      const trx: FakeTransaction = {
        reference: `INV2601012${String(counter).padStart(4, "0")}PZ`,
        email: account.email,
        plan,
        amount: price,
        couponCode: coupon,
        status: buyScenario.kind === "success" ? "success" : buyScenario.kind,
        statusCalls: 0,
        successAfterStatusCalls: buyScenario.kind === "processing" ? buyScenario.successAfterStatusCalls : 0,
      };
      // A failed purchase is not charged; the others are paid from our balance straight away.
      if (trx.status !== "failed") reseller().balance -= price;
      if (trx.status === "success") account.premiumPlan = plan;
      transactions.set(trx.reference, trx);
      return { message: "Purchase completed successfully", data: transactionData(trx) };
    },
    "/api/transactions/status": (body) => {
      const trx = transactions.get(stringField(body, "reference"));
      if (!trx) throw new ApiRefusal(400, "Transaction not found");
      if (trx.status === "processing") {
        trx.statusCalls += 1;
        if (trx.statusCalls >= trx.successAfterStatusCalls) {
          trx.status = "success";
          accounts.get(trx.email)!.premiumPlan = trx.plan;
        }
      }
      return { message: "Transaction found", data: transactionData(trx) };
    },
  };

  /** A request header under exactly the documented name ("All header names are Case-sensitive"). */
  function documentedHeader(req: IncomingMessage, name: string): string | undefined {
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i] === name) return req.rawHeaders[i + 1];
    return undefined;
  }

  /** The documented request rules, in the order a real server would meet them. */
  function checkRequest(req: IncomingMessage, path: string, rawBody: string): Record<string, unknown> {
    if (documentedHeader(req, "Authorization") !== `Bearer ${apiKey}` || documentedHeader(req, "X-Api-Email") !== resellerEmail) {
      throw new ApiRefusal(401, "Unauthenticated");
    }
    if (!(path in routes)) throw new ApiRefusal(404, "Not found");
    if (req.method !== "POST") throw new ApiRefusal(405, "Method not allowed");
    if (!documentedHeader(req, "Content-Type")?.startsWith("application/json")) {
      throw new ApiRefusal(400, "Content-Type must be application/json");
    }
    if (!documentedHeader(req, "Accept")?.includes("application/json")) throw new ApiRefusal(400, "Accept must be application/json");
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new ApiRefusal(400, "Invalid JSON body");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ApiRefusal(400, "Invalid JSON body");
    return body as Record<string, unknown>;
  }

  /** Handles a request for real (state changes included) and says what to answer. */
  function handle(req: IncomingMessage, path: string, rawBody: string): Answer {
    try {
      const body = checkRequest(req, path, rawBody);
      const { message, data } = routes[path]!(body);
      return { httpStatus: 200, body: { status: 200, message, data } };
    } catch (error) {
      if (!(error instanceof ApiRefusal)) throw error;
      return { httpStatus: mirror ? error.status : 200, body: { status: error.status, message: error.message } };
    }
  }

  /** Answers one request, through `fault` when one is queued for its path. */
  function respond(req: IncomingMessage, res: ServerResponse, path: string, rawBody: string, fault?: Fault): void {
    switch (fault?.type) {
      case undefined:
        write(res, handle(req, path, rawBody));
        return;
      case "timeout":
        // Handle it for real, then lose the answer: the caller cannot tell whether it worked.
        handle(req, path, rawBody);
        return;
      case "malformed":
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"status": 200, "message": "Purchase compl');
        return;
      case "shape":
        write(res, { httpStatus: 200, body: { status: 200, message: "ok", data: { unexpected: true } } });
        return;
      case "html":
        res.writeHead(fault.status, { "content-type": "text/html" });
        res.end(`<html><body><h1>${fault.status} Bad Gateway</h1><p>nginx</p></body></html>`);
        return;
      case "error": {
        const headers = fault.retryAfterSeconds === undefined ? undefined : { "retry-after": String(fault.retryAfterSeconds) };
        write(res, { httpStatus: fault.httpStatus ?? fault.status, body: { status: fault.status, message: fault.message }, headers });
        return;
      }
      case "slow":
        setTimeout(() => write(res, handle(req, path, rawBody)), fault.ms);
        return;
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const path = new URL(req.url ?? "/", "http://fake").pathname;
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const rawHeaderNames = req.rawHeaders.filter((_, index) => index % 2 === 0);
      requests.push({ method: req.method ?? "", path, headers: { ...req.headers }, rawHeaderNames, body });
      respond(req, res, path, rawBody, faults.get(path)?.shift());
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    email: resellerEmail,
    requests,
    transactions,
    balance: () => reseller().balance,
    addDownline(email, name = "Existing Member") {
      accounts.set(email.toLowerCase(), { email: email.toLowerCase(), name, balance: 0, ours: true });
    },
    addForeignAccount(email) {
      accounts.set(email.toLowerCase(), { email: email.toLowerCase(), name: "Someone Else", balance: 0, ours: false });
    },
    account: (email) => accounts.get(email.toLowerCase()),
    setBuyScenario(scenario) {
      buyScenario = scenario;
    },
    fault(path, fault, times = 1) {
      faults.set(path, [...(faults.get(path) ?? []), ...Array.from({ length: times }, () => fault)]);
    },
    requestsTo: (path) => requests.filter((request) => request.path === path),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
