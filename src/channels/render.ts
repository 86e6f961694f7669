/**
 * Turns channel-neutral replies into text, the part every channel shares. Menus become a title
 * and numbered lines (console, WhatsApp) or a title plus buttons (Telegram, which calls
 * {@link menuButtons}).
 */
import type { Translator } from "../i18n/translator.js";
import type { Locale } from "../core/message.js";
import { encodeMenuPress } from "../bot/callback-data.js";
import { asList, type Reply } from "../core/reply.js";

/** One button of a rendered menu. */
export interface RenderedButton {
  label: string;
  data: string;
}

/** Renders a list of messages as lines. */
function lines(translator: Translator, locale: Locale, text: Parameters<typeof asList>[0]): string {
  return asList(text)
    .map((message) => translator.render(locale, message))
    .join("\n");
}

/** A reply as plain text; menus as numbered lists. `bold` wraps the menu title (e.g. WhatsApp `*…*`). */
export function renderText(translator: Translator, locale: Locale, reply: Reply, bold: (text: string) => string = (text) => text): string {
  switch (reply.kind) {
    case "text":
      return lines(translator, locale, reply.text);
    case "photo":
    case "document":
      return lines(translator, locale, reply.caption);
    case "menu": {
      const title = asList(reply.title).map((message, index) => {
        const text = translator.render(locale, message);
        return index === 0 ? bold(text) : text;
      });
      const items = reply.items.map((item, index) => `${index + 1}. ${translator.render(locale, item.label)}`);
      const footer = reply.footer ? [translator.render(locale, reply.footer)] : [];
      return [...noticeLines(translator, locale, reply), ...title, "", ...items, ...(footer.length > 0 ? ["", ...footer] : [])].join("\n");
    }
  }
}

/** The title of a menu, after its notices, without its items (Telegram shows items as buttons). */
export function renderMenuTitle(translator: Translator, locale: Locale, reply: Extract<Reply, { kind: "menu" }>): string {
  return [...noticeLines(translator, locale, reply), lines(translator, locale, reply.title)].join("\n");
}

/** A menu's notices, then a blank line to set them off from the title; nothing without notices. */
function noticeLines(translator: Translator, locale: Locale, reply: Extract<Reply, { kind: "menu" }>): string[] {
  if (!reply.notices || reply.notices.length === 0) return [];
  return [...reply.notices.map((message) => translator.render(locale, message)), ""];
}

/** A menu's items as buttons, numbered so a typed number and a tap match. */
export function menuButtons(translator: Translator, locale: Locale, reply: Extract<Reply, { kind: "menu" }>): RenderedButton[] {
  return reply.items.map((item, index) => ({
    label: `${index + 1}. ${translator.render(locale, item.label)}`,
    data: encodeMenuPress(reply.menuId, index),
  }));
}

/**
 * Splits text into chunks of at most `limit` characters, at line breaks where possible, so a
 * long order history or help text survives a platform's message limit.
 */
export function splitText(text: string, limit: number): string[] {
  if (text.length <= limit) return [text];
  const chunks: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    const candidate = current.length === 0 ? line : `${current}\n${line}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }
    if (current.length > 0) chunks.push(current);
    current = line;
    while (current.length > limit) {
      // Cut on a code point boundary so an emoji is never split into two broken halves.
      let cut = limit;
      const code = current.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      chunks.push(current.slice(0, cut));
      current = current.slice(cut);
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
