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
  | { kind: "photo"; png: Buffer; caption: Msg | Msg[] }
  | {
      /**
       * A file (a backup, a CSV export, a long delivery as `.txt`). The name and bytes are sent as
       * they are; only the caption is text to render (and, in the admin group, to sanitize).
       */
      kind: "document";
      fileName: string;
      bytes: Buffer;
      mimeType: string;
      caption?: Msg | Msg[];
    };

/** A text reply from one or more messages (joined with blank lines when rendered). */
export function textReply(...text: Msg[]): Reply {
  return { kind: "text", text: text.length === 1 ? text[0]! : text };
}

/**
 * A document reply.
 *
 * @example
 * documentReply("orders.csv", Buffer.from(csv), "text/csv");
 */
export function documentReply(fileName: string, bytes: Buffer, mimeType: string, ...caption: Msg[]): Reply {
  return { kind: "document", fileName, bytes, mimeType, ...(caption.length > 0 ? { caption: caption.length === 1 ? caption[0]! : caption } : {}) };
}

/** Messages of a text, menu title or caption as a list; none for a document without a caption. */
export function asList(text: Msg | Msg[] | undefined): Msg[] {
  if (text === undefined) return [];
  return Array.isArray(text) ? text : [text];
}
