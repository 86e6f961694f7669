/**
 * What the core answers with, channel-neutral. Texts are message keys (see `message.ts`); each
 * channel renders menus its own way (Telegram inline keyboards, WhatsApp and console numbered
 * lists). A buyer can always answer a menu with an item's number, so one flow fits every app.
 */
import type { Msg } from "./message.js";

/** One menu entry. Items are numbered 1… in the order given. */
export interface MenuItem {
  label: Msg;
}

export type Reply =
  | { kind: "text"; text: Msg | Msg[] }
  | {
      kind: "menu";
      /** Said first, in the same message (e.g. "cancelled", "that menu expired"). */
      notices?: Msg[];
      title: Msg | Msg[];
      items: MenuItem[];
      /** Identifies the menu in callback data, so a tap on an older menu is recognised as stale. */
      menuId: number;
      /** Short hint under the list (e.g. "reply with a number"). */
      footer?: Msg;
    }
  | { kind: "photo"; png: Buffer; caption: Msg | Msg[] };

/** A text reply from one or more messages (joined with blank lines when rendered). */
export function textReply(...text: Msg[]): Reply {
  return { kind: "text", text: text.length === 1 ? text[0]! : text };
}

/** Messages of a text, menu title or caption as a list. */
export function asList(text: Msg | Msg[]): Msg[] {
  return Array.isArray(text) ? text : [text];
}
