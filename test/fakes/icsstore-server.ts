/**
 * An in-memory ICS-Store reseller API, written from /work/shared/providers/icsstore.txt.
 *
 * It checks what the real API checks (the API key, the method of each action, the JSON body of
 * createTransaction, unique refids) and answers a broken request the way the document says the
 * real one would (401/403/404 or an `error` body). Orders are kept by refid and move through a
 * scenario on each checkTransaction; faults (timeout, slow, malformed JSON, HTML error pages,
 * any status) can be injected per action.
 *
 * What the document does not state is marked ASSUMPTION below, and tests run the adapter against
 * the stricter reading too. The document only asks resellers to send a unique `refid` ("Gunakan
 * refid buatan reseller (unik)"); it never says the API refuses a repeated one. So
 * `duplicateRefid` is "accept" (a second transaction, a second debit) or "refuse" (an `error`
 * body, our assumption); the adapter must never rely on the refusal.
 *
 * Other ASSUMPTIONS: a wrong method gets 405 and a body that is not JSON 400 (the document lists
 * only 401/403/404); `nomor_tujuan` must look like an Indonesian number; a refusal by the
 * supplier leaves the balance as it was while a later failure refunds it; an instant success
 * reads back as `success` unless a test injects otherwise (the adapter trusts the read-back).
 * The document names no webhook format: tests post `{ refid, status }` to the secret path.
 *
 * getHistory ("Paging riwayat transaksi milik reseller": page, limit, optional status) —
 * ASSUMPTIONS, each with a stricter switch the adapter is tested against: pages are numbered from
 * 1 (the example answers `"page": 1`); `time` is WIB wall-clock time "YYYY-MM-DD HH:mm:ss" (the
 * document gives no zone); newest first (`historyOrder`, the document says nothing: "oldest-first"
 * is the stricter case); a `limit` above `historyMaxLimit` is cut down silently while the answer
 * still echoes the limit asked for (so a short page does not prove the end); a page past the end
 * is empty (`historyPastEnd: "last-page"` repeats the last page instead, the stricter case).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A product row as listProducts returns it. `stok` may be left out to test a missing stock. */
export interface IcsFakeProduct {
  kode_produk: string;
  nama_produk: string;
  deskripsi: string;
  harga_final: number;
  stok?: number;
  type: string;
  provider: string;
}

/** What listProducts answers for one type. */
export interface IcsFakeCatalog {
  title?: string;
  ready: IcsFakeProduct[];
  empty: IcsFakeProduct[];
}

/** How the next orders behave at the "supplier". */
export type IcsOrderScenario =
  /** Accepted as pending; `checks` status checks later it succeeds with `note` (the SN). */
  | { kind: "pending"; checks: number; note?: string; initialStatus?: "pending" | "unpaid" }
  /** Succeeds at once (no `pending` in the create answer). */
  | { kind: "success"; note?: string }
  /** The supplier refuses at once: an `error` body, balance untouched. */
  | { kind: "reject"; error: string }
  /** Accepted as pending, fails after `checks` status checks and is refunded. */
  | { kind: "fail-later"; checks: number; message: string };

/**
 * A fault for the next request(s) to one action. With `processFirst` the request takes effect
 * (an order is stored) before the fault hides the answer — the "did it go through?" case.
 */
export type IcsFault =
  /** No fault: answered normally (to aim a later fault at the second request of an action). */
  | { kind: "pass" }
  | { kind: "timeout"; processFirst?: boolean }
  | { kind: "slow"; delayMs: number }
  | { kind: "malformed"; processFirst?: boolean }
  | { kind: "html"; status: 502 | 503; processFirst?: boolean }
  /** Any status with any JSON body (e.g. an `error` body the scenarios do not produce). */
  | { kind: "status"; status: number; body?: unknown; processFirst?: boolean; retryAfter?: number };

/** One request as the fake received it. */
export interface IcsRecordedRequest {
  method: string;
  action: string | null;
  query: Record<string, string>;
  apiKeyHeader: string | undefined;
  contentType: string | undefined;
  /** The parsed JSON body, or the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** An order the fake holds. */
export interface IcsFakeTransaction {
  refid: string;
  kode_produk: string;
  nomor_tujuan: string;
  harga: number;
  supplier_trxid: string;
  scenario: IcsOrderScenario;
  checks: number;
  refunded: boolean;
  /** When it was made (epoch ms): getHistory's `time`. */
  createdAt: number;
}

/** A transaction put straight into the fake's records (e.g. a charge made outside the shop). */
export interface IcsSeededTransaction {
  refid: string;
  kode_produk?: string;
  harga: number;
  status: "success" | "pending" | "failed";
  createdAt?: number;
}

interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

type Action = "listProducts" | "getBalance" | "createTransaction" | "checkTransaction" | "getHistory";

const methods: Record<Action, readonly string[]> = {
  getHistory: ["GET"],
  listProducts: ["GET"],
  getBalance: ["GET"],
  createTransaction: ["POST"],
  checkTransaction: ["GET", "POST"],
};

const listTypes = new Set(["xla", "bpa", "fmax", "xda", "all"]);

/** A catalog with ready items (one without `stok`), empty items, and a type without a title. */
export function defaultIcsCatalogs(): Record<string, IcsFakeCatalog> {
  const item = (type: string, kode: string, nama: string, harga: number, stok?: number): IcsFakeProduct => ({
    kode_produk: kode,
    nama_produk: nama,
    deskripsi: `Details Kuota ${nama}`,
    harga_final: harga,
    ...(stok === undefined ? {} : { stok }),
    type,
    provider: "KUBER",
  });
  return {
    xla: {
      title: "Daftar Produk Bulanan",
      ready: [item("xla", "XLA10", "XL AXIS 10GB", 20_000, 50), item("xla", "XLA20", "XL AXIS 20GB", 35_000)],
      empty: [item("xla", "XLA15", "XL AXIS 15GB", 25_000, 0)],
    },
    bpa: { title: "Daftar Produk Bekasan", ready: [item("bpa", "BPA5", "Bekasan Akrab 5GB", 9_000, 3)], empty: [] },
    fmax: { ready: [], empty: [item("fmax", "FMAX1", "Flex Max 1", 15_000, 0)] },
    xda: { title: "Daftar Produk Harian", ready: [item("xda", "XDA1", "XL Harian 1GB", 3_500, 10)], empty: [] },
  };
}

/** The fake server; start it with {@link IcsstoreFake.start}. Fields are scenario controls. */
export class IcsstoreFake {
  /** Every request received, in order. */
  readonly requests: IcsRecordedRequest[] = [];
  /** Orders by refid (the latest one, when a repeated refid was accepted). */
  readonly transactions = new Map<string, IcsFakeTransaction>();
  /** Every transaction the fake created, in order: more than one per refid means we bought twice. */
  readonly purchases: IcsFakeTransaction[] = [];
  /**
   * What a repeated `refid` does. ASSUMPTION: the document says only that a refid should be
   * unique. "refuse" answers `{ error: "Refid sudah digunakan" }` (the assumption the adapter was
   * first written against); "accept" buys again, the stricter case.
   */
  duplicateRefid: "refuse" | "accept" = "refuse";
  /** Reseller balance in rupiah. */
  balance = 100_000;
  /** When true, a valid key gets 403 ("tidak aktif"). */
  inactive = false;
  /** Scenario for orders created from now on. */
  scenario: IcsOrderScenario = { kind: "pending", checks: 1, note: "SN 1234567890" };
  catalogs: Record<string, IcsFakeCatalog> = defaultIcsCatalogs();
  /** getHistory's order. ASSUMPTION: newest first; "oldest-first" is the stricter case. */
  historyOrder: "newest-first" | "oldest-first" = "newest-first";
  /** ASSUMPTION: the most records one getHistory page holds; a bigger `limit` is cut silently. */
  historyMaxLimit = 50;
  /** ASSUMPTION: a page past the end is empty; "last-page" repeats the last page (stricter). */
  historyPastEnd: "empty" | "last-page" = "empty";

  private readonly faults = new Map<string, IcsFault[]>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextTrxId = 1_000_000;

  private constructor(
    private readonly server: Server,
    readonly apiKey: string,
    readonly url: string,
  ) {}

  /** Starts a fake on 127.0.0.1 and a free port. */
  static async start(options: { apiKey?: string } = {}): Promise<IcsstoreFake> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new IcsstoreFake(server, options.apiKey ?? "ics-test-key", `http://127.0.0.1:${port}`);
    server.on("connection", (socket) => {
      fake.sockets.add(socket);
      socket.on("close", () => fake.sockets.delete(socket));
    });
    server.on("request", (req, res) => {
      fake.onRequest(req, res).catch(() => res.destroy());
    });
    return fake;
  }

  /** Makes the next `times` requests to `action` fail with `fault`. */
  inject(action: string, fault: IcsFault, times = 1): void {
    const queue = this.faults.get(action) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.faults.set(action, queue);
  }

  /**
   * Puts a transaction in the records as if it had been made (with the API key, outside the
   * shop or by a purchase whose order we lost): it debits the balance unless it failed.
   */
  seed(transaction: IcsSeededTransaction): IcsFakeTransaction {
    const scenario: IcsOrderScenario =
      transaction.status === "success"
        ? { kind: "success", note: "SN SEEDED" }
        : transaction.status === "failed"
          ? { kind: "reject", error: "Transaksi gagal" }
          : { kind: "pending", checks: Number.MAX_SAFE_INTEGER };
    const seeded: IcsFakeTransaction = {
      refid: transaction.refid,
      kode_produk: transaction.kode_produk ?? "XLA10",
      nomor_tujuan: "081234567890",
      harga: transaction.harga,
      supplier_trxid: String(this.nextTrxId++),
      scenario,
      checks: 0,
      refunded: false,
      createdAt: transaction.createdAt ?? Date.now(),
    };
    if (transaction.status !== "failed") this.balance -= transaction.harga;
    this.transactions.set(seeded.refid, seeded);
    this.purchases.push(seeded);
    return seeded;
  }

  /** How many requests `action` received. */
  count(action: string): number {
    return this.requests.filter((request) => request.action === action).length;
  }

  /** Stops the server, dropping requests left hanging by a timeout fault. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req);
    const url = new URL(req.url ?? "/", this.url);
    const record: IcsRecordedRequest = {
      method: req.method ?? "",
      action: url.searchParams.get("action"),
      query: Object.fromEntries(url.searchParams),
      apiKeyHeader: header(req, "x-api-key"),
      contentType: header(req, "content-type"),
      body: parseJson(text) ?? (text.length > 0 ? text : undefined),
    };
    this.requests.push(record);
    const fault = this.faults.get(record.action ?? "")?.shift();
    if (!fault || fault.kind === "pass") return send(res, this.handle(record));
    const processed = fault.kind === "slow" || ("processFirst" in fault && fault.processFirst) ? this.handle(record) : undefined;
    this.applyFault(res, fault, processed);
  }

  private applyFault(res: ServerResponse, fault: IcsFault, processed: Reply | undefined): void {
    switch (fault.kind) {
      case "pass":
        return send(res, processed ?? { status: 500, json: { error: "pass fault without a route" } });
      case "timeout":
        return; // never answer; close() destroys the socket
      case "slow": {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (processed) send(res, processed);
        }, fault.delayMs);
        this.timers.add(timer);
        return;
      }
      case "malformed":
        return send(res, { status: 200, text: '{"success": true, "data": {"saldo": ', contentType: "application/json" });
      case "html":
        return send(res, {
          status: fault.status,
          text: `<html><head><title>${fault.status} Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>`,
          contentType: "text/html",
        });
      case "status":
        return send(res, {
          status: fault.status,
          json: fault.body,
          headers: fault.retryAfter === undefined ? undefined : { "retry-after": String(fault.retryAfter) },
        });
    }
  }

  private handle(request: IcsRecordedRequest): Reply {
    const key = request.apiKeyHeader ?? request.query.apikey;
    if (!key || key !== this.apiKey) return { status: 401, json: { error: "API key tidak valid" } };
    if (this.inactive) return { status: 403, json: { error: "API key tidak aktif" } };
    const action = request.action;
    if (!action || !(action in methods)) return { status: 400, json: { error: "Action tidak dikenal" } };
    if (!methods[action as Action].includes(request.method)) {
      return { status: 405, json: { error: `Metode ${request.method} tidak diizinkan` } };
    }
    switch (action as Action) {
      case "listProducts":
        return this.listProducts(request.query.type);
      case "getBalance":
        return ok({ success: true, data: { kodereseller: "RS00001", nama: "Toko Test", nomor: "628123@s.whatsapp.net", saldo: this.balance, verif: true } });
      case "createTransaction":
        return this.createTransaction(request);
      case "checkTransaction":
        return this.checkTransaction(request);
      case "getHistory":
        return this.getHistory(request);
    }
  }

  private getHistory(request: IcsRecordedRequest): Reply {
    const page = request.query.page === undefined ? 1 : Number(request.query.page);
    const limit = request.query.limit === undefined ? 10 : Number(request.query.limit);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(limit) || limit < 1) {
      return { status: 400, json: { error: "Parameter page/limit tidak valid" } };
    }
    const wanted = request.query.status;
    const all = this.purchases
      .map((t) => ({ t, status: this.statusNow(t) }))
      .filter((row) => wanted === undefined || row.status === wanted)
      .sort((a, b) => (this.historyOrder === "newest-first" ? b.t.createdAt - a.t.createdAt : a.t.createdAt - b.t.createdAt));
    const size = Math.min(limit, this.historyMaxLimit);
    const pages = Math.max(1, Math.ceil(all.length / size));
    const shown = page > pages && this.historyPastEnd === "last-page" ? pages : page;
    const rows = all.slice((shown - 1) * size, shown * size);
    return ok({
      success: true,
      page,
      limit,
      data: rows.map(({ t, status }) => ({
        status,
        kodeproduk: t.kode_produk,
        harga: t.harga,
        nomor: t.nomor_tujuan,
        refid: t.refid,
        supplier_trxid: t.supplier_trxid,
        time: wibTime(t.createdAt),
        message: status === "success" ? "SUKSES ..." : status === "failed" ? "GAGAL" : "Pesanan diterima",
      })),
    });
  }

  /** Where a transaction stands as of its latest status check, without checking again. */
  private statusNow(t: IcsFakeTransaction): string {
    const scenario = t.scenario;
    switch (scenario.kind) {
      case "success":
        return "success";
      case "reject":
        return "failed";
      case "pending":
        return t.checks <= scenario.checks ? (scenario.initialStatus ?? "pending") : "success";
      case "fail-later":
        return t.checks <= scenario.checks ? "pending" : "failed";
    }
  }

  private listProducts(type: string | undefined): Reply {
    if (!type || !listTypes.has(type)) return { status: 400, json: { error: "Parameter type tidak valid" } };
    const catalogs = type === "all" ? Object.values(this.catalogs) : [this.catalogs[type] ?? { ready: [], empty: [] }];
    return ok({
      success: true,
      type,
      title: type === "all" ? "Semua Produk" : catalogs[0]?.title,
      providers_used: ["KUBER"],
      data: { ready: catalogs.flatMap((c) => c.ready), empty: catalogs.flatMap((c) => c.empty) },
    });
  }

  private findProduct(kode: string): { product: IcsFakeProduct; ready: boolean } | undefined {
    for (const catalog of Object.values(this.catalogs)) {
      const ready = catalog.ready.find((p) => p.kode_produk === kode);
      if (ready) return { product: ready, ready: true };
      const empty = catalog.empty.find((p) => p.kode_produk === kode);
      if (empty) return { product: empty, ready: false };
    }
    return undefined;
  }

  private createTransaction(request: IcsRecordedRequest): Reply {
    if (!request.contentType?.startsWith("application/json") || !isRecord(request.body)) {
      return { status: 400, json: { error: "Body harus JSON" } };
    }
    const { kode_produk, nomor_tujuan, refid } = request.body;
    const missing = [
      typeof kode_produk === "string" && kode_produk ? null : "kode_produk",
      typeof nomor_tujuan === "string" && /^(08|628)\d{7,12}$/.test(nomor_tujuan) ? null : "nomor_tujuan",
      typeof refid === "string" && refid ? null : "refid",
    ].filter((name) => name !== null);
    if (missing.length > 0 || typeof kode_produk !== "string" || typeof nomor_tujuan !== "string" || typeof refid !== "string") {
      return { status: 400, json: { error: `Parameter tidak lengkap/tidak valid: ${missing.join(", ")}` } };
    }
    const saldo = { saldo_awal: this.balance, saldo_akhir: this.balance };
    if (this.transactions.has(refid) && this.duplicateRefid === "refuse") {
      return { status: 400, json: { error: "Refid sudah digunakan", refid, ...saldo } };
    }
    const found = this.findProduct(kode_produk);
    if (!found) return { status: 404, json: { error: "Produk tidak ditemukan" } };
    if (!found.ready) return ok({ error: "Transaksi gagal: stok produk kosong", refid, ...saldo });
    const harga = found.product.harga_final;
    if (this.balance < harga) return { status: 400, json: { error: "Saldo tidak cukup", refid, ...saldo } };

    const transaction: IcsFakeTransaction = {
      refid,
      kode_produk,
      nomor_tujuan,
      harga,
      supplier_trxid: String(this.nextTrxId++),
      scenario: this.scenario,
      checks: 0,
      refunded: false,
      createdAt: Date.now(),
    };
    this.transactions.set(refid, transaction);
    this.purchases.push(transaction);
    if (this.scenario.kind === "reject") return ok({ error: this.scenario.error, refid, ...saldo });
    this.balance -= harga;
    const answer = { refid, supplier_trxid: transaction.supplier_trxid, saldo_awal: saldo.saldo_awal, saldo_akhir: this.balance };
    if (this.scenario.kind === "success") return ok({ success: true, message: "Transaksi sukses", ...answer });
    return ok({ success: true, pending: true, message: "Pesanan diterima, sedang diproses.", ...answer });
  }

  private checkTransaction(request: IcsRecordedRequest): Reply {
    const refid = request.method === "POST" && isRecord(request.body) ? request.body.refid : request.query.refid;
    if (typeof refid !== "string" || !refid) return { status: 400, json: { error: "Parameter refid wajib" } };
    const transaction = this.transactions.get(refid);
    if (!transaction) return { status: 404, json: { error: "Transaksi tidak ditemukan" } };
    transaction.checks++;
    const { status, message, note } = this.progress(transaction);
    return ok({
      success: true,
      status,
      refid,
      supplier_trxid: transaction.supplier_trxid,
      kode_produk: transaction.kode_produk,
      nomor_tujuan: transaction.nomor_tujuan,
      harga: transaction.harga,
      kodereseller: "RS00001",
      message,
      note,
      updated_at: "2025-12-05 12:00:00",
    });
  }

  /** Where an order stands after its latest status check. */
  private progress(t: IcsFakeTransaction): { status: string; message: string; note: string } {
    const scenario = t.scenario;
    switch (scenario.kind) {
      case "success":
        return { status: "success", message: "SUKSES", note: scenario.note ?? "" };
      case "reject":
        return { status: "failed", message: scenario.error, note: "" };
      case "pending":
        if (t.checks <= scenario.checks) return { status: scenario.initialStatus ?? "pending", message: "Pesanan diterima", note: "" };
        return { status: "success", message: "SUKSES", note: scenario.note ?? "" };
      case "fail-later":
        if (t.checks <= scenario.checks) return { status: "pending", message: "Pesanan diterima", note: "" };
        if (!t.refunded) {
          t.refunded = true;
          this.balance += t.harga;
        }
        return { status: "failed", message: scenario.message, note: "" };
    }
  }
}

/** "2025-12-05 12:00:00" in WIB (UTC+7), the document's format. */
export function wibTime(at: number): string {
  return new Date(at + 7 * 3_600_000).toISOString().slice(0, 19).replace("T", " ");
}

function ok(json: unknown): Reply {
  return { status: 200, json };
}

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.text ?? (reply.json === undefined ? "" : JSON.stringify(reply.json));
  res.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json", ...reply.headers });
  res.end(body);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return text.length > 0 ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
