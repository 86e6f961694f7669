/**
 * The built-in sandbox provider: a small fixed catalog covering every delivery kind, answering
 * in-process, so a new owner can try the whole flow with no accounts. Every item is marked
 * SANDBOX in menus.
 *
 * - a game top-up that answers pending, then success with a serial number;
 * - a data quota for a phone number (instant serial);
 * - a premium-app account (email + password);
 * - a Pterodactyl panel (asks for a panel username);
 * - one item that always fails, to show the refund path.
 */
import { randomBytes } from "node:crypto";
import type { Rupiah } from "../../core/money.js";
import type { DeliveryItem, OrderOutcome, PlaceOrderRequest, Provider, ProviderBalance, ProviderProduct } from "../types.js";

type SandboxItem = Pick<ProviderProduct, "sku" | "name" | "group" | "category" | "basePrice" | "input" | "delivery">;

const items: SandboxItem[] = [
  { sku: "ML86", name: "Mobile Legends 86 Diamonds", group: "Mobile Legends", category: "game", basePrice: 18_000, input: "game_id_zone", delivery: "serial" },
  { sku: "ML172", name: "Mobile Legends 172 Diamonds", group: "Mobile Legends", category: "game", basePrice: 35_500, input: "game_id_zone", delivery: "serial" },
  { sku: "FF70", name: "Free Fire 70 Diamonds", group: "Free Fire", category: "game", basePrice: 9_500, input: "game_id", delivery: "serial" },
  { sku: "TSEL10", name: "Telkomsel 10 GB 30 hari", group: "Telkomsel", category: "data", basePrice: 45_000, input: "phone", delivery: "serial" },
  { sku: "NFX1", name: "Netflix Premium 1 bulan", group: "Netflix", category: "app", basePrice: 30_000, input: "none", delivery: "account" },
  { sku: "PANEL1", name: "Panel Pterodactyl 1 GB", group: "Pterodactyl", category: "panel", basePrice: 5_000, input: "panel_username", delivery: "panel" },
  { sku: "FAIL1", name: "Item uji gagal (selalu gagal)", group: "Uji coba", category: "other", basePrice: 1_000, input: "none", delivery: "serial" },
];

const catalog: ProviderProduct[] = items.map((item) => ({
  ...item,
  provider: "sandbox",
  code: `SB-${item.sku}`,
  stock: null,
  description: "SANDBOX",
}));

export interface SandboxOptions {
  /** How long the game top-up stays pending before it succeeds (default 3 s). */
  pendingMs?: number;
  now?: () => number;
}

interface SandboxOrder {
  request: PlaceOrderRequest;
  readyAt: number;
  outcome: OrderOutcome;
}

export class SandboxProvider implements Provider {
  readonly id = "sandbox" as const;
  private readonly orders = new Map<string, SandboxOrder>();
  private readonly pendingMs: number;
  private readonly now: () => number;
  private balance: Rupiah = 10_000_000;

  constructor(options: SandboxOptions = {}) {
    this.pendingMs = options.pendingMs ?? 3_000;
    this.now = options.now ?? Date.now;
  }

  async listProducts(): Promise<ProviderProduct[]> {
    return catalog.map((item) => ({ ...item }));
  }

  async getBalance(): Promise<ProviderBalance> {
    return { amount: this.balance, currency: "IDR", idr: this.balance };
  }

  async placeOrder(request: PlaceOrderRequest): Promise<OrderOutcome> {
    // Same reference, same order: the sandbox is idempotent like a good provider.
    const existing = this.orders.get(request.refId);
    if (existing) return this.current(existing);
    const providerRef = `SBX-${request.refId}`;
    const sku = request.product.sku;
    let order: SandboxOrder;
    if (sku === "FAIL1") {
      order = { request, readyAt: 0, outcome: { state: "failed", providerRef, reason: "Sandbox: this item always fails" } };
    } else {
      this.balance -= request.product.basePrice;
      const delivery = sandboxDelivery(request);
      const pending = request.product.category === "game";
      order = { request, readyAt: pending ? this.now() + this.pendingMs : 0, outcome: { state: "success", providerRef, delivery } };
    }
    this.orders.set(request.refId, order);
    return this.current(order);
  }

  async getStatus(ref: { refId: string }): Promise<OrderOutcome> {
    const order = this.orders.get(ref.refId);
    if (!order) return { state: "failed", reason: "Sandbox: unknown order" };
    return this.current(order);
  }

  async findOrder(refId: string): Promise<OrderOutcome | null> {
    const order = this.orders.get(refId);
    return order ? this.current(order) : null;
  }

  private current(order: SandboxOrder): OrderOutcome {
    if (this.now() < order.readyAt) return { state: "pending", providerRef: `SBX-${order.request.refId}` };
    return order.outcome;
  }
}

function sandboxDelivery(request: PlaceOrderRequest): DeliveryItem[] {
  const token = () => randomBytes(4).toString("hex").toUpperCase();
  switch (request.product.delivery) {
    case "account":
      return [
        { label: "email", value: `sandbox.${token().toLowerCase()}@example.com`, secret: true },
        { label: "password", value: `Sbx-${token()}`, secret: true },
      ];
    case "panel":
      return [
        { label: "url", value: "https://panel.sandbox.example" },
        { label: "username", value: request.inputs.username ?? "user" },
        { label: "password", value: `Sbx-${token()}`, secret: true },
      ];
    default:
      return [{ label: "serial", value: `SBX${token()}${token()}` }];
  }
}
