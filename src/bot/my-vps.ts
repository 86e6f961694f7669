/**
 * "My VPS": the buyer's own aluy.net servers, bought through the shop. Status, power actions,
 * a root password reset, and a reinstall with an OS template (destructive: asked to confirm).
 *
 * Unlike the checkout this needs the provider at every step, so it is a small async state
 * machine of its own over the same session and menus. A buyer can only ever act on services of
 * their own delivered orders: every action re-reads the order and checks its owner.
 */
import { msg, type Msg } from "../core/message.js";
import type { Order, OrderStore } from "../commerce/orders.js";
import type { AluyPowerAction, AluyProvider } from "../providers/aluy/adapter.js";
import { ProviderError } from "../providers/errors.js";
import type { Intent } from "./intent.js";
import { textReply, type MenuItem, type Reply } from "../core/reply.js";
import type { MenuEntry, Session, Step } from "./session.js";

export interface MyVpsDeps {
  orders: OrderStore;
  /** The aluy adapter, or null when aluy is not enabled. */
  aluy: AluyProvider | null;
}

type VpsAction = Extract<MenuEntry, { t: "vps_do" }>["action"];

const actions: VpsAction[] = ["status", "start", "shutdown", "restart", "stop", "reset_password", "reinstall"];

export class MyVps {
  constructor(private readonly deps: MyVpsDeps) {}

  /** Opens the list of the buyer's servers. */
  async open(session: Session, buyer: string): Promise<{ session: Session; replies: Reply[] }> {
    return this.show({ ...session, step: { name: "vps_list" } }, buyer);
  }

  /** Handles a message while the buyer is in the My VPS menus. */
  async step(session: Session, intent: Intent, buyer: string): Promise<{ session: Session; replies: Reply[] }> {
    let entry: MenuEntry | undefined;
    if (intent.kind === "press" && session.menu && intent.menuId === session.menu.id) entry = session.menu.entries[intent.index];
    else if (intent.kind === "number") entry = session.menu?.entries[intent.index];
    if (!entry) return this.show(session, buyer, [msg(intent.kind === "press" || intent.kind === "stale" ? "menu-expired" : "not-understood")]);

    const step = session.step;
    switch (entry.t) {
      case "vps_pick":
        return this.show({ ...session, step: { name: "vps_service", orderId: entry.orderId } }, buyer);
      case "vps_back":
        return this.show({ ...session, step: step.name === "vps_service" ? { name: "vps_list" } : backOf(step) }, buyer);
      case "vps_do":
        if (step.name !== "vps_service") break;
        if (entry.action === "reinstall") return this.show({ ...session, step: { name: "vps_reinstall", orderId: step.orderId } }, buyer);
        return this.act(session, buyer, step.orderId, entry.action);
      case "vps_os":
        if (step.name !== "vps_reinstall") break;
        return this.show({ ...session, step: { name: "vps_confirm_reinstall", orderId: step.orderId, osId: entry.id, osLabel: entry.label } }, buyer);
      case "vps_yes":
        if (step.name !== "vps_confirm_reinstall") break;
        return this.reinstall(session, buyer, step.orderId, step.osId, step.osLabel);
      default:
        break;
    }
    return this.show(session, buyer, [msg("menu-expired")]);
  }

  /** Draws the menu of the current step. */
  private async show(session: Session, buyer: string, notices: Msg[] = []): Promise<{ session: Session; replies: Reply[] }> {
    const items: MenuItem[] = [];
    const entries: MenuEntry[] = [];
    const add = (label: Msg, entry: MenuEntry) => {
      items.push({ label });
      entries.push(entry);
    };
    let title: Msg[];
    const step = session.step;
    if (step.name === "vps_service" || step.name === "vps_reinstall" || step.name === "vps_confirm_reinstall") {
      const order = await this.ownOrder(buyer, step.orderId);
      if (!order) return this.show({ ...session, step: { name: "vps_list" } }, buyer, [...notices, msg("vps-not-found")]);
      if (step.name === "vps_service") {
        title = [msg("vps-service-title", { name: order.product.name, order: order.id })];
        for (const action of actions) add(msg(`vps-action-${action}`), { t: "vps_do", action });
      } else if (step.name === "vps_reinstall") {
        const templates = await this.call(() => this.deps.aluy!.templates(order.providerRef!));
        if (!Array.isArray(templates)) return this.show({ ...session, step: { name: "vps_service", orderId: order.id } }, buyer, [templates]);
        title = [msg("vps-reinstall-title")];
        for (const template of templates.slice(0, 20)) add(msg("menu-group", { group: template.label }), { t: "vps_os", id: template.id, label: template.label });
      } else {
        title = [msg("vps-reinstall-confirm", { os: step.osLabel, name: order.product.name })];
        add(msg("vps-reinstall-yes"), { t: "vps_yes" });
      }
      add(msg("menu-item-back"), { t: "vps_back" });
    } else {
      const servers = await this.servers(buyer);
      if (servers.length === 0) {
        return { session: { ...session, step: { name: "main" }, menu: null }, replies: [textReply(...notices, msg("vps-none"))] };
      }
      title = [msg("vps-list-title")];
      for (const order of servers) add(msg("vps-list-item", { name: order.product.name, order: order.id }), { t: "vps_pick", orderId: order.id });
      add(msg("menu-item-back"), { t: "main" });
    }
    const menuId = session.menuSeq + 1;
    // Results (a status, a new root password) stay a message of their own, unlike checkout
    // notices: a tap on the menu edits it in place, and must not wipe a password off the chat.
    const replies: Reply[] = notices.length > 0 ? [{ kind: "text", text: notices }] : [];
    replies.push({ kind: "menu", title, items, menuId, footer: msg("menu-footer") });
    return { session: { ...session, menuSeq: menuId, menu: { id: menuId, entries } }, replies };
  }

  private async act(session: Session, buyer: string, orderId: string, action: Exclude<VpsAction, "reinstall">) {
    const order = await this.ownOrder(buyer, orderId);
    if (!order) return this.show({ ...session, step: { name: "vps_list" } }, buyer, [msg("vps-not-found")]);
    const serviceId = order.providerRef!;
    const aluy = this.deps.aluy!;
    let result: Msg | Msg[];
    if (action === "status") {
      const status = await this.call(() => aluy.serviceStatus(serviceId));
      result = "state" in status ? [msg("vps-status", { state: status.state, ips: status.ipAddresses.map((ip) => ip.address).join(", ") || "-" })] : status;
    } else if (action === "reset_password") {
      const password = await this.call(() => aluy.resetPassword(serviceId));
      // Shown once in the buyer's private chat and never stored (aluy does not keep it either).
      result = typeof password === "string" ? [msg("vps-password", { password })] : password;
    } else {
      const done = await this.call(() => aluy.power(serviceId, action as AluyPowerAction));
      result = "ok" in done ? msg("vps-action-done", { action: msg(`vps-action-${action}`) }) : done;
    }
    return this.show(session, buyer, Array.isArray(result) ? result : [result]);
  }

  private async reinstall(session: Session, buyer: string, orderId: string, osId: number, osLabel: string) {
    const order = await this.ownOrder(buyer, orderId);
    if (!order) return this.show({ ...session, step: { name: "vps_list" } }, buyer, [msg("vps-not-found")]);
    const done = await this.call(() => this.deps.aluy!.reinstall(order.providerRef!, osId));
    const notice = "ok" in done ? msg("vps-reinstall-started", { os: osLabel }) : done;
    return this.show({ ...session, step: { name: "vps_service", orderId } }, buyer, [notice]);
  }

  /** The buyer's delivered aluy orders (each holds its service id as providerRef). */
  private async servers(buyer: string): Promise<Order[]> {
    if (!this.deps.aluy) return [];
    const orders = await this.deps.orders.ofBuyer(buyer, 50);
    return orders.filter((order) => order.product.provider === "aluy" && order.status === "delivered" && order.providerRef);
  }

  private async ownOrder(buyer: string, orderId: string): Promise<Order | null> {
    if (!this.deps.aluy) return null;
    const order = await this.deps.orders.get(orderId);
    const ok = order && order.buyer === buyer && order.product.provider === "aluy" && order.status === "delivered" && order.providerRef;
    return ok ? order : null;
  }

  /** Runs a provider call; a provider error becomes the buyer's short localised reason. */
  private async call<T>(run: () => Promise<T>): Promise<T | Msg> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ProviderError) return msg("vps-error", { reason: msg(`provider-error-${error.code}`) });
      throw error;
    }
  }
}

function backOf(step: Step): Step {
  if (step.name === "vps_reinstall" || step.name === "vps_confirm_reinstall") return { name: "vps_service", orderId: step.orderId };
  return { name: "vps_list" };
}
