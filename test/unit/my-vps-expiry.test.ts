/**
 * Issue 14, item 5 (aluy VPS as a subscription): /vps shows when the VPS is paid until, and a
 * VPS past that date (lapsed: renewal was cancelled at aluy, so it ends there) can no longer be
 * controlled from /vps. The paid-until date is kept on the delivered order (see
 * test/integration/aluy-subscription.test.ts), which the owned-services port hands to the feature.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FeatureResult, OwnedService, OwnedServices, Renewals } from "../../src/core/buyer-feature.js";
import { asList } from "../../src/core/reply.js";
import type { Msg } from "../../src/core/message.js";
import { ownedServices } from "../../src/commerce/owned-services.js";
import type { Order } from "../../src/commerce/orders.js";
import { AluyProvider } from "../../src/providers/aluy/adapter.js";
import { myVpsFeature } from "../../src/providers/aluy/my-vps.js";
import { aluyFakeCookie, startAluyFake, type AluyFake } from "../fakes/aluy-server.js";

let fake: AluyFake;
let aluy: AluyProvider;

beforeEach(async () => {
  fake = await startAluyFake();
  aluy = new AluyProvider({ baseUrl: fake.url, sessionCookie: aluyFakeCookie, eurToIdr: 17_321, timeoutMs: 500, retryDelaysMs: [5] });
});

afterEach(async () => {
  await fake.close();
});

const day = 24 * 60 * 60_000;
const buyer = "telegram:77";

function servicesOf(list: OwnedService[]): OwnedServices {
  return {
    delivered: async () => list,
    owned: async (_buyer, orderId) => list.find((service) => service.orderId === orderId) ?? null,
  };
}

/** Every message of a result (notices, menu titles and items), flattened. */
function messages(result: FeatureResult<unknown>): Msg[] {
  return result.replies.flatMap((reply) => {
    if (reply.kind === "text") return asList(reply.text);
    if (reply.kind === "menu") return [...(reply.notices ?? []), ...asList(reply.title), ...reply.items.map((item) => item.label)];
    return asList(reply.caption);
  });
}

const keys = (result: FeatureResult<unknown>) => messages(result).map((m) => m.key);

describe("/vps and the paid-until date", () => {
  it("shows the paid-until date on the list and on the VPS's own menu", async () => {
    const expiresAt = Date.parse("2031-05-04T03:00:00.000Z");
    const feature = myVpsFeature(aluy, servicesOf([{ orderId: "ORD-A", productName: "VPS 1G", providerRef: "clxsvc-a", expiresAt }]));
    const list = await feature.handle({ intent: { kind: "command", command: "vps", args: "" }, buyer, menuSeq: 0 }, undefined);
    const item = messages(list).find((m) => m.key === "vps-list-item");
    expect(item?.args).toMatchObject({ expires: "2031-05-04 10:00" }); // WIB
    const picked = await feature.handle({ intent: { kind: "press", menuId: list.menuSeq, index: 0 }, buyer, menuSeq: list.menuSeq }, list.session);
    expect(messages(picked)).toContainEqual(expect.objectContaining({ key: "vps-expires", args: { date: "2031-05-04 10:00" } }));
  });

  it("a lapsed VPS is not listed and cannot be controlled any more", async () => {
    const live: OwnedService = { orderId: "ORD-L", productName: "VPS live", providerRef: "clxsvc-l", expiresAt: Date.now() + 3 * day };
    const lapsed: OwnedService = { orderId: "ORD-X", productName: "VPS old", providerRef: "clxsvc-x", expiresAt: Date.now() - 1_000 };
    const feature = myVpsFeature(aluy, servicesOf([live, lapsed]));
    const list = await feature.handle({ intent: { kind: "command", command: "vps", args: "" }, buyer, menuSeq: 0 }, undefined);
    const items = messages(list).filter((m) => m.key === "vps-list-item");
    expect(items.map((m) => m.args?.order)).toEqual(["ORD-L"]);

    // A menu drawn while it was still live: acting on it now is refused without calling aluy.
    const stale = { step: { name: "service", orderId: "ORD-X" }, menu: { id: 5, entries: [{ t: "do", action: "restart" }] } };
    const before = fake.requests.length;
    const acted = await feature.handle({ intent: { kind: "press", menuId: 5, index: 0 }, buyer, menuSeq: 5 }, stale);
    expect(keys(acted)).toContain("vps-lapsed");
    expect(fake.requests.length).toBe(before);

    const onlyLapsed = myVpsFeature(aluy, servicesOf([lapsed]));
    const none = await onlyLapsed.handle({ intent: { kind: "command", command: "vps", args: "" }, buyer, menuSeq: 0 }, undefined);
    expect(keys(none)).toContain("vps-none");
  });

  it("the owned-services port hands the order's paid-until date to the feature", async () => {
    const order = {
      id: "ORD-E",
      buyer,
      status: "delivered",
      providerRef: "clxsvc-e",
      product: { provider: "aluy", name: "VPS 1G" },
      expiresAt: 1_900_000_000_000,
    } as unknown as Order;
    const port = ownedServices({ get: async () => order, ofBuyer: async () => [order] });
    expect(await port.delivered(buyer, "aluy")).toEqual([{ orderId: "ORD-E", productName: "VPS 1G", providerRef: "clxsvc-e", expiresAt: 1_900_000_000_000 }]);
  });
});

describe("/vps Perpanjang", () => {
  it("quotes a month, renews only after the buyer confirms, and says until when", async () => {
    const expiresAt = Date.now() + 5 * day;
    const calls: string[] = [];
    const renewals: Renewals = {
      quote: async () => ({ kind: "quote", monthly: 90_000, expiresAt }),
      renew: async (_buyer, orderId, months) => {
        calls.push(`${orderId}:${months}`);
        return { kind: "renewed", price: 90_000, balance: 10_000, expiresAt: expiresAt + 30 * day };
      },
    };
    const feature = myVpsFeature(aluy, servicesOf([{ orderId: "ORD-R", productName: "VPS 1G", providerRef: "clxsvc-r", expiresAt }]), renewals);
    const list = await feature.handle({ intent: { kind: "command", command: "vps", args: "" }, buyer, menuSeq: 0 }, undefined);
    const menu = await feature.handle({ intent: { kind: "press", menuId: list.menuSeq, index: 0 }, buyer, menuSeq: list.menuSeq }, list.session);
    const renewIndex = messages(menu).filter((m) => m.key.startsWith("vps-action-")).findIndex((m) => m.key === "vps-action-renew");
    expect(renewIndex).toBeGreaterThanOrEqual(0);
    const confirm = await feature.handle({ intent: { kind: "press", menuId: menu.menuSeq, index: renewIndex }, buyer, menuSeq: menu.menuSeq }, menu.session);
    expect(keys(confirm)).toContain("vps-renew-confirm");
    expect(calls).toEqual([]);
    const done = await feature.handle({ intent: { kind: "press", menuId: confirm.menuSeq, index: 0 }, buyer, menuSeq: confirm.menuSeq }, confirm.session);
    expect(calls).toEqual(["ORD-R:1"]);
    expect(keys(done)).toContain("vps-renewed");
  });
});

describe("/vps Perpanjang: Saldo or QRIS", () => {
  const expiresAt = Date.now() + 5 * day;
  const chat = { channel: "telegram" as const, chatId: "77", locale: "id" as const };
  const base = (): Renewals => ({
    quote: async () => ({ kind: "quote", monthly: 90_000, expiresAt }),
    renew: async () => ({ kind: "renewed", price: 90_000, balance: 0, expiresAt: expiresAt + 30 * day }),
  });

  async function confirmMenu(renewals: Renewals) {
    const feature = myVpsFeature(aluy, servicesOf([{ orderId: "ORD-Q", productName: "VPS 1G", providerRef: "clxsvc-q", expiresAt }]), renewals);
    const list = await feature.handle({ intent: { kind: "command", command: "vps", args: "" }, buyer, menuSeq: 0, chat }, undefined);
    const menu = await feature.handle({ intent: { kind: "press", menuId: list.menuSeq, index: 0 }, buyer, menuSeq: list.menuSeq, chat }, list.session);
    const renewIndex = messages(menu).filter((m) => m.key.startsWith("vps-action-")).findIndex((m) => m.key === "vps-action-renew");
    const confirm = await feature.handle({ intent: { kind: "press", menuId: menu.menuSeq, index: renewIndex }, buyer, menuSeq: menu.menuSeq, chat }, menu.session);
    const menuReply = confirm.replies.find((reply) => reply.kind === "menu");
    const items = menuReply?.kind === "menu" ? menuReply.items.map((item) => asList(item.label)[0]!.key) : [];
    return { feature, confirm, items };
  }

  it("offers Saldo and QRIS when the owner QRIS method is on; a QRIS choice shows the QR for the renewal, opened for this chat", async () => {
    const opened: string[] = [];
    const renewals: Renewals = {
      ...base(),
      payByQris: async (recipient, orderId, months) => {
        opened.push(`${recipient.buyer}:${recipient.channel}:${recipient.chatId}:${recipient.locale}:${orderId}:${months}`);
        return { kind: "opened", replies: [{ kind: "photo", png: Buffer.from("qr"), caption: [{ key: "qris-caption", args: { amount: "Rp90.123" } }] }] };
      },
    };
    const { feature, confirm, items } = await confirmMenu(renewals);
    expect(items).toEqual(["vps-renew-yes", "vps-renew-qris", "menu-item-back"]);
    const qris = await feature.handle({ intent: { kind: "press", menuId: confirm.menuSeq, index: 1 }, buyer, menuSeq: confirm.menuSeq, chat }, confirm.session);
    expect(opened).toEqual(["telegram:77:telegram:77:id:ORD-Q:1"]);
    expect(qris.replies[0]?.kind).toBe("photo");
  });

  it("offers only Saldo when QRIS is off", async () => {
    const { items } = await confirmMenu(base());
    expect(items).toEqual(["vps-renew-yes", "menu-item-back"]);
  });
});

describe("/vps VNC console", () => {
  it("shows the console's IP, port, password and WebSocket URL with a warning (buyer features answer private chats only)", async () => {
    // A provisioned service in the fake.
    const provider = aluy;
    await provider.placeOrder({ orderId: "ORD-C", refId: "WBCONSOLE1", product: (await provider.listProducts())[0]!, inputs: { months: "1" }, payment: "direct" });
    for (let poll = 0; poll < 5; poll++) await provider.getStatus({ providerRef: fake.orders[0]!.id, refId: "WBCONSOLE1", product: (await provider.listProducts())[0]!, inputs: { months: "1" } });
    const service = fake.services[0]!;
    const feature = myVpsFeature(aluy, servicesOf([{ orderId: "ORD-C", productName: "VPS 1G", providerRef: service.id, expiresAt: Date.now() + 9 * day }]));
    const list = await feature.handle({ intent: { kind: "command", command: "vps", args: "" }, buyer, menuSeq: 0 }, undefined);
    const menu = await feature.handle({ intent: { kind: "press", menuId: list.menuSeq, index: 0 }, buyer, menuSeq: list.menuSeq }, list.session);
    const index = messages(menu).filter((m) => m.key.startsWith("vps-action-")).findIndex((m) => m.key === "vps-action-console");
    expect(index).toBeGreaterThanOrEqual(0);
    const shown = await feature.handle({ intent: { kind: "press", menuId: menu.menuSeq, index }, buyer, menuSeq: menu.menuSeq }, menu.session);
    const console = messages(shown).find((m) => m.key === "vps-console");
    expect(console?.args).toMatchObject({ ip: expect.any(String), port: expect.any(Number), password: expect.any(String) });
    expect(keys(shown)).toContain("vps-console-warning");
    expect(fake.count("GET", `/services/${service.id}/console`)).toBe(1);
  });
});
