/**
 * "My VPS": the buyer's own aluy.net servers, bought through the shop. Status, power actions,
 * a root password reset, and a reinstall with an OS template (destructive: asked to confirm).
 *
 * A buyer feature (see `core/buyer-feature.ts`): the bot hosts it under the "vps" namespace and
 * hands it every message while its menus are open. Unlike the checkout it needs the provider at
 * every step, so it is a small async state machine of its own. A buyer can only ever act on
 * services of their own delivered orders: every action re-reads the order and checks its owner.
 */
import { z } from "zod";
import { defineBuyerFeature, type FeatureInput, type FeatureResult, type HostedBuyerFeature, type OwnedService, type OwnedServices, type Renewals } from "../../core/buyer-feature.js";
import { formatRupiah } from "../../core/money.js";
import { msg, type Msg } from "../../core/message.js";
import { formatWib } from "../../core/time.js";
import { textReply, type MenuItem, type Reply } from "../../core/reply.js";
import { ProviderError } from "../errors.js";
import type { AluyProvider } from "./adapter.js";

const actions = ["status", "start", "shutdown", "restart", "stop", "reset_password", "reinstall", "console", "renew"] as const;
type VpsAction = (typeof actions)[number];

/** What one position of a My VPS menu stands for. */
const entrySchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("pick"), orderId: z.string() }),
  z.object({ t: z.literal("do"), action: z.enum(actions) }),
  z.object({ t: z.literal("os"), id: z.number().int(), label: z.string() }),
  z.object({ t: z.literal("yes") }),
  /** Pay the renewal by the owner's QRIS instead of the balance. */
  z.object({ t: z.literal("qris") }),
  z.object({ t: z.literal("back") }),
  z.object({ t: z.literal("main") }),
]);
type Entry = z.infer<typeof entrySchema>;

/** Where the buyer is in the My VPS menus. */
const stepSchema = z.discriminatedUnion("name", [
  z.object({ name: z.literal("list") }),
  z.object({ name: z.literal("service"), orderId: z.string() }),
  z.object({ name: z.literal("reinstall"), orderId: z.string() }),
  z.object({ name: z.literal("confirm_reinstall"), orderId: z.string(), osId: z.number().int(), osLabel: z.string() }),
  z.object({ name: z.literal("confirm_renew"), orderId: z.string() }),
]);
type Step = z.infer<typeof stepSchema>;

const stateSchema = z.object({
  step: stepSchema,
  /** The menu shown last: its id and what each position means. */
  menu: z.object({ id: z.number().int(), entries: z.array(entrySchema) }).nullable(),
});
type State = z.infer<typeof stateSchema>;
type Result = FeatureResult<State>;

/** The session namespace and command of My VPS. */
export const myVpsNamespace = "vps";

/**
 * My VPS as a hosted buyer feature. With `aluy` null (aluy is off) it still answers /vps: the
 * buyer has no servers here.
 *
 * @example
 * const feature = myVpsFeature(aluyAdapter, ownedServices(orders));
 */
export function myVpsFeature(aluy: AluyProvider | null, services: OwnedServices, renewals?: Renewals): HostedBuyerFeature {
  const vps = new MyVps(aluy, services, renewals ?? null);
  return defineBuyerFeature({
    namespace: myVpsNamespace,
    commands: [myVpsNamespace],
    session: stateSchema,
    handle: (input, state) => vps.handle(input, state),
  });
}

class MyVps {
  constructor(
    private readonly aluy: AluyProvider | null,
    private readonly services: OwnedServices,
    private readonly renewals: Renewals | null,
  ) {}

  async handle(input: FeatureInput, stored: State | null): Promise<Result> {
    const { intent } = input;
    if (intent.kind === "command") return this.show(input, { step: { name: "list" }, menu: null });
    const state: State = stored ?? { step: { name: "list" }, menu: null };
    let entry: Entry | undefined;
    if (intent.kind === "press" && state.menu && intent.menuId === state.menu.id) entry = state.menu.entries[intent.index];
    else if (intent.kind === "number") entry = state.menu?.entries[intent.index];
    if (!entry) return this.show(input, state, [msg(intent.kind === "press" || intent.kind === "stale" ? "menu-expired" : "not-understood")]);

    const step = state.step;
    switch (entry.t) {
      case "pick":
        return this.show(input, { ...state, step: { name: "service", orderId: entry.orderId } });
      case "back":
        return this.show(input, { ...state, step: step.name === "service" ? { name: "list" } : backOf(step) });
      case "main":
        return { replies: [], session: null, menuSeq: input.menuSeq, toMainMenu: true };
      case "do":
        if (step.name !== "service") break;
        if (entry.action === "reinstall") return this.show(input, { ...state, step: { name: "reinstall", orderId: step.orderId } });
        if (entry.action === "renew") return this.show(input, { ...state, step: { name: "confirm_renew", orderId: step.orderId } });
        return this.act(input, state, step.orderId, entry.action);
      case "os":
        if (step.name !== "reinstall") break;
        return this.show(input, { ...state, step: { name: "confirm_reinstall", orderId: step.orderId, osId: entry.id, osLabel: entry.label } });
      case "qris":
        if (step.name === "confirm_renew") return this.renewByQris(input, state, step.orderId);
        break;
      case "yes":
        if (step.name === "confirm_renew") return this.renew(input, state, step.orderId);
        if (step.name !== "confirm_reinstall") break;
        return this.reinstall(input, state, step.orderId, step.osId, step.osLabel);
      default:
        break;
    }
    return this.show(input, state, [msg("menu-expired")]);
  }

  /** Draws the menu of the current step. */
  private async show(input: FeatureInput, state: State, notices: Msg[] = []): Promise<Result> {
    const items: MenuItem[] = [];
    const entries: Entry[] = [];
    const add = (label: Msg, entry: Entry) => {
      items.push({ label });
      entries.push(entry);
    };
    let title: Msg[];
    const step = state.step;
    if (step.name !== "list") {
      const service = await this.ownService(input.buyer, step.orderId);
      if (!isService(service)) return this.show(input, { ...state, step: { name: "list" } }, [...notices, service]);
      if (step.name === "service") {
        title = [msg("vps-service-title", { name: service.productName, order: service.orderId })];
        if (service.expiresAt !== undefined) title.push(msg("vps-expires", { date: formatWib(service.expiresAt) }));
        for (const action of actions) {
          if (action === "renew" && (!this.renewals || service.expiresAt === undefined)) continue;
          add(msg(`vps-action-${action}`), { t: "do", action });
        }
      } else if (step.name === "reinstall") {
        const templates = await this.call((aluy) => aluy.templates(service.providerRef));
        if (!Array.isArray(templates)) return this.show(input, { ...state, step: { name: "service", orderId: service.orderId } }, [templates]);
        title = [msg("vps-reinstall-title")];
        for (const template of templates.slice(0, 20)) add(msg("menu-group", { group: template.label }), { t: "os", id: template.id, label: template.label });
      } else if (step.name === "confirm_renew") {
        const quote = this.renewals ? await this.renewals.quote(input.buyer, service.orderId) : ({ kind: "not_found" } as const);
        if (quote.kind !== "quote") return this.show(input, { ...state, step: { name: "list" } }, [...notices, msg(quote.kind === "lapsed" ? "vps-lapsed" : "vps-not-found", { order: service.orderId })]);
        title = [msg("vps-renew-confirm", { name: service.productName, price: formatRupiah(quote.monthly), date: formatWib(addMonth(quote.expiresAt)) })];
        add(msg("vps-renew-yes"), { t: "yes" });
        // QRIS only when the owner QRIS method is on, and the chat to confirm it in is known.
        if (this.renewals?.payByQris && input.chat) add(msg("vps-renew-qris"), { t: "qris" });
      } else {
        title = [msg("vps-reinstall-confirm", { os: step.osLabel, name: service.productName })];
        add(msg("vps-reinstall-yes"), { t: "yes" });
      }
      add(msg("menu-item-back"), { t: "back" });
    } else {
      const servers = await this.servers(input.buyer);
      if (servers.length === 0) return { session: null, menuSeq: input.menuSeq, replies: [textReply(...notices, msg("vps-none"))] };
      title = [msg("vps-list-title")];
      for (const server of servers) {
        const expires = server.expiresAt === undefined ? "-" : formatWib(server.expiresAt);
        add(msg("vps-list-item", { name: server.productName, order: server.orderId, expires }), { t: "pick", orderId: server.orderId });
      }
      add(msg("menu-item-back"), { t: "main" });
    }
    const menuId = input.menuSeq + 1;
    // Results (a status, a new root password) stay a message of their own, unlike checkout
    // notices: a tap on the menu edits it in place, and must not wipe a password off the chat.
    const replies: Reply[] = notices.length > 0 ? [{ kind: "text", text: notices }] : [];
    replies.push({ kind: "menu", title, items, menuId, footer: msg("menu-footer") });
    return { session: { ...state, menu: { id: menuId, entries } }, menuSeq: menuId, replies };
  }

  private async act(input: FeatureInput, state: State, orderId: string, action: Exclude<VpsAction, "reinstall" | "renew">): Promise<Result> {
    const service = await this.ownService(input.buyer, orderId);
    if (!isService(service)) return this.show(input, { ...state, step: { name: "list" } }, [service]);
    const serviceId = service.providerRef;
    let result: Msg | Msg[];
    if (action === "status") {
      const status = await this.call((aluy) => aluy.serviceStatus(serviceId));
      result = "state" in status ? [msg("vps-status", { state: status.state, ips: status.ipAddresses.map((ip) => ip.address).join(", ") || "-" })] : status;
    } else if (action === "console") {
      // Buyer features answer in the buyer's private chat only (groups go to the admin handler).
      const vnc = await this.call((aluy) => aluy.console(serviceId));
      result =
        "ip" in vnc
          ? [msg("vps-console", { ip: vnc.ip, port: vnc.port, password: vnc.password, wss: vnc.wssUrl ?? "-" }), msg("vps-console-warning")]
          : vnc;
    } else if (action === "reset_password") {
      const password = await this.call((aluy) => aluy.resetPassword(serviceId));
      // Shown once in the buyer's private chat and never stored (aluy does not keep it either).
      result = typeof password === "string" ? [msg("vps-password", { password })] : password;
    } else {
      const done = await this.call((aluy) => aluy.power(serviceId, action));
      result = "ok" in done ? msg("vps-action-done", { action: msg(`vps-action-${action}`) }) : done;
    }
    return this.show(input, state, Array.isArray(result) ? result : [result]);
  }

  private async reinstall(input: FeatureInput, state: State, orderId: string, osId: number, osLabel: string): Promise<Result> {
    const service = await this.ownService(input.buyer, orderId);
    if (!isService(service)) return this.show(input, { ...state, step: { name: "list" } }, [service]);
    const done = await this.call((aluy) => aluy.reinstall(service.providerRef, osId));
    const notice = "ok" in done ? msg("vps-reinstall-started", { os: osLabel }) : done;
    return this.show(input, { ...state, step: { name: "service", orderId } }, [notice]);
  }

  /** Perpanjang: one more month from the wallet, after the buyer confirmed the price. */
  private async renew(input: FeatureInput, state: State, orderId: string): Promise<Result> {
    const service = await this.ownService(input.buyer, orderId);
    if (!isService(service)) return this.show(input, { ...state, step: { name: "list" } }, [service]);
    if (!this.renewals) return this.show(input, { ...state, step: { name: "service", orderId } }, [msg("vps-not-found")]);
    const result = await this.renewals.renew(input.buyer, orderId, 1);
    let notice: Msg;
    if (result.kind === "renewed") notice = msg("vps-renewed", { date: formatWib(result.expiresAt), price: formatRupiah(result.price), balance: formatRupiah(result.balance) });
    else if (result.kind === "insufficient") notice = msg("wallet-insufficient", { price: formatRupiah(result.price), balance: formatRupiah(result.balance) });
    else notice = msg(result.kind === "lapsed" ? "vps-lapsed" : "vps-not-found", { order: orderId });
    return this.show(input, { ...state, step: { name: "service", orderId } }, [notice]);
  }

  /**
   * Perpanjang by QRIS: opens a payment of the renewal price and shows its QR (amount and
   * expiry); the renewal is applied once the payment is confirmed, and the buyer told then.
   */
  private async renewByQris(input: FeatureInput, state: State, orderId: string): Promise<Result> {
    const service = await this.ownService(input.buyer, orderId);
    if (!isService(service)) return this.show(input, { ...state, step: { name: "list" } }, [service]);
    const back: State = { ...state, step: { name: "service", orderId } };
    if (!this.renewals?.payByQris || !input.chat) return this.show(input, back, [msg("vps-not-found")]);
    const started = await this.renewals.payByQris({ ...input.chat, buyer: input.buyer }, orderId, 1);
    if (started.kind !== "opened") return this.show(input, back, [msg(started.kind === "lapsed" ? "vps-lapsed" : "vps-not-found", { order: orderId })]);
    const shown = await this.show(input, back);
    return { ...shown, replies: [...started.replies, ...shown.replies] };
  }

  /** The buyer's delivered aluy orders (each holds its service id as providerRef) that have not lapsed. */
  private async servers(buyer: string): Promise<OwnedService[]> {
    if (!this.aluy) return [];
    return (await this.services.delivered(buyer, "aluy")).filter((service) => !lapsed(service));
  }

  /**
   * The buyer's service of that order, or why it cannot be used: not theirs (or gone), or lapsed
   * (paid-until date passed: renewal was cancelled at aluy, so the VPS ended there).
   */
  private async ownService(buyer: string, orderId: string): Promise<OwnedService | Msg> {
    const service = this.aluy ? await this.services.owned(buyer, orderId, "aluy") : null;
    if (!service) return msg("vps-not-found");
    if (lapsed(service)) return msg("vps-lapsed", { order: service.orderId });
    return service;
  }

  /**
   * Runs a provider call; a provider error becomes the buyer's short localised reason. Only
   * reached for a service found above, which needs aluy to be on.
   */
  private async call<T>(run: (aluy: AluyProvider) => Promise<T>): Promise<T | Msg> {
    if (!this.aluy) return msg("vps-error", { reason: msg("provider-error-unavailable") });
    try {
      return await run(this.aluy);
    } catch (error) {
      if (error instanceof ProviderError) return msg("vps-error", { reason: msg(`provider-error-${error.code}`) });
      throw error;
    }
  }
}

function isService(value: OwnedService | Msg): value is OwnedService {
  return "orderId" in value;
}

/** Past its paid-until date: no longer controllable from /vps. */
function lapsed(service: OwnedService): boolean {
  return service.expiresAt !== undefined && service.expiresAt <= Date.now();
}

/** `at` plus one calendar month (UTC), as the renewal moves the paid-until date. */
function addMonth(at: number): number {
  const date = new Date(at);
  date.setUTCMonth(date.getUTCMonth() + 1);
  return date.getTime();
}

function backOf(step: Step): Step {
  if (step.name !== "list") return { name: "service", orderId: step.orderId };
  return { name: "list" };
}
