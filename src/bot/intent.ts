/**
 * Turns an {@link Inbound} into what the buyer means: a command, a menu choice (typed number or
 * tapped button), or free text. Pure; knows nothing about sessions or products.
 */
import { decodeMenuPress } from "./callback-data.js";
import type { Inbound } from "../core/inbound.js";

/** Buyer commands, by canonical name. */
export const buyerCommands = ["start", "menu", "cancel", "help", "saldo", "topup", "orders", "order", "lang", "vps", "referral", "garansi"] as const;
export type BuyerCommand = (typeof buyerCommands)[number];

/** Every spelling a buyer may use, mapped to its command. */
const aliases: Record<string, BuyerCommand> = {
  start: "start",
  menu: "menu",
  cancel: "cancel",
  batal: "cancel",
  help: "help",
  bantuan: "help",
  saldo: "saldo",
  balance: "saldo",
  topup: "topup",
  isisaldo: "topup",
  orders: "orders",
  riwayat: "orders",
  order: "order",
  pesanan: "order",
  lang: "lang",
  bahasa: "lang",
  vps: "vps",
  myvps: "vps",
  referral: "referral",
  referal: "referral",
  ajak: "referral",
  garansi: "garansi",
  claim: "garansi",
};

/** Words that act as commands even without a slash (WhatsApp users rarely type one). */
const bareWords: ReadonlySet<string> = new Set(["menu", "batal", "cancel", "bantuan", "help", "saldo"]);

export type Intent =
  | { kind: "command"; command: BuyerCommand; args: string }
  | { kind: "unknown_command"; name: string }
  /** A tapped button, already decoded; `index` is 0-based. */
  | { kind: "press"; menuId: number; index: number }
  /** Button data that is not ours or not of this version. */
  | { kind: "stale" }
  /** A typed menu number; `index` is 0-based, `text` the original text. */
  | { kind: "number"; index: number; text: string }
  | { kind: "text"; text: string }
  /** Nothing we can read (sticker, photo without caption, …). */
  | { kind: "empty" };

/** Longest text we look at; anything longer is still answered, never parsed in full. */
export const maxTextLength = 10_000;

export function parseIntent(inbound: Pick<Inbound, "text" | "action">): Intent {
  if (inbound.action !== undefined) {
    const press = decodeMenuPress(inbound.action);
    return press ? { kind: "press", ...press } : { kind: "stale" };
  }
  const text = (inbound.text ?? "").slice(0, maxTextLength).trim();
  if (text.length === 0) return { kind: "empty" };

  const command = /^\/([A-Za-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/.exec(text);
  if (command) {
    const name = command[1]!.toLowerCase();
    const canonical = aliases[name];
    return canonical
      ? { kind: "command", command: canonical, args: (command[2] ?? "").trim() }
      : { kind: "unknown_command", name };
  }
  const lower = text.toLowerCase();
  if (bareWords.has(lower)) return { kind: "command", command: aliases[lower]!, args: "" };

  if (/^\d{1,3}$/.test(text)) {
    const number = Number(text);
    if (number >= 1) return { kind: "number", index: number - 1, text };
  }
  return { kind: "text", text };
}
